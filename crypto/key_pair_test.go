package crypto

import (
	"crypto/rand"
	"testing"
)

// TestKeyPair checks keyPair against a PrivateKey made from the same scalar
// and against crypto/ecdh.
func TestKeyPair(t *testing.T) {
	for i := 0; i < 50; i++ {
		a, err := generateKeyPair(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if !isClamped(&a.scalar) {
			t.Fatal("scalar not clamped")
		}
		pa, err := NewPrivateKey(a.scalar[:])
		if err != nil || pa.PublicKey() != a.pub {
			t.Fatalf("public key %x, crypto/ecdh says %x", a.pub, pa.PublicKey())
		}
		b := mustKey(t)
		got, err := a.dh(b.PublicKey())
		want, _ := b.DH(a.pub)
		if err != nil || got != want {
			t.Fatal("keyPair.dh disagrees with crypto/ecdh")
		}
		loaded := keyPair{scalar: a.scalar, pub: a.pub}
		if got, err := loaded.dh(b.PublicKey()); err != nil || got != want {
			t.Fatal("a loaded keyPair disagrees")
		}
	}
	// Same draws from rand as GenerateKey, so scripted randomness lines up.
	seed := bytes32(7)
	a, _ := generateKeyPair(&scriptedRand{b: seed[:]})
	p, _ := GenerateKey(&scriptedRand{b: seed[:]})
	if a.pub != p.PublicKey() {
		t.Fatal("generateKeyPair and GenerateKey differ on the same bytes")
	}
	a, _ = generateKeyPair(rand.Reader)
	var lowOrder PublicKey // u = 0
	if _, err := a.dh(lowOrder); err != ErrBadKey {
		t.Fatalf("low-order point: %v", err)
	}
}

func bytes32(b byte) (out [32]byte) {
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}
