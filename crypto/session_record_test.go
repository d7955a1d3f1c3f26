package crypto

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
)

// replaceRecord swaps p's record for q with a decoded copy of its bytes.
func replaceRecord(tb testing.TB, p, q *party) {
	tb.Helper()
	var r SessionRecord
	if err := r.UnmarshalBinary(p.record(tb, q)); err != nil {
		tb.Fatal(err)
	}
	p.store.StoreSession(context.Background(), q.addr, &r)
}

func TestSessionRecordRoundTrip(t *testing.T) {
	alice, bob := setup(t, true)
	// Pending prekey state round trips.
	first := alice.send(t, bob, "first")
	replaceRecord(t, alice, bob)
	bob.recv(t, alice, first)
	bob.recv(t, alice, alice.send(t, bob, "still pending"))

	// Skipped keys on two chains, and a previous session on Alice's side.
	var skipped []wireMsg
	for i := 0; i < 3; i++ {
		skipped = append(skipped, bob.send(t, alice, msgText(i)))
	}
	alice.recv(t, bob, bob.send(t, alice, "ahead"))
	bob.recv(t, alice, alice.send(t, bob, "turn"))
	skipped = append(skipped, bob.send(t, alice, "new chain skipped"))
	alice.recv(t, bob, bob.send(t, alice, "new chain ahead"))

	for _, p := range [][2]*party{{alice, bob}, {bob, alice}} {
		b1 := p[0].record(t, p[1])
		var r SessionRecord
		if err := r.UnmarshalBinary(b1); err != nil {
			t.Fatal(err)
		}
		b2, err := r.MarshalBinary()
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("%s: record does not round trip (%v)", p[0].name, err)
		}
		p[0].store.StoreSession(context.Background(), p[1].addr, &r)
	}
	// The decoded records carry on where the originals left off.
	for _, m := range skipped {
		alice.recv(t, bob, m)
	}
	bob.recv(t, alice, alice.send(t, bob, "after the round trip"))
	alice.recv(t, bob, bob.send(t, alice, "and back"))
	assertAgree(t, alice, bob)

	var empty SessionRecord
	b, _ := empty.MarshalBinary()
	var r SessionRecord
	if err := r.UnmarshalBinary(b); err != nil || r.HasCurrentSession() {
		t.Fatalf("empty record: %v", err)
	}
}

func TestSessionRecordRejects(t *testing.T) {
	alice, bob := established(t)
	good := alice.record(t, bob)
	var r SessionRecord
	cases := map[string][]byte{
		"empty":           nil,
		"version 2":       append([]byte{2}, good[1:]...),
		"trailing byte":   append(bytes.Clone(good), 0),
		"cut short":       good[:len(good)-1],
		"bad has-current": append([]byte{1, 2}, good[2:]...),
	}
	for name, b := range cases {
		if err := r.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if r.HasCurrentSession() {
		t.Fatal("a failed UnmarshalBinary changed the record")
	}
}

func TestPreviousSessions(t *testing.T) {
	alice, bob := established(t)
	inFlight := bob.send(t, alice, "sent before Alice started over")
	// Alice starts a new session; Bob's message for the old one still
	// decrypts, and the old session becomes current again.
	bob.store.AddPreKey(100, mustKey(t))
	if err := ProcessPreKeyBundle(context.Background(), alice.store, bob.addr, bob.bundle(t, false), rand.Reader); err != nil {
		t.Fatal(err)
	}
	r, _ := alice.store.LoadSession(context.Background(), bob.addr)
	if len(r.previous) != 1 {
		t.Fatalf("%d previous sessions, want 1", len(r.previous))
	}
	newFirst := alice.send(t, bob, "new session")
	alice.recv(t, bob, inFlight)
	assertAgree(t, alice, bob)
	// Bob gets the new session's message: it becomes his current session.
	bob.recv(t, alice, newFirst)
	alice.recv(t, bob, bob.send(t, alice, "on the new session"))
	assertAgree(t, alice, bob)

	// The archive is bounded.
	for i := 0; i < MaxPreviousSessions+5; i++ {
		if err := ProcessPreKeyBundle(context.Background(), alice.store, bob.addr, bob.bundle(t, false), rand.Reader); err != nil {
			t.Fatal(err)
		}
	}
	r, _ = alice.store.LoadSession(context.Background(), bob.addr)
	if len(r.previous) != MaxPreviousSessions {
		t.Fatalf("%d previous sessions, want %d", len(r.previous), MaxPreviousSessions)
	}
	replaceRecord(t, alice, bob)
}

func TestSimultaneousInitiation(t *testing.T) {
	alice := newParty(t, "alice", 1)
	bob := newParty(t, "bob", 2)
	if err := ProcessPreKeyBundle(context.Background(), alice.store, bob.addr, bob.bundle(t, true), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if err := ProcessPreKeyBundle(context.Background(), bob.store, alice.addr, alice.bundle(t, true), rand.Reader); err != nil {
		t.Fatal(err)
	}
	a1, b1 := alice.send(t, bob, "from alice"), bob.send(t, alice, "from bob")
	bob.recv(t, alice, a1)
	alice.recv(t, bob, b1)
	// Each now has the other's session current; messages still flow both
	// ways and the two converge on one session.
	for i := 0; i < 4; i++ {
		alice.recv(t, bob, bob.send(t, alice, msgText(i)))
		bob.recv(t, alice, alice.send(t, bob, msgText(i)))
	}
	assertAgree(t, alice, bob)
}
