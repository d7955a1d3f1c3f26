package crypto

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
)

func TestSessionWalk(t *testing.T) {
	for _, oneTime := range []bool{true, false} {
		alice, bob := setup(t, oneTime)
		m := alice.send(t, bob, "hello bob")
		if m.t != MessageTypePreKey {
			t.Fatalf("first message type %d, want PreKey", m.t)
		}
		// Alice repeats PreKey messages until Bob answers.
		m2 := alice.send(t, bob, "second")
		if m2.t != MessageTypePreKey {
			t.Fatalf("second message type %d, want PreKey", m2.t)
		}
		bob.recv(t, alice, m)
		assertAgree(t, alice, bob)
		bob.recv(t, alice, m2)
		assertAgree(t, alice, bob)
		if _, err := bob.store.LoadPreKey(context.Background(), 100); oneTime && err == nil {
			t.Fatal("one-time prekey not removed")
		}
		n := 0
		for round := 0; round < 6; round++ {
			from, to := bob, alice
			if round%2 == 1 {
				from, to = alice, bob
			}
			for i := 0; i < 1+round; i++ {
				n++
				msg := from.send(t, to, msgText(n))
				if msg.t != MessageTypeSignal {
					t.Fatalf("round %d: type %d, want Signal", round, msg.t)
				}
				to.recv(t, from, msg)
				assertAgree(t, alice, bob)
			}
		}
	}
}

func TestOutOfOrder(t *testing.T) {
	alice, bob := setup(t, true)
	bob.recv(t, alice, alice.send(t, bob, "hi"))
	alice.recv(t, bob, bob.send(t, alice, "hi back"))
	// Within a chain: send 5, deliver 4, 0, 2, 1, 3.
	var ms []wireMsg
	for i := 0; i < 5; i++ {
		ms = append(ms, alice.send(t, bob, msgText(i)))
	}
	for _, i := range []int{4, 0, 2, 1, 3} {
		bob.recv(t, alice, ms[i])
		assertAgree(t, alice, bob)
	}
	// Across chains: two of Bob's chains in flight, delivered newest first.
	old1 := bob.send(t, alice, "old 1")
	old2 := bob.send(t, alice, "old 2")
	alice.recv(t, bob, old1)
	reply := alice.send(t, bob, "turn")
	bob.recv(t, alice, reply)
	new1 := bob.send(t, alice, "new 1")
	alice.recv(t, bob, new1)
	alice.recv(t, bob, old2)
	assertAgree(t, alice, bob)
	// A message on a chain never seen before jumps straight ahead.
	bob.recv(t, alice, alice.send(t, bob, "x"))
}

func TestDuplicate(t *testing.T) {
	alice, bob := setup(t, true)
	first := alice.send(t, bob, "first")
	bob.recv(t, alice, first)
	// The retransmitted first PreKey message: the one-time prekey is gone,
	// but the session it made exists, so this is a duplicate.
	_, err := bob.tryRecv(alice, first)
	mustErr(t, err, ErrDuplicateMessage, "replayed first message")

	r := bob.send(t, alice, "reply")
	alice.recv(t, bob, r)
	_, err = alice.tryRecv(bob, r)
	mustErr(t, err, ErrDuplicateMessage, "replayed reply")

	a, b := alice.send(t, bob, "a"), alice.send(t, bob, "b")
	bob.recv(t, alice, b)
	bob.recv(t, alice, a)
	_, err = bob.tryRecv(alice, a)
	mustErr(t, err, ErrDuplicateMessage, "replayed skipped message")
}

func TestTamperedMAC(t *testing.T) {
	alice, bob := setup(t, true)
	bob.recv(t, alice, alice.send(t, bob, "hi"))
	m := bob.send(t, alice, "tamper with me")
	for i := range m.body {
		bad := wireMsg{t: m.t, body: bytes.Clone(m.body), text: m.text}
		bad.body[i] ^= 0x01
		before := alice.record(t, bob)
		if _, err := alice.tryRecv(bob, bad); err == nil {
			t.Fatalf("flipped byte %d accepted", i)
		}
		if !bytes.Equal(before, alice.record(t, bob)) {
			t.Fatalf("flipped byte %d changed the record", i)
		}
	}
	alice.recv(t, bob, m)
}

func TestNoOneTimePreKey(t *testing.T) {
	alice, bob := setup(t, false)
	m := alice.send(t, bob, "no one-time prekey")
	pm, err := parsePreKeySignalMessage(m.body)
	if err != nil || pm.hasPreKeyID {
		t.Fatalf("prekey message carries a prekey id (%v)", err)
	}
	bob.recv(t, alice, m)
	if _, err := bob.store.LoadPreKey(context.Background(), 100); err != nil {
		t.Fatal("unused one-time prekey was removed")
	}
	alice.recv(t, bob, bob.send(t, alice, "ok"))
	assertAgree(t, alice, bob)
}

func TestUnknownPreKey(t *testing.T) {
	alice, bob := setup(t, true)
	m := alice.send(t, bob, "hi")
	bob.store.RemovePreKey(context.Background(), 100)
	_, err := bob.tryRecv(alice, m)
	mustErr(t, err, ErrUnknownPreKey, "removed one-time prekey")
	if r, _ := bob.store.LoadSession(context.Background(), alice.addr); r != nil {
		t.Fatal("failed prekey message made a session")
	}
	if _, ok := bob.store.Identity(alice.addr); ok {
		t.Fatal("failed prekey message pinned an identity")
	}
}

func TestUntrustedIdentity(t *testing.T) {
	alice, bob := setup(t, true)
	bob.recv(t, alice, alice.send(t, bob, "hi"))

	// Bob reinstalls: a new identity under the same address.
	bob2 := newParty(t, "bob", 3333)
	err := ProcessPreKeyBundle(context.Background(), alice.store, bob2.addr, bob2.bundle(t, true), rand.Reader)
	mustErr(t, err, ErrUntrustedIdentity, "bundle with a new identity")
	var ue *UntrustedIdentityError
	if !asUntrusted(err, &ue) || ue.Key != bob2.store.IdentityKeyPair(context.Background()).PublicKey() || ue.Address != bob2.addr {
		t.Fatalf("error does not carry the address and key: %v", err)
	}
	// The user accepts the new key.
	if err := alice.store.SaveIdentity(context.Background(), bob2.addr, ue.Key); err != nil {
		t.Fatal(err)
	}
	if err := ProcessPreKeyBundle(context.Background(), alice.store, bob2.addr, bob2.bundle(t, true), rand.Reader); err != nil {
		t.Fatal(err)
	}
	bob2.recv(t, alice, alice.send(t, bob2, "hello new bob"))

	// A new identity arriving in a PreKey message is refused too, and
	// changes nothing.
	carol := newParty(t, "carol", 4444)
	carolImpostor := newParty(t, "alice", 5555)
	if err := ProcessPreKeyBundle(context.Background(), carolImpostor.store, carol.addr, carol.bundle(t, true), rand.Reader); err != nil {
		t.Fatal(err)
	}
	if err := carol.store.TrustIdentity(context.Background(), alice.addr, alice.store.IdentityKeyPair(context.Background()).PublicKey()); err != nil {
		t.Fatal(err)
	}
	m := carolImpostor.send(t, carol, "I am alice")
	_, err = carol.tryRecv(carolImpostor, m)
	mustErr(t, err, ErrUntrustedIdentity, "prekey message with a new identity")
	if r, _ := carol.store.LoadSession(context.Background(), alice.addr); r != nil {
		t.Fatal("refused identity made a session")
	}
	if _, err := carol.store.LoadPreKey(context.Background(), 100); err != nil {
		t.Fatal("refused identity used up the one-time prekey")
	}
}

func asUntrusted(err error, target **UntrustedIdentityError) bool {
	u, ok := err.(*UntrustedIdentityError)
	if ok {
		*target = u
	}
	return ok
}

func TestBadSignature(t *testing.T) {
	alice := newParty(t, "alice", 1)
	bob := newParty(t, "bob", 2)
	b := bob.bundle(t, true)
	b.SignedPreKeySignature[0] ^= 1
	err := ProcessPreKeyBundle(context.Background(), alice.store, bob.addr, b, rand.Reader)
	mustErr(t, err, ErrBadSignature, "bad signature")
	if _, ok := alice.store.Identity(bob.addr); ok {
		t.Fatal("bad signature pinned an identity")
	}
}
