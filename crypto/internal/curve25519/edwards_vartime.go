package curve25519

import (
	"encoding/binary"
	"math/bits"
	"sync"
)

// Variable-time double-scalar multiplication, h·A + s·B, for verifying
// signatures: everything it touches is public (the key, the signature, the
// message's hash), so it may branch on the scalars' digits. Both scalars are
// written in width-w non-adjacent form, and one run of doublings serves both.

// Widths of the non-adjacent forms: for A, whose odd multiples are made per
// call, 5 (8 multiples, a digit every 6 bits or so); for B, whose multiples
// are a table built once, 8 (64 multiples, a digit every 9 bits).
const (
	nafWidthA = 5
	nafWidthB = 8
)

// addAffineSigned sets p = q + c, or q - c when negate is set.
func (p *Point) addAffineSigned(q *Point, c *affineCached, negate bool) {
	if negate {
		var minusC affineCached
		minusC.negate(c)
		c = &minusC
	}
	p.addAffine(q, c)
}

// nonAdjacentForm returns the width-w NAF of the little-endian scalar s,
// which must be below 2^255: s = Σ naf[i]·2^i with every digit odd or zero,
// within (-2^(w-1), 2^(w-1)), and at most one nonzero in any w in a row.
func nonAdjacentForm(s *[32]byte, w uint) [256]int8 {
	var x [5]uint64 // the top word takes a carry from a negative digit
	for i := range 4 {
		x[i] = binary.LittleEndian.Uint64(s[8*i:])
	}
	var naf [256]int8
	width := uint64(1) << w
	for i := range naf {
		if x[0]&1 == 1 {
			d := x[0] & (width - 1)
			var borrow, carry uint64
			if d < width/2 {
				naf[i] = int8(d)
				x[0], borrow = bits.Sub64(x[0], d, 0)
				for j := 1; j < 5; j++ {
					x[j], borrow = bits.Sub64(x[j], 0, borrow)
				}
			} else {
				naf[i] = int8(int64(d) - int64(width))
				x[0], carry = bits.Add64(x[0], width-d, 0)
				for j := 1; j < 5; j++ {
					x[j], carry = bits.Add64(x[j], 0, carry)
				}
			}
		}
		for j := range 4 {
			x[j] = x[j]>>1 | x[j+1]<<63
		}
		x[4] >>= 1
	}
	return naf
}

var (
	oddBasepointsOnce sync.Once
	oddBasepointTable *[1 << (nafWidthB - 2)]affineCached
)

// oddBasepoints returns B, 3B, 5B, …, 127B as table entries, built on first
// use.
func oddBasepoints() *[1 << (nafWidthB - 2)]affineCached {
	oddBasepointsOnce.Do(func() {
		var points [1 << (nafWidthB - 2)]Point
		var twoB Point
		twoB.double(&edwardsBase)
		points[0] = edwardsBase
		for i := 1; i < len(points); i++ {
			points[i].add(&points[i-1], &twoB)
		}
		t := new([1 << (nafWidthB - 2)]affineCached)
		batchToAffine(t[:], points[:])
		oddBasepointTable = t
	})
	return oddBasepointTable
}

// VarTimeDoubleScalarBaseMult sets p = h·a + s·B, for little-endian scalars
// h and s below 2^255, in variable time, and returns p.
func (p *Point) VarTimeDoubleScalarBaseMult(h *[32]byte, a *Point, s *[32]byte) *Point {
	// a, 3a, 5a, …, 15a.
	var multiples [1 << (nafWidthA - 2)]projCached
	var twoA, next Point
	twoA.double(a)
	var twoACached projCached
	twoACached.fromPoint(&twoA)
	next = *a
	multiples[0].fromPoint(&next)
	for i := 1; i < len(multiples); i++ {
		next.addProj(&next, &twoACached, false)
		multiples[i].fromPoint(&next)
	}
	oddB := oddBasepoints()

	nafH := nonAdjacentForm(h, nafWidthA)
	nafS := nonAdjacentForm(s, nafWidthB)
	top := len(nafH) - 1
	for top >= 0 && nafH[top] == 0 && nafS[top] == 0 {
		top--
	}
	p.identity()
	for i := top; i >= 0; i-- {
		dh, ds := nafH[i], nafS[i]
		// T is read only by the additions.
		p.doubleWithT(p, dh != 0 || ds != 0)
		switch {
		case dh > 0:
			p.addProj(p, &multiples[dh/2], false)
		case dh < 0:
			p.addProj(p, &multiples[-dh/2], true)
		}
		switch {
		case ds > 0:
			p.addAffineSigned(p, &oddB[ds/2], false)
		case ds < 0:
			p.addAffineSigned(p, &oddB[-ds/2], true)
		}
	}
	return p
}
