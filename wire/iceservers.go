package wire

import (
	"strconv"
	"strings"

	"sambung/internal/jsonw"
)

// PathICEServers is the endpoint of the ICE servers a device may use for a
// call: GET → ICEServers, authenticated.
const PathICEServers = "/v1/ice-servers"

// ICE server limits: generous for any real deployment, small enough that a
// bad configuration cannot bloat every answer of PathICEServers.
const (
	// MaxICEServers caps the entries of one answer: the built-in server
	// and a few external ones (browsers gather from each, so more only
	// slows ICE down).
	MaxICEServers = 8
	// MaxICEURLs caps the URLs of one entry: stun, and turn over udp, tcp
	// and tls, with room to spare.
	MaxICEURLs = 8
	// MaxICEURL caps one URL in bytes: a host name is at most 253.
	MaxICEURL = 300
	// MaxICECredential caps a username or credential in bytes: the TURN
	// REST username is about 30 and its credential 44.
	MaxICECredential = 256
)

// The URL schemes of RFC 7064 (stun, stuns) and RFC 7065 (turn, turns).
const (
	schemeSTUN  = "stun:"
	schemeSTUNS = "stuns:"
	schemeTURN  = "turn:"
	schemeTURNS = "turns:"
)

// ICEServer is one entry of WebRTC's RTCConfiguration.iceServers, field for
// field, so that a page hands it to RTCPeerConnection unchanged. TURN URLs
// need Username and Credential; STUN URLs ignore them.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// ICEServers is the answer of PathICEServers. Expires is when the built-in
// TURN server's credential stops working for new allocations, in Unix
// milliseconds; 0 when the answer holds no such credential.
type ICEServers struct {
	ICEServers []ICEServer `json:"iceServers"`
	Expires    int64       `json:"expires"`
}

// Validate checks an entry's shape as RTCPeerConnection does, so that a
// configuration mistake fails when the relay starts, not in every browser:
// one to MaxICEURLs URLs of the four ICE schemes, and a username and
// credential when any URL is a TURN URL.
func (s *ICEServer) Validate() error {
	if len(s.URLs) == 0 || len(s.URLs) > MaxICEURLs {
		return ErrorWith(CodeBadRequest, "an ICE server has 1 to "+strconv.Itoa(MaxICEURLs)+" urls")
	}
	if len(s.Username) > MaxICECredential || len(s.Credential) > MaxICECredential {
		return ErrorWith(CodeBadRequest, "an ICE server's username and credential are at most "+strconv.Itoa(MaxICECredential)+" bytes")
	}
	for _, u := range s.URLs {
		turn, err := checkICEURL(u)
		if err != nil {
			return err
		}
		if turn && (s.Username == "" || s.Credential == "") {
			return ErrorWith(CodeBadRequest, "the TURN URL "+strconv.Quote(u)+" needs a username and a credential")
		}
	}
	return nil
}

// checkICEURL checks one URL's scheme and that the rest is a plain
// host[:port][?transport=udp|tcp] of printable ASCII; it reports whether
// the URL is a TURN URL.
func checkICEURL(u string) (turn bool, err error) {
	bad := func(why string) error {
		return ErrorWith(CodeBadRequest, "ICE URL "+strconv.Quote(u)+": "+why)
	}
	if len(u) > MaxICEURL {
		return false, bad("longer than " + strconv.Itoa(MaxICEURL) + " bytes")
	}
	var rest string
	for _, scheme := range []string{schemeSTUN, schemeSTUNS, schemeTURN, schemeTURNS} {
		if strings.HasPrefix(u, scheme) {
			rest = u[len(scheme):]
			turn = scheme == schemeTURN || scheme == schemeTURNS
		}
	}
	if rest == "" {
		return false, bad("must be stun:, stuns:, turn: or turns: then a host")
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; c <= ' ' || c >= 0x7f || c == '/' || c == '@' {
			return false, bad("the host part has a space, control character, '/', '@' or non-ASCII byte")
		}
	}
	hostPort, query, hasQuery := strings.Cut(rest, "?")
	if hostPort == "" || hostPort[0] == ':' {
		return false, bad("has no host")
	}
	if hasQuery {
		if !turn {
			return false, bad("a STUN URL takes no query")
		}
		if query != "transport=udp" && query != "transport=tcp" {
			return false, bad("the only query is transport=udp or transport=tcp")
		}
	}
	return turn, nil
}

// WriteICEServerList writes s as a JSON array: the syntax of the relay's
// -ice-servers flag.
func WriteICEServerList(w *jsonw.Writer, s []ICEServer) {
	jsonw.Array(&s).WriteJSON(w)
}

// ReadICEServerList reads a JSON array of ICE servers.
func ReadICEServerList(d *jsonw.Decoder, p *[]ICEServer) error {
	return jsonw.Array(p).ReadJSON(d)
}
