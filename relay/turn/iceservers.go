//go:build !js

package turn

import (
	"errors"
	"fmt"
	"strings"

	"sambung/internal/jsonw"
	"sambung/wire"
)

// ErrBadICEServers is the error of ParseICEServers.
var ErrBadICEServers = errors.New("turn: bad ICE server list")

// MaxExternalICEServers caps the configured external servers: one entry
// of every answer is kept for the built-in server.
const MaxExternalICEServers = wire.MaxICEServers - 1

// iceServerList reads a JSON array of ICE servers.
type iceServerList []wire.ICEServer

func (l *iceServerList) ReadJSON(d *jsonw.Decoder) error {
	return wire.ReadICEServerList(d, (*[]wire.ICEServer)(l))
}

// ParseICEServers parses the relay's -ice-servers setting: a JSON array of
// RTCIceServer objects, exactly as a page would write them, such as
//
//	[{"urls":["stun:stun.example.org:3478"]},
//	 {"urls":["turn:turn.example.org:3478?transport=udp"],"username":"u","credential":"p"}]
//
// Unknown members are errors (a typo must not drop a server silently),
// and each entry must pass wire.ICEServer's Validate. Empty or blank
// means none.
func ParseICEServers(s string) ([]wire.ICEServer, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var l iceServerList
	d := jsonw.NewDecoder([]byte(s))
	d.DisallowUnknown = true
	if err := d.Decode(&l); err != nil {
		return nil, fmt.Errorf("%w: not a JSON array of {urls, username, credential}: %v", ErrBadICEServers, err)
	}
	if len(l) > MaxExternalICEServers {
		return nil, fmt.Errorf("%w: at most %d servers", ErrBadICEServers, MaxExternalICEServers)
	}
	for i := range l {
		if err := l[i].Validate(); err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrBadICEServers, i, err)
		}
	}
	return l, nil
}
