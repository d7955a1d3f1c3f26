//go:build js && wasm

package crypto

import "filippo.io/edwards25519"

// verifyEquation: under js/wasm this package's field, whose limb products
// wasm multiplies natively, is about twice as fast (docs/PERFORMANCE.md,
// "X25519 under wasm").
func (k PublicKey) verifyEquation(msg, r []byte, sign byte, s *edwards25519.Scalar) bool {
	return k.verifyEquationField(msg, r, sign, s)
}
