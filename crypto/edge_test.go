package crypto

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

// established returns Alice and Bob after one message each way, so both have
// a sending and a receiving chain.
func established(tb testing.TB) (alice, bob *party) {
	tb.Helper()
	alice, bob = setup(tb, true)
	bob.recv(tb, alice, alice.send(tb, bob, "hi"))
	alice.recv(tb, bob, bob.send(tb, alice, "hi back"))
	return alice, bob
}

// skipSending moves p's sending chain n messages on without sending them, as
// if they were lost.
func skipSending(tb testing.TB, p, q *party, n int) {
	st := p.current(tb, q)
	var k kdf
	for i := 0; i < n; i++ {
		st.sendChain = st.sendChain.next(&k)
		st.sendIndex++
	}
}

func TestMaxGap(t *testing.T) {
	alice, bob := established(t)
	before := alice.send(t, bob, "before the gap")
	skipSending(t, alice, bob, MaxForwardJump-1)
	// Bob expects counter 1; this one is MaxForwardJump past it: accepted.
	atLimit := alice.send(t, bob, "at the limit")
	bob.recv(t, alice, atLimit)
	recv := bob.current(t, alice).receivers
	if n := len(recv[len(recv)-1].skipped); n != MaxSkippedKeysPerChain {
		t.Fatalf("kept %d skipped keys, want %d", n, MaxSkippedKeysPerChain)
	}
	// Counter 1 fell out of the window of kept keys.
	_, err := bob.tryRecv(alice, before)
	mustErr(t, err, ErrDuplicateMessage, "message older than the kept keys")

	skipSending(t, alice, bob, MaxForwardJump+1)
	tooFar := alice.send(t, bob, "too far")
	rec := bob.record(t, alice)
	_, err = bob.tryRecv(alice, tooFar)
	mustErr(t, err, ErrTooFarInFuture, "one past the limit")
	if !bytes.Equal(rec, bob.record(t, alice)) {
		t.Fatal("a message too far ahead changed the record")
	}
}

func TestSkippedKeyWindow(t *testing.T) {
	alice, bob := established(t)
	var ms []wireMsg
	for i := 0; i < 5; i++ {
		ms = append(ms, alice.send(t, bob, msgText(i)))
	}
	skipSending(t, alice, bob, 2000)
	bob.recv(t, alice, alice.send(t, bob, "far"))
	// Counters 1..5 are 2001..2005 behind: outside the 2000 kept keys.
	for i := range ms {
		if _, err := bob.tryRecv(alice, ms[i]); !errors.Is(err, ErrDuplicateMessage) {
			t.Fatalf("message %d: %v", i, err)
		}
	}
}

func TestSkippedKeysPerSession(t *testing.T) {
	st := &sessionState{}
	for c := 0; c < 3; c++ {
		var ch receiverChain
		ch.ratchetKey[0] = byte(c)
		for i := 0; i < MaxSkippedKeysPerChain; i++ {
			ch.skipped = append(ch.skipped, skippedKey{index: uint32(i)})
		}
		ch.index = MaxSkippedKeysPerChain
		st.receivers = append(st.receivers, ch)
	}
	st.enforceLimits()
	if n := st.skippedTotal(); n != MaxSkippedKeysPerSession {
		t.Fatalf("%d skipped keys kept, want %d", n, MaxSkippedKeysPerSession)
	}
	if len(st.receivers[0].skipped) != 0 || len(st.receivers[1].skipped) != MaxSkippedKeysPerChain {
		t.Fatal("keys were not dropped from the oldest chain first")
	}
	if len(st.receivers[2].skipped) != MaxSkippedKeysPerChain {
		t.Fatal("newest chain lost keys first")
	}
}

func TestReceiverChainLimit(t *testing.T) {
	alice, bob := established(t)
	var old []wireMsg
	for turn := 0; turn < MaxReceiverChains+1; turn++ {
		old = append(old, bob.send(t, alice, msgText(turn)))
		bob.send(t, alice, "delivered") // keeps the chain open for later
		alice.recv(t, bob, bob.send(t, alice, "turn"))
		bob.recv(t, alice, alice.send(t, bob, "turn back"))
	}
	if n := len(alice.current(t, bob).receivers); n != MaxReceiverChains {
		t.Fatalf("%d receiver chains, want %d", n, MaxReceiverChains)
	}
	// The oldest chain was dropped; the newer ones still decrypt.
	_, err := alice.tryRecv(bob, old[0])
	mustErr(t, err, ErrInvalidMessage, "message on a dropped chain")
	for _, m := range old[2:] {
		alice.recv(t, bob, m)
	}
}

func TestFailedDecryptChangesNothing(t *testing.T) {
	alice, bob := established(t)
	m1, m2 := bob.send(t, alice, "m1"), bob.send(t, alice, "m2")
	alice.recv(t, bob, m2) // m1's key is now a skipped key
	bob.recv(t, alice, alice.send(t, bob, "turn"))
	n1, n2, n3 := bob.send(t, alice, "n1"), bob.send(t, alice, "n2"), bob.send(t, alice, "n3")
	_ = n2

	flipMAC := func(m wireMsg) wireMsg {
		b := bytes.Clone(m.body)
		b[len(b)-1] ^= 0x80
		return wireMsg{t: m.t, body: b}
	}
	flipCiphertext := func(m wireMsg) wireMsg {
		b := bytes.Clone(m.body)
		b[len(b)-macSize-3] ^= 0x01
		return wireMsg{t: m.t, body: b}
	}
	fails := func(name string, m wireMsg, rnd io.Reader) {
		t.Helper()
		before := alice.record(t, bob)
		ident, _ := alice.store.Identity(bob.addr)
		if _, err := Decrypt(context.Background(), alice.store, bob.addr, m.t, m.body, rnd); err == nil {
			t.Fatalf("%s: decrypted", name)
		}
		if !bytes.Equal(before, alice.record(t, bob)) {
			t.Fatalf("%s: the record changed", name)
		}
		if now, _ := alice.store.Identity(bob.addr); now != ident {
			t.Fatalf("%s: the identity changed", name)
		}
	}
	fails("bad MAC on a new chain (ratchet step)", flipMAC(n1), rand.Reader)
	fails("bad ciphertext on a new chain", flipCiphertext(n1), rand.Reader)
	alice.recv(t, bob, n1)
	fails("bad MAC ahead on a known chain", flipMAC(n3), rand.Reader)
	fails("bad MAC with a skipped key", flipMAC(m1), rand.Reader)
	fails("duplicate", n1, rand.Reader)
	fails("garbage", wireMsg{t: MessageTypeSignal, body: []byte("\x33garbage garbage")}, rand.Reader)
	fails("garbage prekey message", wireMsg{t: MessageTypePreKey, body: []byte("\x33garbage garbage")}, rand.Reader)
	fails("unknown type", wireMsg{t: 9, body: n3.body}, rand.Reader)

	// A PreKey message from a new identity at Bob's address with a bad MAC.
	impostor := newParty(t, "bob", 9999)
	if err := ProcessPreKeyBundle(context.Background(), impostor.store, alice.addr, alice.bundle(t, true), rand.Reader); err != nil {
		t.Fatal(err)
	}
	fails("prekey message with a bad MAC", flipMAC(impostor.send(t, alice, "x")), rand.Reader)
	if _, err := alice.store.LoadPreKey(context.Background(), 100); err != nil {
		t.Fatal("failed prekey message used up the one-time prekey")
	}

	skipSending(t, bob, alice, MaxForwardJump+5)
	fails("too far", bob.send(t, alice, "far"), rand.Reader)

	// A valid message that turns the ratchet, with rand failing: nothing
	// changes, and it decrypts later.
	bob.recv(t, alice, alice.send(t, bob, "turn again"))
	p1 := bob.send(t, alice, "p1")
	fails("rand failing during the ratchet step", p1, &scriptedRand{})
	alice.recv(t, bob, p1)
	alice.recv(t, bob, m1)
	alice.recv(t, bob, n3)
}

func TestMessageTooLarge(t *testing.T) {
	alice, bob := established(t)
	_, _, err := Encrypt(context.Background(), alice.store, bob.addr, make([]byte, MaxPlaintextSize+1))
	mustErr(t, err, ErrMessageTooLarge, "plaintext over the limit")
	_, err = Decrypt(context.Background(), alice.store, bob.addr, MessageTypeSignal, make([]byte, MaxMessageSize+1), rand.Reader)
	mustErr(t, err, ErrMessageTooLarge, "ciphertext over the limit")
	big := alice.send(t, bob, string(make([]byte, MaxPlaintextSize)))
	bob.recv(t, alice, big)
}

func TestNoSession(t *testing.T) {
	alice, bob := newParty(t, "alice", 1), newParty(t, "bob", 2)
	_, _, err := Encrypt(context.Background(), alice.store, bob.addr, []byte("x"))
	mustErr(t, err, ErrNoSession, "encrypt without a session")
	a2, b2 := established(t)
	m := b2.send(t, a2, "for someone else")
	_, err = Decrypt(context.Background(), alice.store, bob.addr, m.t, m.body, rand.Reader)
	mustErr(t, err, ErrNoSession, "decrypt without a session")
}

func TestLibsignalNodeWhisperType(t *testing.T) {
	alice, bob := established(t)
	m := bob.send(t, alice, "typed 1 by libsignal-node")
	m.t = messageTypeWhisper
	alice.recv(t, bob, m)
}
