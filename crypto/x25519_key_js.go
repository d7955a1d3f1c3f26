//go:build js && wasm

package crypto

import (
	"crypto/subtle"

	"sambung/crypto/internal/curve25519"
)

// x25519Key is a PrivateKey's secret in the form X25519 runs fastest on this
// platform. Under js/wasm, crypto/ecdh's field emulates 64×64→128-bit
// products, so the key is the bare scalar: Diffie-Hellman runs the ten-limb
// ladder (curve25519.ScalarMult, about 2× crypto/ecdh there) and the public
// key comes from fixed-base tables over the same field
// (curve25519.ScalarBaseMult, about 4×
// crypto/ecdh, 1.4× filippo.io/edwards25519's tables). WebCrypto was
// measured too and loses once its promises and key imports are counted
// (docs/PERFORMANCE.md, "X25519 under wasm").
type x25519Key struct{ scalar [PrivateKeySize]byte }

// newX25519Key keeps the clamped scalar s and computes its public key.
func newX25519Key(s *[PrivateKeySize]byte) (x25519Key, PublicKey, error) {
	k := x25519Key{scalar: *s}
	var pub PublicKey
	curve25519.ScalarBaseMult((*[32]byte)(&pub), &k.scalar)
	return k, pub, nil
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
	curve25519.ScalarMult(&out, &k.scalar, (*[32]byte)(pub))
	if subtle.ConstantTimeCompare(out[:], make([]byte, 32)) == 1 {
		return out, ErrBadKey
	}
	return out, nil
}
