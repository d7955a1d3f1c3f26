//go:build js && wasm

package crypto

import (
	"filippo.io/edwards25519"

	"sambung/crypto/internal/curve25519"
)

// Under js/wasm curve25519's ten-limb field, whose limb products wasm
// multiplies natively, is about twice as fast as filippo.io/edwards25519's
// (docs/PERFORMANCE.md, "X25519 under wasm").

// basepointMul is the encoding of s·B, from curve25519's fixed-base tables
// (the ones public keys come from).
func basepointMul(s *edwards25519.Scalar) [32]byte {
	k := [32]byte(s.Bytes())
	var p curve25519.Point
	enc := p.ScalarBaseMult(&k).Bytes()
	clear(k[:])
	return enc
}

func (k PublicKey) verifyEquation(msg, r []byte, sign byte, s *edwards25519.Scalar) bool {
	return k.verifyEquationField(msg, r, sign, s)
}
