package crypto

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"testing"
)

// RFC 7748 section 5.2 vectors, then random inputs against crypto/ecdh.
func TestX25519Ladder(t *testing.T) {
	vectors := []struct{ k, u, out string }{
		{"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
			"e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
			"c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"},
		{"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
			"e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
			"95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"},
	}
	for i, v := range vectors {
		var k, u, out [32]byte
		copy(k[:], unhex(t, v.k))
		copy(u[:], unhex(t, v.u))
		x25519Ladder(&out, &k, &u)
		if hex.EncodeToString(out[:]) != v.out {
			t.Fatalf("vector %d: got %x", i, out)
		}
	}
	// RFC 7748's iterated test, 1000 rounds.
	var k, u [32]byte
	k[0], u[0] = 9, 9
	for i := 0; i < 1000; i++ {
		var out [32]byte
		x25519Ladder(&out, &k, &u)
		u, k = k, out
	}
	if hex.EncodeToString(k[:]) != "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51" {
		t.Fatalf("1000 iterations: got %x", k)
	}
	for i := 0; i < 300; i++ {
		var s, p [32]byte
		rand.Read(s[:])
		rand.Read(p[:])
		if i%3 == 0 {
			p[31] |= 0x80 // the top bit must be ignored
		}
		if i%7 == 0 {
			for j := range p {
				p[j] = 0xff // u >= p must be reduced
			}
			p[0] = byte(0xed + i%19)
			p[31] = 0x7f
		}
		var got [32]byte
		x25519Ladder(&got, &s, &p)
		priv, _ := ecdh.X25519().NewPrivateKey(s[:])
		pp := p
		pp[31] &= 0x7f
		pub, err := ecdh.X25519().NewPublicKey(pp[:])
		if err != nil {
			t.Fatal(err)
		}
		want, err := priv.ECDH(pub)
		if err != nil {
			if got != ([32]byte{}) {
				t.Fatalf("case %d: low-order point gave %x", i, got)
			}
			continue
		}
		if hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
			t.Fatalf("case %d: X25519(%x, %x) = %x, crypto/ecdh says %x", i, s, p, got, want)
		}
	}
}

// TestKeyPair checks this platform's key generation and Diffie-Hellman
// against crypto/ecdh (through keys.go).
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
		got, err = dhLongTerm(b, a.pub)
		if err != nil || got != want {
			t.Fatal("dhLongTerm disagrees with crypto/ecdh")
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
	if _, err := dhLongTerm(mustKey(t), lowOrder); err != ErrBadKey {
		t.Fatalf("low-order point, long-term key: %v", err)
	}
}

func bytes32(b byte) (out [32]byte) {
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}
