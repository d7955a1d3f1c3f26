//go:build !js

package client_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"sambung/client"
	"sambung/client/native"
	"sambung/wire"
)

// corrupter is a Dialer whose connections, while armed, flip a bit in the
// body of every envelope the client sends: the relay stores ciphertext
// that no longer authenticates.
type corrupter struct {
	client.Dialer
	mu    sync.Mutex
	armed bool
}

func (c *corrupter) Dial(ctx context.Context) (client.Conn, error) {
	conn, err := c.Dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &corruptConn{Conn: conn, c: c}, nil
}

type corruptConn struct {
	client.Conn
	c *corrupter
}

func (cc *corruptConn) Write(ctx context.Context, frame []byte) error {
	cc.c.mu.Lock()
	armed := cc.c.armed
	cc.c.mu.Unlock()
	if armed && strings.HasPrefix(string(frame), `{"type":"send"`) {
		f, err := wire.DecodeClientFrame(frame)
		if err != nil {
			return err
		}
		s := f.(*wire.SendFrame)
		for i := range s.Envelopes {
			s.Envelopes[i].Body[len(s.Envelopes[i].Body)/2] ^= 1
		}
		if frame, err = wire.Encode(s); err != nil {
			return err
		}
	}
	return cc.Conn.Write(ctx, frame)
}

// TestUndecryptableDoesNotWedge: an envelope that does not decrypt shows
// as a placeholder, is acknowledged, and the messages after it arrive.
func TestUndecryptableDoesNotWedge(t *testing.T) {
	r := startRelay(t)
	st := client.NewMemoryStorage()
	alice := newPhone(t, r, st, "+6281111111111")
	bad := &corrupter{Dialer: native.NewDialer(r.URL), armed: true}
	bob := newAccount(t, r, nil, "bob", func(c *client.Config) { c.Dialer = bad })
	alice.connect()
	bob.connect()
	a, b := alice.me().PersonID, bob.me().PersonID

	garbled := bob.send("phone:+6281111111111", "garbled")
	eventually(t, "placeholder", func() bool { return len(alice.history(b)) == 1 })
	h := alice.history(b)
	if !h[0].Undecryptable || h[0].Text != "" || h[0].ID != garbled.ID {
		t.Fatalf("placeholder: %+v", h[0])
	}
	bad.mu.Lock()
	bad.armed = false
	bad.mu.Unlock()
	deliver(bob, alice, a, "clear")

	// Both were acknowledged: a restarted client gets nothing again.
	alice.close()
	alice2 := newDevice(t, r, st)
	alice2.connect()
	check := bob.send(a, "check")
	alice2.waitText(b, "check")
	if h := alice2.history(b); len(h) != 3 {
		t.Fatalf("after restart: %d messages: %+v", len(h), h)
	}
	// Events go out after the commit that waitText saw, and in order; a
	// redelivery of the first two would come before "check" in the
	// mailbox, so once its event is in, theirs would be too.
	alice2.waitMessageEvent(b, check.ID)
	if got := alice2.messageEvents(""); len(got) != 1 {
		t.Fatalf("restarted client got message events for %v, want only %s", got, check.ID)
	}
	bob.waitStatus(a, check.ID, client.StatusDelivered)
}

// TestPreKeyTopUp: lookups use up a device's one-time prekeys; when the
// relay says they run low, the device uploads a new batch.
func TestPreKeyTopUp(t *testing.T) {
	r := startRelay(t)
	st := client.NewMemoryStorage()
	alice := newPhone(t, r, st, "+6281111111111")
	bob := newAccount(t, r, nil, "bob")
	alice.connect()

	keyCount := func() int { return keyStatus(t, r, st).OneTimePreKeys }
	if n := keyCount(); n != client.PreKeyBatch {
		t.Fatalf("after sign-up: %d prekeys", n)
	}
	// Bundle fetches take one-time prekeys (lookups take none).
	used := client.PreKeyBatch - wire.PreKeysLow + 1
	token, err := bob.c.Token()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < used; i++ {
		status, body, err := native.NewHTTP(r.URL).Do(ctx, "GET", "/v1/people/"+alice.me().PersonID, token, nil)
		if err != nil || status != 200 {
			t.Fatalf("bundle fetch %d: %d %s %v", i, status, body, err)
		}
	}
	eventually(t, "top-up", func() bool { return keyCount() >= client.PreKeyBatch })
	// The new keys work: a new contact starts a session with one.
	carol := newAccount(t, r, nil, "carol")
	carol.connect()
	m := carol.send("phone:+6281111111111", "hi from carol")
	alice.waitText(carol.me().PersonID, "hi from carol")
	carol.waitStatus(alice.me().PersonID, m.ID, client.StatusDelivered)
}

// answerDropper is a Dialer whose connections, while armed, lose the
// relay's "sent" answer: the connection drops just as it arrives.
type answerDropper struct {
	client.Dialer
	mu      sync.Mutex
	armed   bool
	dropped int
}

func (a *answerDropper) Dial(ctx context.Context) (client.Conn, error) {
	c, err := a.Dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &answerDropConn{Conn: c, a: a}, nil
}

type answerDropConn struct {
	client.Conn
	a *answerDropper
}

func (c *answerDropConn) Read(ctx context.Context) ([]byte, error) {
	b, err := c.Conn.Read(ctx)
	if err != nil {
		return b, err
	}
	c.a.mu.Lock()
	drop := c.a.armed && strings.HasPrefix(string(b), `{"type":"sent"`)
	if drop {
		c.a.armed = false
		c.a.dropped++
	}
	c.a.mu.Unlock()
	if drop {
		c.Conn.Close()
		return nil, errDropped
	}
	return b, nil
}

// TestResendAfterLostAnswer: the relay stored a send but its answer was
// lost; the client resends the very same envelopes after reconnecting,
// the relay counts them as duplicates, and the recipient shows the
// message once.
func TestResendAfterLostAnswer(t *testing.T) {
	r := startRelay(t)
	lose := &answerDropper{Dialer: native.NewDialer(r.URL)}
	alice := newPhone(t, r, nil, "+6281111111111", func(c *client.Config) { c.Dialer = lose })
	bob := newAccount(t, r, nil, "bob")
	alice.connect()
	bob.connect()
	a, b := alice.me().PersonID, bob.me().PersonID
	if _, err := alice.c.Lookup(ctx, "account:bob"); err != nil {
		t.Fatal(err)
	}
	lose.mu.Lock()
	lose.armed = true
	lose.mu.Unlock()
	m := alice.send(b, "once")
	alice.waitStatus(b, m.ID, client.StatusDelivered)
	dupCount := func() float64 {
		status, body, err := native.NewHTTP(r.URL).Do(ctx, "GET", wire.PathMetrics, "", nil)
		if err != nil || status != 200 {
			t.Fatalf("metrics: %d %v", status, err)
		}
		var dups float64
		for _, line := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(line, "sambung_envelopes_duplicate_total "); ok {
				fmt.Sscan(v, &dups)
			}
		}
		return dups
	}
	// Bob's receipt may come before the resend: wait for the relay to
	// see the copy.
	eventually(t, "the resend", func() bool { return dupCount() >= 1 })
	lose.mu.Lock()
	dropped := lose.dropped
	lose.mu.Unlock()
	if dropped != 1 {
		t.Fatalf("%d answers dropped", dropped)
	}
	bob.waitText(a, "once")
	// A second copy would reach Bob before a message Alice sends later.
	after := barrier(alice, bob)
	if got, want := fmt.Sprint(ids(bob.history(a))), fmt.Sprint([]string{m.ID, after.ID}); got != want {
		t.Fatalf("bob shows %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(bob.messageEvents(a)), fmt.Sprint([]string{m.ID, after.ID}); got != want {
		t.Fatalf("bob's message events: %s, want %s", got, want)
	}
}
