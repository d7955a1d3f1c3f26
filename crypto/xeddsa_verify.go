package crypto

import (
	"crypto/subtle"

	"filippo.io/edwards25519"
)

// verifyEquationField is verifyEquationEdwards25519 (xeddsa.go) on this
// package's field and Edwards code, which wasm runs about twice as fast as
// filippo.io/edwards25519 (whose 51-bit limbs it has to emulate); natively
// that package is the faster one. The two must accept exactly the same
// signatures: the tests compare them on vectors, mutations and fuzzed
// input.
func (k PublicKey) verifyEquationField(msg, r []byte, sign byte, s *edwards25519.Scalar) bool {
	// convert_mont(u): refuse u >= p (or bit 255 set) and u = -1, then
	// y = (u - 1) / (u + 1).
	var u, canonical [32]byte
	u = k
	var fu fieldElement
	fu.setBytes(&u)
	fu.bytes(&canonical)
	if canonical != u {
		return false
	}
	var one, num, den, zero fieldElement
	one.one()
	den.add(&fu, &one)
	if den.equal(&zero) == 1 {
		return false
	}
	num.sub(&fu, &one)
	den.invert(&den)
	var y fieldElement
	y.mul(&num, &den)

	var pubA edwardsPoint
	if !pubA.setY(&y, int(sign>>7)) {
		return false
	}
	// A's encoding, without encode's inversion: Z is 1.
	var encA [32]byte
	y.bytes(&encA)
	encA[31] |= byte(pubA.x.isNegative() << 7)
	h := challenge(r, encA[:], msg)

	// Rcheck = sB - hA, in variable time: all of it is public.
	var minusA, check edwardsPoint
	minusA.neg(&pubA)
	hBytes, sBytes := [32]byte(h.Bytes()), [32]byte(s.Bytes())
	check.varTimeDoubleBaseMult(&hBytes, &minusA, &sBytes)
	var encCheck [32]byte
	check.encode(&encCheck)
	return subtle.ConstantTimeCompare(encCheck[:], r) == 1
}
