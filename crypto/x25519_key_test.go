package crypto

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"sambung/crypto/internal/curve25519/curvetest"
)

// TestPrivateKeyMatchesECDH checks this platform's PrivateKey (crypto/ecdh
// natively, the ladder and fixed-base tables under js/wasm) against
// crypto/ecdh itself: public keys, Diffie-Hellman, and the refusal of
// low-order points.
func TestPrivateKeyMatchesECDH(t *testing.T) {
	for i := range 200 {
		var raw [32]byte
		rand.Read(raw[:])
		if i == 0 {
			raw = curvetest.RFC7748[0].Scalar
		}
		p, err := NewPrivateKey(raw[:])
		if err != nil {
			t.Fatal(err)
		}
		if pub, want := p.PublicKey(), curvetest.PublicKey(t, raw); pub != want {
			t.Fatalf("public key of %x: %x, crypto/ecdh says %x", raw, pub, want)
		}

		var peer PublicKey
		rand.Read(peer[:])
		if i == 0 {
			peer = curvetest.RFC7748[0].U
		}
		got, err := p.DH(peer)
		if err != nil {
			t.Fatal(err)
		}
		if want := curvetest.ECDH(t, raw, peer); got != want {
			t.Fatalf("DH(%x, %x) = %x, crypto/ecdh says %x", raw, peer, got, want)
		}
		if i == 0 && got != curvetest.RFC7748[0].Out {
			t.Fatalf("RFC 7748 vector: got %x", got)
		}
	}
}

func TestPrivateKeyDHLowOrder(t *testing.T) {
	p := mustKey(t)
	for _, u := range curvetest.LowOrder {
		out, err := p.DH(u)
		if !errors.Is(err, ErrBadKey) {
			t.Errorf("low-order %x: err %v, want ErrBadKey", u, err)
		}
		if out != ([32]byte{}) {
			t.Errorf("low-order %x: returned %x", u, out)
		}
	}
}

// TestPrivateKeyBytesIsACopy: callers (XEdDSA signing) clear what Bytes
// returns; the key must not change.
func TestPrivateKeyBytesIsACopy(t *testing.T) {
	p := mustKey(t)
	b := p.Bytes()
	want := bytes.Clone(b)
	clear(b)
	if !bytes.Equal(p.Bytes(), want) {
		t.Fatal("clearing Bytes() changed the key")
	}
	if want[0]&7 != 0 || want[31]&0xc0 != 0x40 {
		t.Fatalf("stored scalar %x is not clamped", want)
	}
	q, err := NewPrivateKey(want)
	if err != nil || q.PublicKey() != p.PublicKey() {
		t.Fatal("Bytes() does not round-trip through NewPrivateKey")
	}
}

// BenchmarkX25519GenerateKey is GenerateKey: 32 random bytes and the public
// key.
func BenchmarkX25519GenerateKey(b *testing.B) {
	for b.Loop() {
		if _, err := GenerateKey(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "ops/s")
}

// BenchmarkX25519DH is PrivateKey.DH.
func BenchmarkX25519DH(b *testing.B) {
	k, peer := mustKey(b), mustKey(b).PublicKey()
	for b.Loop() {
		if _, err := k.DH(peer); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "ops/s")
}
