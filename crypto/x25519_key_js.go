//go:build js && wasm

package crypto

import (
	"crypto/subtle"

	"filippo.io/edwards25519"
)

// x25519Key is a PrivateKey's secret in the form X25519 runs fastest on this
// platform. Under js/wasm, crypto/ecdh's field emulates 64×64→128-bit
// products, so the key is the bare scalar: Diffie-Hellman runs the ten-limb
// ladder (x25519ScalarMult) and the public key comes from edwards25519's
// fixed-base tables, each about twice as fast as crypto/ecdh there. WebCrypto
// was measured too and loses once its promises and key imports are counted
// (docs/PERFORMANCE.md, "X25519 under wasm").
type x25519Key struct{ scalar [PrivateKeySize]byte }

// newX25519Key keeps the clamped scalar s and computes its public key.
func newX25519Key(s *[PrivateKeySize]byte) (x25519Key, PublicKey, error) {
	k := x25519Key{scalar: *s}
	return k, x25519PublicKey(&k.scalar), nil
}

// x25519PublicKey is X25519(s, 9) for a clamped scalar s, computed as the
// Edwards point s·B mapped to its Montgomery u: B corresponds to u = 9, and
// the fixed-base tables make this about 1.5× faster than the ladder. It runs
// in constant time (edwards25519's table lookups are by mask).
func x25519PublicKey(s *[PrivateKeySize]byte) PublicKey {
	var pub PublicKey
	sc, err := edwards25519.NewScalar().SetBytesWithClamping(s[:])
	if err != nil {
		panic("crypto: 32-byte scalar rejected") // cannot happen: s is 32 bytes
	}
	copy(pub[:], new(edwards25519.Point).ScalarBaseMult(sc).BytesMontgomery())
	return pub
}

// Bytes returns a copy of the clamped scalar.
func (k *x25519Key) Bytes() []byte {
	b := make([]byte, PrivateKeySize)
	copy(b, k.scalar[:])
	return b
}

// dh is X25519 with the peer's public key, refusing an all-zero result (a
// low-order pub) as crypto/ecdh does.
func (k *x25519Key) dh(pub *PublicKey) ([32]byte, error) {
	var out [32]byte
	x25519ScalarMult(&out, &k.scalar, (*[32]byte)(pub))
	if subtle.ConstantTimeCompare(out[:], make([]byte, 32)) == 1 {
		return out, ErrBadKey
	}
	return out, nil
}
