package crypto

import (
	"crypto/subtle"

	"filippo.io/edwards25519"

	"sambung/crypto/internal/curve25519"
)

// verifyEquationField is verifyEquationEdwards25519 (xeddsa.go) on
// curve25519's ten-limb field, which wasm runs about twice as fast as
// filippo.io/edwards25519 (whose 51-bit limbs it has to emulate); natively
// that package is the faster one. The two must accept exactly the same
// signatures: the tests compare them on vectors, mutations and fuzzed
// input.
func (k PublicKey) verifyEquationField(msg, r []byte, sign byte, s *edwards25519.Scalar) bool {
	u := [32]byte(k)
	var pubA curve25519.Point
	encA, ok := pubA.SetMontgomery(&u, int(sign>>7)) // convert_mont(u), sign supplied
	if !ok {
		return false
	}
	h := challenge(r, encA[:], msg)

	// Rcheck = sB - hA; everything here is public, so variable time is fine.
	hBytes, sBytes := [32]byte(h.Bytes()), [32]byte(s.Bytes())
	var minusA, check curve25519.Point
	check.VarTimeDoubleScalarBaseMult(&hBytes, minusA.Negate(&pubA), &sBytes)
	rCheck := check.Bytes()
	return subtle.ConstantTimeCompare(rCheck[:], r) == 1
}
