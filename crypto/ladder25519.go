package crypto

// Arithmetic modulo p = 2^255 - 19 for x25519Ladder, in ten signed 32-bit
// limbs (radix 2^25.5: 26 bits in even limbs, 25 in odd ones), the shape of
// the ref10 reference code. Its limb products fit in 64 bits, which
// WebAssembly multiplies natively; crypto/ecdh's 51-bit limbs need 64x64 to
// 128-bit products that wasm emulates, which is what makes X25519 slow
// there. Compiled everywhere so the tests compare it with crypto/ecdh; used
// only by the js/wasm build.
//
// Bounds (as ref10 states them): every function here returns limbs below
// about 2^25 (even) and 2^24 (odd) in magnitude, and mul and sq accept sums
// and differences of two such elements: a column is then at most ten
// products of 38 * 2^27 * 2^27, under 2^63.

type ladderElement [10]int32

func (h *ladderElement) add(f, g *ladderElement) {
	for i := range h {
		h[i] = f[i] + g[i]
	}
}

func (h *ladderElement) sub(f, g *ladderElement) {
	for i := range h {
		h[i] = f[i] - g[i]
	}
}

// ladderCSwap swaps f and g when b is 1 and does nothing when b is 0, in
// constant time.
func ladderCSwap(f, g *ladderElement, b int32) {
	mask := -b
	for i := range f {
		x := mask & (f[i] ^ g[i])
		f[i] ^= x
		g[i] ^= x
	}
}

// setBytes decodes 32 little-endian bytes, ignoring the top bit (RFC 7748
// section 5). Values of p or more are reduced by the arithmetic.
func (h *ladderElement) setBytes(s *[32]byte) {
	load3 := func(b []byte) int64 { return int64(b[0]) | int64(b[1])<<8 | int64(b[2])<<16 }
	load4 := func(b []byte) int64 {
		return int64(b[0]) | int64(b[1])<<8 | int64(b[2])<<16 | int64(b[3])<<24
	}
	h.carry(load4(s[0:]), load3(s[4:])<<6, load3(s[7:])<<5, load3(s[10:])<<3, load3(s[13:])<<2,
		load4(s[16:]), load3(s[20:])<<7, load3(s[23:])<<5, load3(s[26:])<<4, (load3(s[29:])&0x7fffff)<<2)
}

// carry reduces ten 64-bit column values into h with rounding carries, so
// every limb ends up signed and small.
func (h *ladderElement) carry(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9 int64) {
	var c int64
	c = (h0 + 1<<25) >> 26
	h1 += c
	h0 -= c << 26
	c = (h4 + 1<<25) >> 26
	h5 += c
	h4 -= c << 26
	c = (h1 + 1<<24) >> 25
	h2 += c
	h1 -= c << 25
	c = (h5 + 1<<24) >> 25
	h6 += c
	h5 -= c << 25
	c = (h2 + 1<<25) >> 26
	h3 += c
	h2 -= c << 26
	c = (h6 + 1<<25) >> 26
	h7 += c
	h6 -= c << 26
	c = (h3 + 1<<24) >> 25
	h4 += c
	h3 -= c << 25
	c = (h7 + 1<<24) >> 25
	h8 += c
	h7 -= c << 25
	c = (h4 + 1<<25) >> 26
	h5 += c
	h4 -= c << 26
	c = (h8 + 1<<25) >> 26
	h9 += c
	h8 -= c << 26
	c = (h9 + 1<<24) >> 25
	h0 += c * 19
	h9 -= c << 25
	c = (h0 + 1<<25) >> 26
	h1 += c
	h0 -= c << 26
	h[0], h[1], h[2], h[3], h[4] = int32(h0), int32(h1), int32(h2), int32(h3), int32(h4)
	h[5], h[6], h[7], h[8], h[9] = int32(h5), int32(h6), int32(h7), int32(h8), int32(h9)
}

// bytes encodes h, fully reduced, as 32 little-endian bytes.
func (h *ladderElement) bytes(s *[32]byte) {
	h0, h1, h2, h3, h4 := int64(h[0]), int64(h[1]), int64(h[2]), int64(h[3]), int64(h[4])
	h5, h6, h7, h8, h9 := int64(h[5]), int64(h[6]), int64(h[7]), int64(h[8]), int64(h[9])
	// q is 1 when h >= p, else 0 (h is below 2p here).
	q := (19*h9 + 1<<24) >> 25
	q = (h0 + q) >> 26
	q = (h1 + q) >> 25
	q = (h2 + q) >> 26
	q = (h3 + q) >> 25
	q = (h4 + q) >> 26
	q = (h5 + q) >> 25
	q = (h6 + q) >> 26
	q = (h7 + q) >> 25
	q = (h8 + q) >> 26
	q = (h9 + q) >> 25
	// h + 19q - 2^255 q is h mod p: carry, dropping the top carry.
	h0 += 19 * q
	var c int64
	c = h0 >> 26
	h1 += c
	h0 -= c << 26
	c = h1 >> 25
	h2 += c
	h1 -= c << 25
	c = h2 >> 26
	h3 += c
	h2 -= c << 26
	c = h3 >> 25
	h4 += c
	h3 -= c << 25
	c = h4 >> 26
	h5 += c
	h4 -= c << 26
	c = h5 >> 25
	h6 += c
	h5 -= c << 25
	c = h6 >> 26
	h7 += c
	h6 -= c << 26
	c = h7 >> 25
	h8 += c
	h7 -= c << 25
	c = h8 >> 26
	h9 += c
	h8 -= c << 26
	c = h9 >> 25
	h9 -= c << 25

	s[0], s[1], s[2], s[3] = byte(h0), byte(h0>>8), byte(h0>>16), byte(h0>>24|h1<<2)
	s[4], s[5], s[6] = byte(h1>>6), byte(h1>>14), byte(h1>>22|h2<<3)
	s[7], s[8], s[9] = byte(h2>>5), byte(h2>>13), byte(h2>>21|h3<<5)
	s[10], s[11], s[12] = byte(h3>>3), byte(h3>>11), byte(h3>>19|h4<<6)
	s[13], s[14], s[15] = byte(h4>>2), byte(h4>>10), byte(h4>>18)
	s[16], s[17], s[18], s[19] = byte(h5), byte(h5>>8), byte(h5>>16), byte(h5>>24|h6<<1)
	s[20], s[21], s[22] = byte(h6>>7), byte(h6>>15), byte(h6>>23|h7<<3)
	s[23], s[24], s[25] = byte(h7>>5), byte(h7>>13), byte(h7>>21|h8<<4)
	s[26], s[27], s[28] = byte(h8>>4), byte(h8>>12), byte(h8>>20|h9<<6)
	s[29], s[30], s[31] = byte(h9>>2), byte(h9>>10), byte(h9>>18)
}

// mul sets h = f * g. Limb products at offsets i+j of 10 or more wrap
// around with a factor 19 (2^255 = 19 mod p); a product of two odd limbs
// carries an extra factor 2 because odd limbs sit half a bit lower.
func (h *ladderElement) mul(f, g *ladderElement) {
	f0, f1, f2, f3, f4 := int64(f[0]), int64(f[1]), int64(f[2]), int64(f[3]), int64(f[4])
	f5, f6, f7, f8, f9 := int64(f[5]), int64(f[6]), int64(f[7]), int64(f[8]), int64(f[9])
	g0, g1, g2, g3, g4 := int64(g[0]), int64(g[1]), int64(g[2]), int64(g[3]), int64(g[4])
	g5, g6, g7, g8, g9 := int64(g[5]), int64(g[6]), int64(g[7]), int64(g[8]), int64(g[9])
	g1_19, g2_19, g3_19, g4_19, g5_19 := 19*g1, 19*g2, 19*g3, 19*g4, 19*g5
	g6_19, g7_19, g8_19, g9_19 := 19*g6, 19*g7, 19*g8, 19*g9
	f1_2, f3_2, f5_2, f7_2, f9_2 := 2*f1, 2*f3, 2*f5, 2*f7, 2*f9

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
	h.carry(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

// sq sets h = f * f, sharing the symmetric products.
func (h *ladderElement) sq(f *ladderElement) {
	f0, f1, f2, f3, f4 := int64(f[0]), int64(f[1]), int64(f[2]), int64(f[3]), int64(f[4])
	f5, f6, f7, f8, f9 := int64(f[5]), int64(f[6]), int64(f[7]), int64(f[8]), int64(f[9])
	f0_2, f1_2, f2_2, f3_2, f4_2 := 2*f0, 2*f1, 2*f2, 2*f3, 2*f4
	f5_2, f6_2, f7_2 := 2*f5, 2*f6, 2*f7
	f5_38, f6_19, f7_38, f8_19, f9_38 := 38*f5, 19*f6, 38*f7, 19*f8, 38*f9

	h0 := f0*f0 + f1_2*f9_38 + f2_2*f8_19 + f3_2*f7_38 + f4_2*f6_19 + f5*f5_38
	h1 := f0_2*f1 + f2*f9_38 + f3_2*f8_19 + f4*f7_38 + f5_2*f6_19
	h2 := f0_2*f2 + f1_2*f1 + f3_2*f9_38 + f4_2*f8_19 + f5_2*f7_38 + f6*f6_19
	h3 := f0_2*f3 + f1_2*f2 + f4*f9_38 + f5_2*f8_19 + f6*f7_38
	h4 := f0_2*f4 + f1_2*f3_2 + f2*f2 + f5_2*f9_38 + f6_2*f8_19 + f7*f7_38
	h5 := f0_2*f5 + f1_2*f4 + f2_2*f3 + f6*f9_38 + f7_2*f8_19
	h6 := f0_2*f6 + f1_2*f5_2 + f2_2*f4 + f3_2*f3 + f7_2*f9_38 + f8*f8_19
	h7 := f0_2*f7 + f1_2*f6 + f2_2*f5 + f3_2*f4 + f8*f9_38
	h8 := f0_2*f8 + f1_2*f7_2 + f2_2*f6 + f3_2*f5_2 + f4*f4 + f9*f9_38
	h9 := f0_2*f9 + f1_2*f8 + f2_2*f7 + f3_2*f6 + f4_2*f5
	h.carry(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9)
}

// mul121665 sets h = 121665 * f: RFC 7748's a24 = (486662 - 2) / 4.
func (h *ladderElement) mul121665(f *ladderElement) {
	const a24 = 121665
	h.carry(a24*int64(f[0]), a24*int64(f[1]), a24*int64(f[2]), a24*int64(f[3]), a24*int64(f[4]),
		a24*int64(f[5]), a24*int64(f[6]), a24*int64(f[7]), a24*int64(f[8]), a24*int64(f[9]))
}

// invert sets h = z^(p-2) = 1/z (0 for 0), by the usual addition chain for
// 2^255 - 21: 254 squarings and 11 multiplications.
func (h *ladderElement) invert(z *ladderElement) {
	var z2, z9, z11, t, z5, z10, z20, z50, z100 ladderElement
	sqn := func(dst, src *ladderElement, n int) {
		dst.sq(src)
		for i := 1; i < n; i++ {
			dst.sq(dst)
		}
	}
	z2.sq(z)
	sqn(&t, &z2, 2)
	z9.mul(&t, z)
	z11.mul(&z9, &z2)
	t.sq(&z11)
	z5.mul(&t, &z9) // z^(2^5 - 1)
	sqn(&t, &z5, 5)
	z10.mul(&t, &z5) // z^(2^10 - 1)
	sqn(&t, &z10, 10)
	z20.mul(&t, &z10) // z^(2^20 - 1)
	sqn(&t, &z20, 20)
	t.mul(&t, &z20) // z^(2^40 - 1)
	sqn(&t, &t, 10)
	z50.mul(&t, &z10) // z^(2^50 - 1)
	sqn(&t, &z50, 50)
	z100.mul(&t, &z50) // z^(2^100 - 1)
	sqn(&t, &z100, 100)
	t.mul(&t, &z100) // z^(2^200 - 1)
	sqn(&t, &t, 50)
	t.mul(&t, &z50) // z^(2^250 - 1)
	sqn(&t, &t, 5)
	h.mul(&t, &z11) // z^(2^255 - 21)
}

// x25519Ladder computes X25519(scalar, u) (RFC 7748 section 5): the
// Montgomery ladder over the field above, scalar clamped here. It runs in
// constant time: the only data-dependent choices are the conditional swaps.
func x25519Ladder(out, scalar, u *[32]byte) {
	var k [32]byte
	copy(k[:], scalar[:])
	clampScalar(&k)

	var x1, x2, z2, x3, z3, a, aa, b, bb, e, c, d, da, cb, t ladderElement
	x1.setBytes(u)
	x2[0] = 1
	x3 = x1
	z3[0] = 1
	swap := int32(0)
	for pos := 254; pos >= 0; pos-- {
		bit := int32(k[pos>>3]>>(pos&7)) & 1
		swap ^= bit
		ladderCSwap(&x2, &x3, swap)
		ladderCSwap(&z2, &z3, swap)
		swap = bit

		a.add(&x2, &z2)
		aa.sq(&a)
		b.sub(&x2, &z2)
		bb.sq(&b)
		e.sub(&aa, &bb)
		c.add(&x3, &z3)
		d.sub(&x3, &z3)
		da.mul(&d, &a)
		cb.mul(&c, &b)
		t.add(&da, &cb)
		x3.sq(&t)
		t.sub(&da, &cb)
		t.sq(&t)
		z3.mul(&x1, &t)
		x2.mul(&aa, &bb)
		t.mul121665(&e)
		t.add(&aa, &t)
		z2.mul(&e, &t)
	}
	ladderCSwap(&x2, &x3, swap)
	ladderCSwap(&z2, &z3, swap)
	z2.invert(&z2)
	x2.mul(&x2, &z2)
	x2.bytes(out)
}
