//go:build !(js && wasm)

package crypto

import "filippo.io/edwards25519"

// verifyEquation: natively filippo.io/edwards25519 (64-bit limbs, tables
// tuned for it) is the faster.
func (k PublicKey) verifyEquation(msg, r []byte, sign byte, s *edwards25519.Scalar) bool {
	return k.verifyEquationEdwards25519(msg, r, sign, s)
}
