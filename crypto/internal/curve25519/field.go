package curve25519

import (
	"crypto/subtle"
	"encoding/binary"
)

// fieldElement is an element of GF(2^255 - 19) in radix 2^25.5: ten signed
// limbs, limb i weighted 2^ceil(25.5·i), so that a reduced even limb holds 26
// bits and a reduced odd limb 25. The point of this shape is that the product
// of two limbs fits in 64 bits: wasm has a native 64-bit multiply but no
// 64×64→128, which crypto/ecdh's five 51-bit limbs need and Go's wasm port
// emulates. Natively crypto/ecdh stays faster; this field is compiled
// everywhere so that it is tested against it.
//
// Every operation here is constant time: no branch and no memory index
// depends on a limb's value.
//
// Bounds. Say f has magnitude k when every even limb is within k·2^26 of
// zero and every odd limb within k·2^25. Every multiplication here returns
// magnitude 1.01 ("reduced"; setBytes gives 1), and add and sub add up
// magnitudes. mul and sq are exact when the magnitudes of their inputs
// multiply to at most 16: the heaviest output column, column 0, is f0·g0 plus
// 19 times four even·even products plus 38 times five odd·odd ones, at most
// (77·2^52 + 190·2^50)·16 < 2^63. The ladder multiplies sums of two reduced
// elements (4.1), the Edwards formulas up to 12. field_test.go checks
// the extremes.
//
// The multiplications come in fused forms (sqAdd is (a+b)², mulSubAdd is
// (a-b)·(c+d), ...) that add or subtract their inputs in registers: under
// wasm a separate pass over ten limbs costs about as much as the extra
// multiplication code, and the ladder's step is built from these forms.
type fieldElement [10]int64

const (
	mask25 = 1<<25 - 1
	mask26 = 1<<26 - 1
)

// a24 is RFC 7748's (A - 2) / 4 for Curve25519, whose A is 486662.
const a24 = 121665

// one sets f to 1.
func (f *fieldElement) one() { *f = fieldElement{1} }

// setBytes sets f to the little-endian 255-bit number in b, ignoring bit 255
// as RFC 7748 (section 5) asks for u-coordinates. Values in [p, 2^255) are
// kept as they are; every operation works modulo p.
func (f *fieldElement) setBytes(b *[32]byte) {
	w0 := binary.LittleEndian.Uint64(b[0:])
	w1 := binary.LittleEndian.Uint64(b[8:])
	w2 := binary.LittleEndian.Uint64(b[16:])
	w3 := binary.LittleEndian.Uint64(b[24:])
	// Limb offsets: 0, 26, 51, 77, 102 | 128, 153, 179, 204, 230.
	f[0] = int64(w0 & mask26)
	f[1] = int64(w0 >> 26 & mask25)
	f[2] = int64((w0>>51 | w1<<13) & mask26)
	f[3] = int64(w1 >> 13 & mask25)
	f[4] = int64(w1 >> 38 & mask26)
	f[5] = int64(w2 & mask25)
	f[6] = int64(w2 >> 25 & mask26)
	f[7] = int64((w2>>51 | w3<<13) & mask25)
	f[8] = int64(w3 >> 12 & mask26)
	f[9] = int64(w3 >> 38 & mask25) // bit 255 falls off here
}

// bytes writes the canonical little-endian encoding of f, in [0, p), to out.
// f's limbs may be anything under 2^30 in magnitude.
func (f *fieldElement) bytes(out *[32]byte) {
	h := *f
	// Two carry passes leave every limb in [0, 2^26) or [0, 2^25), so h is a
	// number in [0, 2^255): the first pass brings the top carry down to a few
	// bits; in the second, a carry out of limb 9 can only happen when it
	// rippled through limbs that all became 0 (or, for -1, all ones), and
	// folding 19 back into limb 0 then stays in range.
	h[0] += 19 * h.carryChain() // 2^255 = 19 mod p
	h[0] += 19 * h.carryChain()

	// h >= p exactly when h + 19 carries into bit 255; then subtract p by
	// adding 19 and dropping bit 255.
	q := (h[0] + 19) >> 26
	q = (h[1] + q) >> 25
	q = (h[2] + q) >> 26
	q = (h[3] + q) >> 25
	q = (h[4] + q) >> 26
	q = (h[5] + q) >> 25
	q = (h[6] + q) >> 26
	q = (h[7] + q) >> 25
	q = (h[8] + q) >> 26
	q = (h[9] + q) >> 25
	h[0] += 19 * q
	h.carryChain() // drops the carry out of limb 9: it is q·2^255

	binary.LittleEndian.PutUint64(out[0:], uint64(h[0])|uint64(h[1])<<26|uint64(h[2])<<51)
	binary.LittleEndian.PutUint64(out[8:], uint64(h[2])>>13|uint64(h[3])<<13|uint64(h[4])<<38)
	binary.LittleEndian.PutUint64(out[16:], uint64(h[5])|uint64(h[6])<<25|uint64(h[7])<<51)
	binary.LittleEndian.PutUint64(out[24:], uint64(h[7])>>13|uint64(h[8])<<12|uint64(h[9])<<38)
}

// carryChain carries limbs 0 to 9 upward in order, leaving each in [0, 2^26)
// or [0, 2^25), and returns the carry out of limb 9, in units of 2^255.
func (h *fieldElement) carryChain() int64 {
	var c int64
	c = h[0] >> 26
	h[0] -= c << 26
	h[1] += c
	c = h[1] >> 25
	h[1] -= c << 25
	h[2] += c
	c = h[2] >> 26
	h[2] -= c << 26
	h[3] += c
	c = h[3] >> 25
	h[3] -= c << 25
	h[4] += c
	c = h[4] >> 26
	h[4] -= c << 26
	h[5] += c
	c = h[5] >> 25
	h[5] -= c << 25
	h[6] += c
	c = h[6] >> 26
	h[6] -= c << 26
	h[7] += c
	c = h[7] >> 25
	h[7] -= c << 25
	h[8] += c
	c = h[8] >> 26
	h[8] -= c << 26
	h[9] += c
	c = h[9] >> 25
	h[9] -= c << 25
	return c
}

// add sets h = f + g, without carrying.
func (h *fieldElement) add(f, g *fieldElement) {
	h[0], h[1], h[2], h[3], h[4] = f[0]+g[0], f[1]+g[1], f[2]+g[2], f[3]+g[3], f[4]+g[4]
	h[5], h[6], h[7], h[8], h[9] = f[5]+g[5], f[6]+g[6], f[7]+g[7], f[8]+g[8], f[9]+g[9]
}

// sub sets h = f - g, without carrying: limbs are signed.
func (h *fieldElement) sub(f, g *fieldElement) {
	h[0], h[1], h[2], h[3], h[4] = f[0]-g[0], f[1]-g[1], f[2]-g[2], f[3]-g[3], f[4]-g[4]
	h[5], h[6], h[7], h[8], h[9] = f[5]-g[5], f[6]-g[6], f[7]-g[7], f[8]-g[8], f[9]-g[9]
}

// neg sets h = -f.
func (h *fieldElement) neg(f *fieldElement) {
	h[0], h[1], h[2], h[3], h[4] = -f[0], -f[1], -f[2], -f[3], -f[4]
	h[5], h[6], h[7], h[8], h[9] = -f[5], -f[6], -f[7], -f[8], -f[9]
}

// reduce carries h's limbs (any below 2^62) back to magnitude 1.01.
func (h *fieldElement) reduce() {
	h.carryWide(h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9])
}

// mul sets h = f·g. Column k sums f_i·g_j over i+j = k (mod 10), times 19
// where i+j >= 10 (2^255 = 19 mod p), and times 2 where i and j are both odd
// (their weights' two half bits add up to one more bit).
func (h *fieldElement) mul(f, g *fieldElement) {
	f0, f1, f2, f3, f4 := f[0], f[1], f[2], f[3], f[4]
	f5, f6, f7, f8, f9 := f[5], f[6], f[7], f[8], f[9]
	g0, g1, g2, g3, g4 := g[0], g[1], g[2], g[3], g[4]
	g5, g6, g7, g8, g9 := g[5], g[6], g[7], g[8], g[9]
	f1_2, f3_2, f5_2, f7_2, f9_2 := 2*f1, 2*f3, 2*f5, 2*f7, 2*f9
	g1_19, g2_19, g3_19, g4_19, g5_19 := 19*g1, 19*g2, 19*g3, 19*g4, 19*g5
	g6_19, g7_19, g8_19, g9_19 := 19*g6, 19*g7, 19*g8, 19*g9
	h0 := f0*g0 + f1_2*g9_19 + f2*g8_19 + f3_2*g7_19 + f4*g6_19 + f5_2*g5_19 + f6*g4_19 + f7_2*g3_19 + f8*g2_19 + f9_2*g1_19
	h1 := f0*g1 + f1*g0 + f2*g9_19 + f3*g8_19 + f4*g7_19 + f5*g6_19 + f6*g5_19 + f7*g4_19 + f8*g3_19 + f9*g2_19
	h2 := f0*g2 + f1_2*g1 + f2*g0 + f3_2*g9_19 + f4*g8_19 + f5_2*g7_19 + f6*g6_19 + f7_2*g5_19 + f8*g4_19 + f9_2*g3_19
	h3 := f0*g3 + f1*g2 + f2*g1 + f3*g0 + f4*g9_19 + f5*g8_19 + f6*g7_19 + f7*g6_19 + f8*g5_19 + f9*g4_19
	h4 := f0*g4 + f1_2*g3 + f2*g2 + f3_2*g1 + f4*g0 + f5_2*g9_19 + f6*g8_19 + f7_2*g7_19 + f8*g6_19 + f9_2*g5_19
	h5 := f0*g5 + f1*g4 + f2*g3 + f3*g2 + f4*g1 + f5*g0 + f6*g9_19 + f7*g8_19 + f8*g7_19 + f9*g6_19
	h6 := f0*g6 + f1_2*g5 + f2*g4 + f3_2*g3 + f4*g2 + f5_2*g1 + f6*g0 + f7_2*g9_19 + f8*g8_19 + f9_2*g7_19
	h7 := f0*g7 + f1*g6 + f2*g5 + f3*g4 + f4*g3 + f5*g2 + f6*g1 + f7*g0 + f8*g9_19 + f9*g8_19
	h8 := f0*g8 + f1_2*g7 + f2*g6 + f3_2*g5 + f4*g4 + f5_2*g3 + f6*g2 + f7_2*g1 + f8*g0 + f9_2*g9_19
	h9 := f0*g9 + f1*g8 + f2*g7 + f3*g6 + f4*g5 + f5*g4 + f6*g3 + f7*g2 + f8*g1 + f9*g0
	h.carryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

// mulSubAdd sets h = (a-b)·(c+d), mul's columns.
func (h *fieldElement) mulSubAdd(a, b, c, d *fieldElement) {
	f0, f1, f2, f3, f4 := a[0]-b[0], a[1]-b[1], a[2]-b[2], a[3]-b[3], a[4]-b[4]
	f5, f6, f7, f8, f9 := a[5]-b[5], a[6]-b[6], a[7]-b[7], a[8]-b[8], a[9]-b[9]
	g0, g1, g2, g3, g4 := c[0]+d[0], c[1]+d[1], c[2]+d[2], c[3]+d[3], c[4]+d[4]
	g5, g6, g7, g8, g9 := c[5]+d[5], c[6]+d[6], c[7]+d[7], c[8]+d[8], c[9]+d[9]
	f1_2, f3_2, f5_2, f7_2, f9_2 := 2*f1, 2*f3, 2*f5, 2*f7, 2*f9
	g1_19, g2_19, g3_19, g4_19, g5_19 := 19*g1, 19*g2, 19*g3, 19*g4, 19*g5
	g6_19, g7_19, g8_19, g9_19 := 19*g6, 19*g7, 19*g8, 19*g9
	h0 := f0*g0 + f1_2*g9_19 + f2*g8_19 + f3_2*g7_19 + f4*g6_19 + f5_2*g5_19 + f6*g4_19 + f7_2*g3_19 + f8*g2_19 + f9_2*g1_19
	h1 := f0*g1 + f1*g0 + f2*g9_19 + f3*g8_19 + f4*g7_19 + f5*g6_19 + f6*g5_19 + f7*g4_19 + f8*g3_19 + f9*g2_19
	h2 := f0*g2 + f1_2*g1 + f2*g0 + f3_2*g9_19 + f4*g8_19 + f5_2*g7_19 + f6*g6_19 + f7_2*g5_19 + f8*g4_19 + f9_2*g3_19
	h3 := f0*g3 + f1*g2 + f2*g1 + f3*g0 + f4*g9_19 + f5*g8_19 + f6*g7_19 + f7*g6_19 + f8*g5_19 + f9*g4_19
	h4 := f0*g4 + f1_2*g3 + f2*g2 + f3_2*g1 + f4*g0 + f5_2*g9_19 + f6*g8_19 + f7_2*g7_19 + f8*g6_19 + f9_2*g5_19
	h5 := f0*g5 + f1*g4 + f2*g3 + f3*g2 + f4*g1 + f5*g0 + f6*g9_19 + f7*g8_19 + f8*g7_19 + f9*g6_19
	h6 := f0*g6 + f1_2*g5 + f2*g4 + f3_2*g3 + f4*g2 + f5_2*g1 + f6*g0 + f7_2*g9_19 + f8*g8_19 + f9_2*g7_19
	h7 := f0*g7 + f1*g6 + f2*g5 + f3*g4 + f4*g3 + f5*g2 + f6*g1 + f7*g0 + f8*g9_19 + f9*g8_19
	h8 := f0*g8 + f1_2*g7 + f2*g6 + f3_2*g5 + f4*g4 + f5_2*g3 + f6*g2 + f7_2*g1 + f8*g0 + f9_2*g9_19
	h9 := f0*g9 + f1*g8 + f2*g7 + f3*g6 + f4*g5 + f5*g4 + f6*g3 + f7*g2 + f8*g1 + f9*g0
	h.carryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

// mulAddSub sets h = (a+b)·(c-d), mul's columns.
func (h *fieldElement) mulAddSub(a, b, c, d *fieldElement) {
	f0, f1, f2, f3, f4 := a[0]+b[0], a[1]+b[1], a[2]+b[2], a[3]+b[3], a[4]+b[4]
	f5, f6, f7, f8, f9 := a[5]+b[5], a[6]+b[6], a[7]+b[7], a[8]+b[8], a[9]+b[9]
	g0, g1, g2, g3, g4 := c[0]-d[0], c[1]-d[1], c[2]-d[2], c[3]-d[3], c[4]-d[4]
	g5, g6, g7, g8, g9 := c[5]-d[5], c[6]-d[6], c[7]-d[7], c[8]-d[8], c[9]-d[9]
	f1_2, f3_2, f5_2, f7_2, f9_2 := 2*f1, 2*f3, 2*f5, 2*f7, 2*f9
	g1_19, g2_19, g3_19, g4_19, g5_19 := 19*g1, 19*g2, 19*g3, 19*g4, 19*g5
	g6_19, g7_19, g8_19, g9_19 := 19*g6, 19*g7, 19*g8, 19*g9
	h0 := f0*g0 + f1_2*g9_19 + f2*g8_19 + f3_2*g7_19 + f4*g6_19 + f5_2*g5_19 + f6*g4_19 + f7_2*g3_19 + f8*g2_19 + f9_2*g1_19
	h1 := f0*g1 + f1*g0 + f2*g9_19 + f3*g8_19 + f4*g7_19 + f5*g6_19 + f6*g5_19 + f7*g4_19 + f8*g3_19 + f9*g2_19
	h2 := f0*g2 + f1_2*g1 + f2*g0 + f3_2*g9_19 + f4*g8_19 + f5_2*g7_19 + f6*g6_19 + f7_2*g5_19 + f8*g4_19 + f9_2*g3_19
	h3 := f0*g3 + f1*g2 + f2*g1 + f3*g0 + f4*g9_19 + f5*g8_19 + f6*g7_19 + f7*g6_19 + f8*g5_19 + f9*g4_19
	h4 := f0*g4 + f1_2*g3 + f2*g2 + f3_2*g1 + f4*g0 + f5_2*g9_19 + f6*g8_19 + f7_2*g7_19 + f8*g6_19 + f9_2*g5_19
	h5 := f0*g5 + f1*g4 + f2*g3 + f3*g2 + f4*g1 + f5*g0 + f6*g9_19 + f7*g8_19 + f8*g7_19 + f9*g6_19
	h6 := f0*g6 + f1_2*g5 + f2*g4 + f3_2*g3 + f4*g2 + f5_2*g1 + f6*g0 + f7_2*g9_19 + f8*g8_19 + f9_2*g7_19
	h7 := f0*g7 + f1*g6 + f2*g5 + f3*g4 + f4*g3 + f5*g2 + f6*g1 + f7*g0 + f8*g9_19 + f9*g8_19
	h8 := f0*g8 + f1_2*g7 + f2*g6 + f3_2*g5 + f4*g4 + f5_2*g3 + f6*g2 + f7_2*g1 + f8*g0 + f9_2*g9_19
	h9 := f0*g9 + f1*g8 + f2*g7 + f3*g6 + f4*g5 + f5*g4 + f6*g3 + f7*g2 + f8*g1 + f9*g0
	h.carryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

// sq sets h = f², mul's columns with each off-diagonal product computed once
// and doubled.
func (h *fieldElement) sq(f *fieldElement) {
	f0, f1, f2, f3, f4 := f[0], f[1], f[2], f[3], f[4]
	f5, f6, f7, f8, f9 := f[5], f[6], f[7], f[8], f[9]
	f0_2, f1_2, f2_2, f3_2, f4_2, f5_2, f6_2, f7_2, f8_2 := 2*f0, 2*f1, 2*f2, 2*f3, 2*f4, 2*f5, 2*f6, 2*f7, 2*f8
	f6_19, f7_19, f8_19, f9_19 := 19*f6, 19*f7, 19*f8, 19*f9
	f5_38, f7_38, f9_38 := 38*f5, 38*f7, 38*f9
	h0 := f0*f0 + f1_2*f9_38 + f2_2*f8_19 + f3_2*f7_38 + f4_2*f6_19 + f5*f5_38
	h1 := f0_2*f1 + f2_2*f9_19 + f3_2*f8_19 + f4_2*f7_19 + f5_2*f6_19
	h2 := f0_2*f2 + f1*f1_2 + f3_2*f9_38 + f4_2*f8_19 + f5_2*f7_38 + f6*f6_19
	h3 := f0_2*f3 + f1_2*f2 + f4_2*f9_19 + f5_2*f8_19 + f6_2*f7_19
	h4 := f0_2*f4 + f1_2*f3_2 + f2*f2 + f5_2*f9_38 + f6_2*f8_19 + f7*f7_38
	h5 := f0_2*f5 + f1_2*f4 + f2_2*f3 + f6_2*f9_19 + f7_2*f8_19
	h6 := f0_2*f6 + f1_2*f5_2 + f2_2*f4 + f3*f3_2 + f7_2*f9_38 + f8*f8_19
	h7 := f0_2*f7 + f1_2*f6 + f2_2*f5 + f3_2*f4 + f8_2*f9_19
	h8 := f0_2*f8 + f1_2*f7_2 + f2_2*f6 + f3_2*f5_2 + f4*f4 + f9*f9_38
	h9 := f0_2*f9 + f1_2*f8 + f2_2*f7 + f3_2*f6 + f4_2*f5
	h.carryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

// sqAdd sets h = (a+b)², sq's columns.
func (h *fieldElement) sqAdd(a, b *fieldElement) {
	f0, f1, f2, f3, f4 := a[0]+b[0], a[1]+b[1], a[2]+b[2], a[3]+b[3], a[4]+b[4]
	f5, f6, f7, f8, f9 := a[5]+b[5], a[6]+b[6], a[7]+b[7], a[8]+b[8], a[9]+b[9]
	f0_2, f1_2, f2_2, f3_2, f4_2, f5_2, f6_2, f7_2, f8_2 := 2*f0, 2*f1, 2*f2, 2*f3, 2*f4, 2*f5, 2*f6, 2*f7, 2*f8
	f6_19, f7_19, f8_19, f9_19 := 19*f6, 19*f7, 19*f8, 19*f9
	f5_38, f7_38, f9_38 := 38*f5, 38*f7, 38*f9
	h0 := f0*f0 + f1_2*f9_38 + f2_2*f8_19 + f3_2*f7_38 + f4_2*f6_19 + f5*f5_38
	h1 := f0_2*f1 + f2_2*f9_19 + f3_2*f8_19 + f4_2*f7_19 + f5_2*f6_19
	h2 := f0_2*f2 + f1*f1_2 + f3_2*f9_38 + f4_2*f8_19 + f5_2*f7_38 + f6*f6_19
	h3 := f0_2*f3 + f1_2*f2 + f4_2*f9_19 + f5_2*f8_19 + f6_2*f7_19
	h4 := f0_2*f4 + f1_2*f3_2 + f2*f2 + f5_2*f9_38 + f6_2*f8_19 + f7*f7_38
	h5 := f0_2*f5 + f1_2*f4 + f2_2*f3 + f6_2*f9_19 + f7_2*f8_19
	h6 := f0_2*f6 + f1_2*f5_2 + f2_2*f4 + f3*f3_2 + f7_2*f9_38 + f8*f8_19
	h7 := f0_2*f7 + f1_2*f6 + f2_2*f5 + f3_2*f4 + f8_2*f9_19
	h8 := f0_2*f8 + f1_2*f7_2 + f2_2*f6 + f3_2*f5_2 + f4*f4 + f9*f9_38
	h9 := f0_2*f9 + f1_2*f8 + f2_2*f7 + f3_2*f6 + f4_2*f5
	h.carryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

// sqSub sets h = (a-b)², sq's columns.
func (h *fieldElement) sqSub(a, b *fieldElement) {
	f0, f1, f2, f3, f4 := a[0]-b[0], a[1]-b[1], a[2]-b[2], a[3]-b[3], a[4]-b[4]
	f5, f6, f7, f8, f9 := a[5]-b[5], a[6]-b[6], a[7]-b[7], a[8]-b[8], a[9]-b[9]
	f0_2, f1_2, f2_2, f3_2, f4_2, f5_2, f6_2, f7_2, f8_2 := 2*f0, 2*f1, 2*f2, 2*f3, 2*f4, 2*f5, 2*f6, 2*f7, 2*f8
	f6_19, f7_19, f8_19, f9_19 := 19*f6, 19*f7, 19*f8, 19*f9
	f5_38, f7_38, f9_38 := 38*f5, 38*f7, 38*f9
	h0 := f0*f0 + f1_2*f9_38 + f2_2*f8_19 + f3_2*f7_38 + f4_2*f6_19 + f5*f5_38
	h1 := f0_2*f1 + f2_2*f9_19 + f3_2*f8_19 + f4_2*f7_19 + f5_2*f6_19
	h2 := f0_2*f2 + f1*f1_2 + f3_2*f9_38 + f4_2*f8_19 + f5_2*f7_38 + f6*f6_19
	h3 := f0_2*f3 + f1_2*f2 + f4_2*f9_19 + f5_2*f8_19 + f6_2*f7_19
	h4 := f0_2*f4 + f1_2*f3_2 + f2*f2 + f5_2*f9_38 + f6_2*f8_19 + f7*f7_38
	h5 := f0_2*f5 + f1_2*f4 + f2_2*f3 + f6_2*f9_19 + f7_2*f8_19
	h6 := f0_2*f6 + f1_2*f5_2 + f2_2*f4 + f3*f3_2 + f7_2*f9_38 + f8*f8_19
	h7 := f0_2*f7 + f1_2*f6 + f2_2*f5 + f3_2*f4 + f8_2*f9_19
	h8 := f0_2*f8 + f1_2*f7_2 + f2_2*f6 + f3_2*f5_2 + f4*f4 + f9*f9_38
	h9 := f0_2*f9 + f1_2*f8 + f2_2*f7 + f3_2*f6 + f4_2*f5
	h.carryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

// mulA24Sub sets h = a24·(f-g).
func (h *fieldElement) mulA24Sub(f, g *fieldElement) {
	const c = a24
	h.carryWide((f[0]-g[0])*c, (f[1]-g[1])*c, (f[2]-g[2])*c, (f[3]-g[3])*c, (f[4]-g[4])*c,
		(f[5]-g[5])*c, (f[6]-g[6])*c, (f[7]-g[7])*c, (f[8]-g[8])*c, (f[9]-g[9])*c)
}

// carryWide reduces columns of up to 2^63 in magnitude to a reduced h. It
// runs two carry chains side by side, 0→5 and 5→9→0, so they overlap; limbs
// 1 and 6, carried into last, end up within 2^17 of their range.
func (h *fieldElement) carryWide(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9 int64) {
	var c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 int64
	c0 = h0 >> 26
	h1 += c0
	h0 -= c0 << 26
	c5 = h5 >> 25
	h6 += c5
	h5 -= c5 << 25

	c1 = h1 >> 25
	h2 += c1
	h1 -= c1 << 25
	c6 = h6 >> 26
	h7 += c6
	h6 -= c6 << 26

	c2 = h2 >> 26
	h3 += c2
	h2 -= c2 << 26
	c7 = h7 >> 25
	h8 += c7
	h7 -= c7 << 25

	c3 = h3 >> 25
	h4 += c3
	h3 -= c3 << 25
	c8 = h8 >> 26
	h9 += c8
	h8 -= c8 << 26

	c4 = h4 >> 26
	h5 += c4
	h4 -= c4 << 26
	c9 = h9 >> 25
	h0 += 19 * c9
	h9 -= c9 << 25

	c5 = h5 >> 25
	h6 += c5
	h5 -= c5 << 25
	c0 = h0 >> 26
	h1 += c0
	h0 -= c0 << 26

	h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9] = h0, h1, h2, h3, h4, h5, h6, h7, h8, h9
}

// squareN sets h = f^(2^n), n >= 1.
func (h *fieldElement) squareN(f *fieldElement, n int) {
	h.sq(f)
	for range n - 1 {
		h.sq(h)
	}
}

// pow2250m1 returns f^(2^250 - 1) and f^11, the common start of invert's
// and pow22523's addition chains.
func pow2250m1(f *fieldElement) (t, z11 fieldElement) {
	var z2, z5, z10, z20, z50, z100 fieldElement
	z2.sq(f)               // z^2
	t.squareN(&z2, 2)      // z^8
	t.mul(&t, f)           // z^9
	z11.mul(&t, &z2)       // z^11
	z5.sq(&z11)            // z^22
	z5.mul(&z5, &t)        // z^31 = z^(2^5 - 1)
	z10.squareN(&z5, 5)    //
	z10.mul(&z10, &z5)     // z^(2^10 - 1)
	z20.squareN(&z10, 10)  //
	z20.mul(&z20, &z10)    // z^(2^20 - 1)
	t.squareN(&z20, 20)    //
	t.mul(&t, &z20)        // z^(2^40 - 1)
	z50.squareN(&t, 10)    //
	z50.mul(&z50, &z10)    // z^(2^50 - 1)
	z100.squareN(&z50, 50) //
	z100.mul(&z100, &z50)  // z^(2^100 - 1)
	t.squareN(&z100, 100)  //
	t.mul(&t, &z100)       // z^(2^200 - 1)
	t.squareN(&t, 50)      //
	t.mul(&t, &z50)        // z^(2^250 - 1)
	return t, z11
}

// invert sets h = 1/f as f^(p-2) (Fermat), and 0 when f is 0. The chain of
// squarings and multiplications is fixed, so it takes the same time for every
// f: p-2 = 2^255 - 21 = (2^250 - 1)·2^5 + 11.
func (h *fieldElement) invert(f *fieldElement) {
	t, z11 := pow2250m1(f)
	t.squareN(&t, 5) // z^(2^255 - 32)
	h.mul(&t, &z11)  // z^(2^255 - 21)
}

// pow22523 sets h = f^((p-5)/8) = f^(2^252 - 3), the exponent of square
// roots modulo p (p = 5 mod 8).
func (h *fieldElement) pow22523(f *fieldElement) {
	t, _ := pow2250m1(f)
	t.squareN(&t, 2) // z^(2^252 - 4)
	h.mul(&t, f)     // z^(2^252 - 3)
}

// sqrtM1 is a square root of -1 modulo p: 2^((p-1)/4), which is
// (2^((p-5)/8))²·2.
var sqrtM1 = func() fieldElement {
	two := fieldElement{2}
	var r fieldElement
	r.pow22523(&two)
	r.sq(&r)
	r.mul(&r, &two)
	return r
}()

// isNegative returns 1 if f, reduced to [0, p), is odd (RFC 8032's sign of
// x), and 0 if it is even.
func (f *fieldElement) isNegative() int {
	var b [32]byte
	f.bytes(&b)
	return int(b[0] & 1)
}

// equal returns 1 if f and g are the same element of the field, and 0 if
// not, in constant time.
func (f *fieldElement) equal(g *fieldElement) int {
	var fb, gb [32]byte
	f.bytes(&fb)
	g.bytes(&gb)
	return subtle.ConstantTimeCompare(fb[:], gb[:])
}
