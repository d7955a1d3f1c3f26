package crypto

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"errors"
	"testing"
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
			raw = hex32(t, rfc7748Vectors[0].scalar)
		}
		p, err := NewPrivateKey(raw[:])
		if err != nil {
			t.Fatal(err)
		}
		ref, err := ecdh.X25519().NewPrivateKey(raw[:])
		if err != nil {
			t.Fatal(err)
		}
		pub := p.PublicKey()
		if !bytes.Equal(pub[:], ref.PublicKey().Bytes()) {
			t.Fatalf("public key of %x: %x, crypto/ecdh says %x", raw, pub, ref.PublicKey().Bytes())
		}

		var peer PublicKey
		rand.Read(peer[:])
		if i == 0 {
			peer = hex32(t, rfc7748Vectors[0].u)
		}
		got, err := p.DH(peer)
		if err != nil {
			t.Fatal(err)
		}
		if want := ecdhX25519(t, raw, peer); got != want {
			t.Fatalf("DH(%x, %x) = %x, crypto/ecdh says %x", raw, peer, got, want)
		}
		if i == 0 && got != hex32(t, rfc7748Vectors[0].out) {
			t.Fatalf("RFC 7748 vector: got %x", got)
		}
	}
}

func TestPrivateKeyDHLowOrder(t *testing.T) {
	p := mustKey(t)
	for _, s := range lowOrderU {
		out, err := p.DH(hex32(t, s))
		if !errors.Is(err, ErrBadKey) {
			t.Errorf("low-order %s: err %v, want ErrBadKey", s, err)
		}
		if out != ([32]byte{}) {
			t.Errorf("low-order %s: returned %x", s, out)
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
