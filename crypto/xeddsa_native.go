//go:build !(js && wasm)

package crypto

import "filippo.io/edwards25519"

// Natively filippo.io/edwards25519 (64-bit limbs, tables tuned for them) is
// the faster way to compute on edwards25519.

// basepointMul is the encoding of s·B.
func basepointMul(s *edwards25519.Scalar) [32]byte {
	return [32]byte(new(edwards25519.Point).ScalarBaseMult(s).Bytes())
}

func (k PublicKey) verifyEquation(msg, r []byte, sign byte, s *edwards25519.Scalar) bool {
	return k.verifyEquationEdwards25519(msg, r, sign, s)
}
