//go:build !js

package relay

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"sambung/relay/store"
	"sambung/wire"
)

// flood has each sender send to person `to` (one device) until the relay
// answers mailbox_full, and returns how many each got stored.
func flood(t *testing.T, senders []*wsClient, to string, body string) []int {
	t.Helper()
	stored := make([]int, len(senders))
	var wg sync.WaitGroup
	for i, w := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				switch f := w.sendTo(to, []uint32{1}, nil, fmt.Sprint("spam", n), body).(type) {
				case *wire.SentFrame:
					stored[i]++
				case *wire.ErrorFrame:
					if f.Code != wire.CodeMailboxFull {
						t.Errorf("sender %d: %s", i, f.Code)
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	return stored
}

// TestThrowawaysCannotLockOutContact: ten fresh accounts flood an offline
// person's mailbox. Each stops at the stranger share (200 envelopes by
// default), and a contact (someone the person has written to) still gets
// through. With large bodies the strangers stop at StrangerBytes of the
// person's mailboxes together, and the contact gets the rest.
func TestThrowawaysCannotLockOutContact(t *testing.T) {
	for _, tc := range []struct {
		name   string
		shares store.Shares
		body   int
	}{
		{"defaults", store.Shares{}, 100},
		{"bytes", store.Shares{PersonBytes: 8 << 20, StrangerBytes: 6 << 20}, 64 << 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := startRelay(t, func(c *Config) { c.Shares = tc.shares })
			bob := r.signUpAccount("bob", "bob password", 0)
			carol := r.signUpAccount("carol", "carol password", 0)
			b := r.dial(bob)
			b.mustSend(carol.PersonID, []uint32{1}, nil, "hi", "hi carol") // carol is bob's contact now
			b.c.CloseNow()

			var spammers []*wsClient
			for i := range 10 {
				spammers = append(spammers, r.dial(r.signUpAccount(fmt.Sprint("throwaway", i), "throwaway password", 0)))
			}
			body := strings.Repeat("s", tc.body)
			stored := flood(t, spammers, bob.PersonID, body)
			total := 0
			for _, n := range stored {
				total += n
			}
			sh := r.srv.st.Shares()
			if tc.name == "defaults" {
				for i, n := range stored {
					if n != sh.StrangerShare {
						t.Errorf("throwaway %d stored %d envelopes, want the stranger share %d", i, n, sh.StrangerShare)
					}
				}
			} else if per := int64(tc.body + 100); int64(total)*per > sh.StrangerBytes+per*10 {
				t.Errorf("strangers stored %d envelopes of %d bytes, past %d bytes", total, tc.body, sh.StrangerBytes)
			}

			// Carol gets through: ten messages, or with large bodies as
			// many as the rest of the person's bytes allow.
			c := r.dial(carol)
			got := 0
			if tc.name == "defaults" {
				for i := range 10 {
					c.mustSend(bob.PersonID, []uint32{1}, nil, fmt.Sprint("carol", i), body)
					got++
				}
			} else if got = flood(t, []*wsClient{c}, bob.PersonID, body)[0]; got < int((sh.PersonBytes-sh.StrangerBytes)/int64(tc.body+100)) {
				t.Fatalf("the contact stored %d envelopes after the strangers", got)
			}
			t.Logf("10 throwaways stored %d envelopes (%v each), then the contact %d", total, stored[0], got)

			// Bob comes back and reads it all, the contact's last.
			b = r.dial(bob)
			var envs []wire.Envelope
			for len(envs) < total+got {
				batch := expect[*wire.EnvelopesFrame](b).Envelopes
				b.ack(batch)
				envs = append(envs, batch...)
			}
			if last := envs[len(envs)-1]; len(envs) != total+got || last.From != carol.PersonID {
				t.Fatalf("%d envelopes, the last from %s", len(envs), last.From)
			}
		})
	}
}
