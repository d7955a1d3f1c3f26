package crypto

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
)

func FuzzDecodeSignalMessage(f *testing.F) { signalFormat.fuzz(f, "signal") }

func FuzzDecodePreKeySignalMessage(f *testing.F) { preKeyFormat.fuzz(f, "prekey") }

// recordSeeds are serialised records from a short walk: a pending session,
// skipped keys, a previous session.
func recordSeeds(tb testing.TB) [][]byte {
	alice, bob := setup(tb, true)
	var seeds [][]byte
	first := alice.send(tb, bob, "first")
	seeds = append(seeds, alice.record(tb, bob))
	bob.recv(tb, alice, first)
	bob.send(tb, alice, "skipped")
	alice.recv(tb, bob, bob.send(tb, alice, "ahead"))
	seeds = append(seeds, alice.record(tb, bob), bob.record(tb, alice))
	if err := ProcessPreKeyBundle(context.Background(), alice.store, bob.addr, bob.bundle(tb, false), rand.Reader); err != nil {
		tb.Fatal(err)
	}
	seeds = append(seeds, alice.record(tb, bob))
	var empty SessionRecord
	b, _ := empty.MarshalBinary()
	return append(seeds, b)
}

func FuzzSessionRecord(f *testing.F) {
	for _, s := range recordSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var r SessionRecord
		if err := r.UnmarshalBinary(b); err != nil {
			return
		}
		re, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(re, b) {
			t.Fatalf("round trip changed the bytes\nin  %x\nout %x", b, re)
		}
	})
}

// FuzzDecrypt feeds arbitrary bytes to a live session: Decrypt never
// panics, and when it fails it changes neither record. The seeds are real
// messages (which do decrypt) and mangled copies.
func FuzzDecrypt(f *testing.F) {
	alice, bob := established(f)
	skipped := bob.send(f, alice, "skipped")
	ahead := bob.send(f, alice, "ahead")
	alice.recv(f, bob, ahead)
	bob.recv(f, alice, alice.send(f, bob, "turn"))
	newChain := bob.send(f, alice, "new chain")
	carol := newParty(f, "bob", 77)
	if err := ProcessPreKeyBundle(context.Background(), carol.store, alice.addr, alice.bundle(f, true), rand.Reader); err != nil {
		f.Fatal(err)
	}
	pre := carol.send(f, alice, "prekey")
	for _, m := range []wireMsg{skipped, ahead, newChain, pre} {
		f.Add(uint8(m.t), m.body)
		bad := bytes.Clone(m.body)
		bad[len(bad)/2] ^= 0x10
		f.Add(uint8(m.t), bad)
		f.Add(uint8(MessageTypeSignal+MessageTypePreKey-m.t), m.body)
	}
	recBytes := alice.record(f, bob)
	idBefore, _ := alice.store.Identity(bob.addr)

	f.Fuzz(func(t *testing.T, typ uint8, body []byte) {
		// A fresh copy of Alice for every input.
		var r SessionRecord
		if err := r.UnmarshalBinary(recBytes); err != nil {
			t.Fatal(err)
		}
		st := NewMemoryStore(alice.store.IdentityKeyPair(context.Background()), alice.store.LocalRegistrationID(context.Background()))
		st.AddSignedPreKey(1, mustLoad(alice.store.LoadSignedPreKey(context.Background(), 1)))
		st.AddPreKey(100, mustLoad(alice.store.LoadPreKey(context.Background(), 100)))
		st.SaveIdentity(context.Background(), bob.addr, idBefore)
		st.StoreSession(context.Background(), bob.addr, &r)
		_, err := Decrypt(context.Background(), st, bob.addr, MessageType(typ), body, rand.Reader)
		if err == nil {
			return
		}
		after, _ := st.LoadSession(context.Background(), bob.addr)
		got, _ := after.MarshalBinary()
		if !bytes.Equal(got, recBytes) {
			t.Fatalf("failed decrypt (%v) changed the record", err)
		}
		if id, _ := st.Identity(bob.addr); id != idBefore {
			t.Fatal("failed decrypt changed the identity")
		}
		if _, err := st.LoadPreKey(context.Background(), 100); err != nil {
			t.Fatal("failed decrypt removed the one-time prekey")
		}
	})
}

func mustLoad(k *PrivateKey, err error) *PrivateKey {
	if err != nil {
		panic(err)
	}
	return k
}
