//go:build !js

package turn

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"sambung/internal/jsonw"
	"sambung/wire"
)

// FuzzParseUsername feeds the username parser, which reads every
// authenticated STUN request, arbitrary strings: it never panics, and
// whatever it accepts has the minted form and round-trips its expiry.
func FuzzParseUsername(f *testing.F) {
	s := newSecret()
	for _, exp := range []time.Time{time.Unix(1790000000, 0), time.Unix(1, 0), time.Unix(1<<62, 0)} {
		f.Add(s.mint(exp).Username)
	}
	for _, u := range []string{"", ":", "0:AAAAAAAAAAAAAAAA", "1790000000:AAAAAAAAAAAAAAA=", "-1:AAAAAAAAAAAAAAAA",
		"99999999999999999999:AAAAAAAAAAAAAAAA", "1790000000:AAAAAAAAAAAAAAA+", "1790000000", "1790000000:AAAAAAAAAAAAAAAA:x"} {
		f.Add(u)
	}
	f.Fuzz(func(t *testing.T, u string) {
		exp, ok := parseUsername(u)
		if !ok {
			return
		}
		prefix, id, _ := strings.Cut(u, ":")
		if len(id) != opaqueLen || prefix != strconv.FormatInt(exp.Unix(), 10) {
			t.Fatalf("accepted %q as expiring %v", u, exp)
		}
	})
}

// FuzzParseICEServers checks that the -ice-servers parser never panics,
// and that what it accepts is valid and survives writing and reading back.
func FuzzParseICEServers(f *testing.F) {
	for _, s := range []string{
		``, `[]`, `null`, `[{"urls":["stun:stun.example.org:3478"]}]`,
		`[{"urls":["turn:t.example.org:3478?transport=udp","turns:t.example.org:443?transport=tcp"],"username":"u","credential":"p"},{"urls":["stun:[::1]"]}]`,
		`[{"urls":["turn:t.example.org"]}]`, `[{"url":"stun:s"}]`, `[{"urls":"stun:s"}]`, `[{"urls":[]}]`, `[{}]`, `{"urls":["stun:s"]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseICEServers(s)
		if err != nil {
			if !errors.Is(err, ErrBadICEServers) {
				t.Fatalf("%q: error %v is not ErrBadICEServers", s, err)
			}
			return
		}
		for i := range l {
			if err := l[i].Validate(); err != nil {
				t.Fatalf("%q: accepted invalid entry %d: %v", s, i, err)
			}
		}
		var w jsonw.Writer
		wire.WriteICEServerList(&w, l)
		back, err := ParseICEServers(string(w.Bytes()))
		if err != nil || !reflect.DeepEqual(back, l) && len(l) > 0 {
			t.Fatalf("%q: round trip %s: %v, %v", s, w.Bytes(), back, err)
		}
	})
}
