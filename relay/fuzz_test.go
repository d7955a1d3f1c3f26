//go:build !js

package relay

import (
	"strings"
	"testing"
	"time"

	"sambung/wire"
)

// FuzzRelayFrames throws arbitrary frames at a live relay over a real
// websocket: whatever arrives, the relay answers a ping afterwards on the
// same connection.
func FuzzRelayFrames(f *testing.F) {
	r := startRelay(f, func(c *Config) { c.FrameRate = Rate{Count: 1 << 30, Per: time.Second, Burst: 1 << 30} })
	alice := r.signUpAccount("alice", "alice password", 3)
	bob := r.signUpAccount("bob", "bob password", 0)
	a := r.dial(alice)

	seeds := []string{
		`{"type":"send","id":"r","to":"` + bob.PersonID + `","envelopes":[{"id":"f","device":1,"type":1,"body":"AQ==","ts":1}]}`,
		`{"type":"send","id":"r","to":"` + bob.PersonID + `","envelopes":[{"id":"f","device":2,"type":1,"body":"AQ==","ts":1}]}`,
		`{"type":"send","id":"r","to":"` + alice.PersonID + `","envelopes":[{"id":"f","device":1,"type":1,"body":"AQ==","ts":1}]}`,
		`{"type":"ack","seqs":[1,1,18446744073709551615]}`,
		`{"type":"auth","token":"` + strings.Repeat("A", 43) + `="}`,
		`{"type":"ping","id":"x"}`,
		`{"type":"send"}`,
		`{"type":"ack"}`,
		`{"type":`,
		`[]`,
		"\x00\xff",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		a.t = t
		a.sendRaw(frame)
		a.send(&wire.PingFrame{ID: "alive"})
		for {
			fr, err := a.next()
			if err != nil {
				t.Fatalf("connection lost after %q: %v", frame, err)
			}
			if p, ok := fr.(*wire.PongFrame); ok && p.ID == "alive" {
				return
			}
		}
	})
}
