package curve25519

import "sync"

// Public keys by fixed-base multiplication: X25519(s, 9) is the u of s·B on
// edwards25519, and s·B takes 64 additions of precomputed points and 4
// doublings, against the ladder's 255 steps. The scalar's digits only pick
// table entries by mask, so the time and the memory touched do not depend on
// them.

// basepointTable[i][j] is (j+1)·256^i·B. 32 rows of 8 cover a scalar
// written in 64 signed base-16 digits: digit 2i uses row i, digit 2i+1 uses
// row i too and is shifted by the four doublings in between.
type basepointTable [32][8]affineCached

var (
	basepointOnce   sync.Once
	basepointPoints *basepointTable
)

// basepoints returns the table, built on first use: about a millisecond of
// work under wasm, for 61 KB.
func basepoints() *basepointTable {
	basepointOnce.Do(func() { basepointPoints = newBasepointTable() })
	return basepointPoints
}

func newBasepointTable() *basepointTable {
	var points [32 * 8]Point // entry (i, j) at 8i + j
	row := edwardsBase
	for i := range 32 {
		points[8*i] = row
		for j := 1; j < 8; j++ {
			points[8*i+j].add(&points[8*i+j-1], &row)
		}
		for range 8 {
			row.double(&row)
		}
	}
	var entries [32 * 8]affineCached
	batchToAffine(entries[:], points[:])
	t := new(basepointTable)
	for n := range entries {
		t[n/8][n%8] = entries[n]
	}
	return t
}

// ScalarBaseMult sets out = X25519(scalar, 9), the public key of scalar,
// which is clamped here as the ladder clamps it.
func ScalarBaseMult(out, scalar *[32]byte) {
	var k [32]byte
	copy(k[:], scalar[:])
	k[0] &= 248
	k[31] &= 127
	k[31] |= 64
	var p Point
	p.ScalarBaseMult(&k)
	p.montgomeryU(out)
	clear(k[:])
}

// ScalarBaseMult sets p = s·B for a little-endian s below 2^255, in
// constant time, and returns p.
func (p *Point) ScalarBaseMult(s *[32]byte) *Point {
	// Signed base-16 digits in [-8, 8): s = Σ digit_i·16^i. s < 2^255, so
	// the top digit takes the last carry and ends in [0, 8].
	var digits [64]int64
	for i, b := range s {
		digits[2*i] = int64(b & 15)
		digits[2*i+1] = int64(b >> 4)
	}
	for i := range 63 {
		carry := (digits[i] + 8) >> 4
		digits[i] -= carry << 4
		digits[i+1] += carry
	}

	table := basepoints()
	var c affineCached
	p.identity()
	for i := 1; i < 64; i += 2 {
		c.lookup(&table[i/2], digits[i])
		p.addAffine(p, &c)
	}
	p.double(p)
	p.double(p)
	p.double(p)
	p.double(p)
	for i := 0; i < 64; i += 2 {
		c.lookup(&table[i/2], digits[i])
		p.addAffine(p, &c)
	}
	clear(digits[:])
	return p
}

// lookup sets c = digit·row[0] for digit in [-8, 8], reading every entry of
// row and choosing by mask.
func (c *affineCached) lookup(row *[8]affineCached, digit int64) {
	negative := digit >> 63 // all ones when digit < 0
	abs := (digit ^ negative) - negative
	c.identity()
	for j := range row {
		// mask is all ones exactly when abs == j+1.
		x := uint64(abs ^ int64(j+1))
		c.selectIf(&row[j], int64((x|-x)>>63)-1)
	}
	var neg affineCached
	neg.negate(c)
	c.selectIf(&neg, negative)
}

// selectIf sets c = e where mask is all ones and leaves c where it is 0.
// Written out limb by limb: under wasm a loop here costs more than the work.
func (c *affineCached) selectIf(e *affineCached, mask int64) {
	a, b, d := &c.yPlusX, &c.yMinusX, &c.xy2d
	ea, eb, ed := &e.yPlusX, &e.yMinusX, &e.xy2d
	a[0], a[1], a[2], a[3], a[4] = a[0]^mask&(a[0]^ea[0]), a[1]^mask&(a[1]^ea[1]), a[2]^mask&(a[2]^ea[2]), a[3]^mask&(a[3]^ea[3]), a[4]^mask&(a[4]^ea[4])
	a[5], a[6], a[7], a[8], a[9] = a[5]^mask&(a[5]^ea[5]), a[6]^mask&(a[6]^ea[6]), a[7]^mask&(a[7]^ea[7]), a[8]^mask&(a[8]^ea[8]), a[9]^mask&(a[9]^ea[9])
	b[0], b[1], b[2], b[3], b[4] = b[0]^mask&(b[0]^eb[0]), b[1]^mask&(b[1]^eb[1]), b[2]^mask&(b[2]^eb[2]), b[3]^mask&(b[3]^eb[3]), b[4]^mask&(b[4]^eb[4])
	b[5], b[6], b[7], b[8], b[9] = b[5]^mask&(b[5]^eb[5]), b[6]^mask&(b[6]^eb[6]), b[7]^mask&(b[7]^eb[7]), b[8]^mask&(b[8]^eb[8]), b[9]^mask&(b[9]^eb[9])
	d[0], d[1], d[2], d[3], d[4] = d[0]^mask&(d[0]^ed[0]), d[1]^mask&(d[1]^ed[1]), d[2]^mask&(d[2]^ed[2]), d[3]^mask&(d[3]^ed[3]), d[4]^mask&(d[4]^ed[4])
	d[5], d[6], d[7], d[8], d[9] = d[5]^mask&(d[5]^ed[5]), d[6]^mask&(d[6]^ed[6]), d[7]^mask&(d[7]^ed[7]), d[8]^mask&(d[8]^ed[8]), d[9]^mask&(d[9]^ed[9])
}
