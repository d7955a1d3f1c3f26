//go:build !js

package turn

import (
	"strconv"
	"strings"
	"testing"
	"time"
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
