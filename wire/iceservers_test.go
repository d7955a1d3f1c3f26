package wire

import (
	"errors"
	"strings"
	"testing"
)

var (
	turnEntry = ICEServer{
		URLs:     []string{"turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"},
		Username: "1790000000:AAECAwQFBgcICQoL", Credential: "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",
	}
	stunEntry = ICEServer{URLs: []string{"stun:stun.example.org:3478"}}
)

// The ICE server types join the package's JSON tests and fuzz target
// (json_test.go) from here.
func init() {
	codecs = append(codecs,
		codecOf(turnEntry, stunEntry, ICEServer{URLs: []string{}, Username: odd}),
		codecOf(ICEServers{ICEServers: []ICEServer{turnEntry, stunEntry}, Expires: 1790000000000}, ICEServers{ICEServers: []ICEServer{}, Expires: -1}),
	)
}

func TestICEServerValidate(t *testing.T) {
	long := strings.Repeat("a", MaxICEURL)
	cases := []struct {
		name string
		s    ICEServer
		ok   bool
	}{
		{"turn with credentials", turnEntry, true},
		{"stun alone", stunEntry, true},
		{"stuns and turns", ICEServer{URLs: []string{"stuns:s.example.org", "turns:t.example.org:443?transport=tcp"}, Username: "u", Credential: "c"}, true},
		{"ipv6 host", ICEServer{URLs: []string{"stun:[::1]:3478"}}, true},
		{"no urls", ICEServer{}, false},
		{"too many urls", ICEServer{URLs: strings.Fields(strings.Repeat("stun:a ", MaxICEURLs+1))}, false},
		{"turn without credential", ICEServer{URLs: []string{"turn:t.example.org"}, Username: "u"}, false},
		{"turn without username", ICEServer{URLs: []string{"turn:t.example.org"}, Credential: "c"}, false},
		{"http scheme", ICEServer{URLs: []string{"http://stun.example.org"}}, false},
		{"scheme only", ICEServer{URLs: []string{"stun:"}}, false},
		{"port only", ICEServer{URLs: []string{"stun::3478"}}, false},
		{"slashes", ICEServer{URLs: []string{"stun://stun.example.org"}}, false},
		{"space", ICEServer{URLs: []string{"stun:a b"}}, false},
		{"userinfo", ICEServer{URLs: []string{"turn:u@t.example.org"}, Username: "u", Credential: "c"}, false},
		{"stun with query", ICEServer{URLs: []string{"stun:s.example.org?transport=udp"}}, false},
		{"turn bad transport", ICEServer{URLs: []string{"turn:t.example.org?transport=sctp"}, Username: "u", Credential: "c"}, false},
		{"url too long", ICEServer{URLs: []string{"stun:" + long}}, false},
		{"username too long", ICEServer{URLs: []string{"stun:s"}, Username: strings.Repeat("u", MaxICECredential+1)}, false},
	}
	for _, c := range cases {
		err := c.s.Validate()
		if (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v, want ok %v", c.name, err, c.ok)
		}
		var we *Error
		if err != nil && (!errors.As(err, &we) || we.Code != CodeBadRequest || we.Message == CodeBadRequest.Message()) {
			t.Errorf("%s: error %v is not a bad_request with its own message", c.name, err)
		}
	}
}

// FuzzICEServerValidate checks that no URL, username or credential makes
// Validate panic, and that what it accepts has a known scheme.
func FuzzICEServerValidate(f *testing.F) {
	for _, s := range []ICEServer{turnEntry, stunEntry} {
		f.Add(s.URLs[0], s.Username, s.Credential)
	}
	f.Add("turn:[::1]:3478?transport=tcp", "u", "c")
	f.Add("stun::", "", "")
	f.Fuzz(func(t *testing.T, url, user, cred string) {
		s := ICEServer{URLs: []string{url}, Username: user, Credential: cred}
		if s.Validate() != nil {
			return
		}
		if !strings.HasPrefix(url, "stun") && !strings.HasPrefix(url, "turn") {
			t.Fatalf("accepted %q", url)
		}
	})
}
