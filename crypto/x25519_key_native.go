//go:build !(js && wasm)

package crypto

import "crypto/ecdh"

// x25519Key is a PrivateKey's secret in the form X25519 runs fastest on this
// platform. Natively that is crypto/ecdh (64-bit limbs, assembly on some
// architectures): about twice as fast as the ten-limb ladder here.
type x25519Key struct{ ecdh *ecdh.PrivateKey }

// newX25519Key parses the clamped scalar s and computes its public key.
func newX25519Key(s *[PrivateKeySize]byte) (x25519Key, PublicKey, error) {
	var pub PublicKey
	k, err := ecdh.X25519().NewPrivateKey(s[:])
	if err != nil {
		return x25519Key{}, pub, ErrBadKey
	}
	copy(pub[:], k.PublicKey().Bytes())
	return x25519Key{ecdh: k}, pub, nil
}

// Bytes returns a copy of the clamped scalar.
func (k *x25519Key) Bytes() []byte { return k.ecdh.Bytes() }

// dh is X25519 with the peer's public key; crypto/ecdh refuses an all-zero
// result.
func (k *x25519Key) dh(pub *PublicKey) ([32]byte, error) {
	var out [32]byte
	pk, err := ecdh.X25519().NewPublicKey(pub[:])
	if err != nil {
		return out, ErrBadKey
	}
	s, err := k.ecdh.ECDH(pk)
	if err != nil {
		return out, ErrBadKey
	}
	copy(out[:], s)
	return out, nil
}
