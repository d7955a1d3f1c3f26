package crypto

import (
	"context"
	"crypto/rand"
	"testing"
)

// reportRate adds ops per second: messages/s for the steady benchmarks,
// setups/s for BenchmarkSessionSetup.
func reportRate(b *testing.B, unit string) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, unit)
	}
}

// BenchmarkSessionSetup: one op is Alice's ProcessPreKeyBundle, her first
// Encrypt and Bob's Decrypt of that PreKeySignalMessage. Every key either
// side holds before the setup (identities, Bob's signed and one-time prekey,
// the bundle's signature) is made once, outside the timer: those are made
// once per device, not per session. Fresh stores each op keep records from
// piling up.
func BenchmarkSessionSetup(b *testing.B) {
	aliceID := mustKey(b)
	bobParty := newParty(b, "bob", 2)
	bundle := bobParty.bundle(b, true)
	bobID := bobParty.store.IdentityKeyPair(context.Background())
	signed, _ := bobParty.store.LoadSignedPreKey(context.Background(), 1)
	oneTime, _ := bobParty.store.LoadPreKey(context.Background(), 100)
	aliceAddr := Address{Name: "alice", DeviceID: 1}
	bobAddr := Address{Name: "bob", DeviceID: 1}
	msg := make([]byte, 100)
	b.ReportAllocs()
	for b.Loop() {
		alice := NewMemoryStore(aliceID, 1)
		bob := NewMemoryStore(bobID, 2)
		bob.AddSignedPreKey(1, signed)
		bob.AddPreKey(100, oneTime)
		if err := ProcessPreKeyBundle(context.Background(), alice, bobAddr, bundle, rand.Reader); err != nil {
			b.Fatal(err)
		}
		t, ct, err := Encrypt(context.Background(), alice, bobAddr, msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Decrypt(context.Background(), bob, aliceAddr, t, ct, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "setups/s")
}

// benchSteady: one op is one 100-byte Encrypt and its Decrypt; with flip > 0
// the direction changes every flip messages, so the ratchet turns.
func benchSteady(b *testing.B, flip int) {
	alice, bob := established(b)
	msg := make([]byte, 100)
	from, to := alice, bob
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if flip > 0 && i%flip == 0 && i > 0 {
			from, to = to, from
		}
		i++
		t, ct, err := Encrypt(context.Background(), from.store, to.addr, msg)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Decrypt(context.Background(), to.store, from.addr, t, ct, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "msgs/s")
}

func BenchmarkSteadyAlternating(b *testing.B) { benchSteady(b, 10) }

func BenchmarkSteadyOneWay(b *testing.B) { benchSteady(b, 0) }
