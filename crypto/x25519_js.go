//go:build js && wasm

package crypto

import (
	"io"

	"filippo.io/edwards25519"
)

// In wasm, crypto/ecdh's X25519 spends its time emulating 64x64-bit
// multiplications. The ten-limb ladder of x25519_ladder.go needs only
// products wasm has natively and measures about 1.7x faster here; public
// keys come from edwards25519's fixed-base tables, about 3x faster than a
// ladder. Both are checked against crypto/ecdh in the tests.

// generateKeyPair draws 32 bytes from rand, exactly as GenerateKey does.
func generateKeyPair(rand io.Reader) (keyPair, error) {
	var k keyPair
	if _, err := io.ReadFull(rand, k.scalar[:]); err != nil {
		return keyPair{}, err
	}
	clampScalar(&k.scalar)
	s, err := edwards25519.NewScalar().SetBytesWithClamping(k.scalar[:])
	if err != nil {
		return keyPair{}, ErrBadKey
	}
	copy(k.pub[:], new(edwards25519.Point).ScalarBaseMult(s).BytesMontgomery())
	return k, nil
}

// dh computes X25519 of k and pub.
func (k *keyPair) dh(pub PublicKey) ([32]byte, error) {
	var out [32]byte
	x25519Ladder(&out, &k.scalar, (*[32]byte)(&pub))
	return out, dhResult(&out)
}

// dhLongTerm computes X25519 of a long-lived key and pub.
func dhLongTerm(p *PrivateKey, pub PublicKey) ([32]byte, error) {
	var s [32]byte
	copy(s[:], p.Bytes())
	var out [32]byte
	x25519Ladder(&out, &s, (*[32]byte)(&pub))
	return out, dhResult(&out)
}
