package curve25519

// Curve25519's twisted Edwards form, edwards25519: -x² + y² = 1 + d·x²·y²,
// birationally equivalent to the Montgomery curve X25519 uses by
// u = (1 + y) / (1 - y). It is here, over fieldElement, for what the
// Montgomery ladder cannot do or does badly, under js/wasm: multiplying the
// fixed base point with precomputed tables (basepoint.go, public keys) and
// checking XEdDSA's equation (edwards_vartime.go). filippo.io/edwards25519
// does both over 51-bit limbs, whose products wasm has to emulate; natively
// it stays in use. The formulas are Hisil, Wong, Carter and Dawson's for
// a = -1 ("Twisted Edwards curves revisited", 2008): add-2008-hwcd-3, which
// is complete on this curve, and dbl-2008-hwcd.

// Point is a point on edwards25519, in extended coordinates (X : Y : Z : T):
// x = X/Z, y = Y/Z, x·y = T/Z. Every coordinate is reduced. The zero value
// is not a point; SetMontgomery, Negate and VarTimeDoubleScalarBaseMult set
// one.
type Point struct{ x, y, z, t fieldElement }

// affineCached is an affine point prepared for addition, as the tables keep
// it: y + x, y - x and 2d·x·y, all reduced.
type affineCached struct{ yPlusX, yMinusX, xy2d fieldElement }

// edwardsD is the curve constant d = -121665/121666 (RFC 7748 section 4.1).
var edwardsD = func() fieldElement {
	var num, den fieldElement
	num[0] = -121665
	den[0] = 121666
	den.invert(&den)
	num.mul(&num, &den)
	return num
}()

// edwardsD2 is 2d, which the addition formulas use.
var edwardsD2 = func() fieldElement {
	var f fieldElement
	f.add(&edwardsD, &edwardsD)
	f.reduce()
	return f
}()

// edwardsBase is the base point B = (x, 4/5) with x even (RFC 8032 section
// 5.1), which the birational map takes to X25519's u = 9. Its coordinates
// are little-endian; the tests check them against the curve equation and
// against filippo.io/edwards25519.
var edwardsBase = func() Point {
	x := [32]byte{
		0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c, 0x69,
		0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21,
	}
	y := [32]byte{
		0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	}
	var b Point
	b.x.setBytes(&x)
	b.y.setBytes(&y)
	b.z.one()
	b.t.mul(&b.x, &b.y)
	return b
}()

// identity sets p to the neutral element (0, 1).
func (p *Point) identity() {
	*p = Point{}
	p.y.one()
	p.z.one()
}

// negate sets c = -e: -(x, y) = (-x, y) swaps y + x with y - x and negates
// 2d·x·y.
func (c *affineCached) negate(e *affineCached) {
	c.yPlusX, c.yMinusX = e.yMinusX, e.yPlusX
	c.xy2d.neg(&e.xy2d)
}

// identity sets c to the neutral element as a table entry: y+x = y-x = 1.
func (c *affineCached) identity() {
	*c = affineCached{}
	c.yPlusX.one()
	c.yMinusX.one()
}

// addAffine sets p = q + c (add-2008-hwcd-3 with Z2 = 1). The magnitudes
// multiplied are at most 3 · 3 (see fieldElement).
func (p *Point) addAffine(q *Point, c *affineCached) {
	var a, b, cc, d, e, f, g, h fieldElement
	a.sub(&q.y, &q.x)
	a.mul(&a, &c.yMinusX) // A = (Y1 - X1)·(y2 - x2)
	b.add(&q.y, &q.x)
	b.mul(&b, &c.yPlusX)  // B = (Y1 + X1)·(y2 + x2)
	cc.mul(&q.t, &c.xy2d) // C = T1·2d·x2·y2
	d.add(&q.z, &q.z)     // D = 2·Z1
	e.sub(&b, &a)
	f.sub(&d, &cc)
	g.add(&d, &cc)
	h.add(&b, &a)
	p.x.mul(&e, &f)
	p.y.mul(&g, &h)
	p.t.mul(&e, &h)
	p.z.mul(&f, &g)
}

// add sets p = q + r (add-2008-hwcd-3).
func (p *Point) add(q, r *Point) {
	var c projCached
	c.fromPoint(r)
	p.addProj(q, &c, false)
}

// projCached is a point prepared for addition in projective form: Y + X,
// Y - X, Z and 2d·T, all reduced.
type projCached struct{ yPlusX, yMinusX, z, t2d fieldElement }

func (c *projCached) fromPoint(p *Point) {
	c.yPlusX.add(&p.y, &p.x)
	c.yPlusX.reduce()
	c.yMinusX.sub(&p.y, &p.x)
	c.yMinusX.reduce()
	c.z = p.z
	c.t2d.mul(&p.t, &edwardsD2)
}

// addProj sets p = q + c, or q - c when negate is set (add-2008-hwcd-3;
// -(x, y) = (-x, y) swaps Y + X with Y - X and negates T).
func (p *Point) addProj(q *Point, c *projCached, negate bool) {
	plus, minus := &c.yPlusX, &c.yMinusX
	if negate {
		plus, minus = minus, plus
	}
	var a, b, cc, d, e, f, g, h fieldElement
	a.sub(&q.y, &q.x)
	a.mul(&a, minus) // A = (Y1 - X1)·(Y2 - X2)
	b.add(&q.y, &q.x)
	b.mul(&b, plus)      // B = (Y1 + X1)·(Y2 + X2)
	cc.mul(&q.t, &c.t2d) // C = T1·2d·T2
	d.mul(&q.z, &c.z)
	d.add(&d, &d) // D = 2·Z1·Z2
	p.finishAdd(&a, &b, &cc, &d, &e, &f, &g, &h, negate)
}

// finishAdd is the end of add-2008-hwcd-3 from A, B, C and D, with C
// negated when the second point was; e, f, g and h are scratch.
func (p *Point) finishAdd(a, b, c, d, e, f, g, h *fieldElement, negate bool) {
	if negate {
		c.neg(c)
	}
	e.sub(b, a)
	f.sub(d, c)
	g.add(d, c)
	h.add(b, a)
	p.x.mul(e, f)
	p.y.mul(g, h)
	p.t.mul(e, h)
	p.z.mul(f, g)
}

// double sets p = 2·q (dbl-2008-hwcd, a = -1). The magnitudes multiplied
// are at most 3 · 4.
func (p *Point) double(q *Point) { p.doubleWithT(q, true) }

// doubleWithT is double, leaving T out when withT is false: a doubling does
// not read it, so a doubling followed by another needs none.
func (p *Point) doubleWithT(q *Point, withT bool) {
	// E, F, G and H are computed negated, which saves two passes and leaves
	// every product unchanged.
	var a, b, c, e, f, g, h fieldElement
	a.sq(&q.x)          // A = X1²
	b.sq(&q.y)          // B = Y1²
	c.sq(&q.z)          //
	c.add(&c, &c)       // C = 2·Z1²
	h.add(&a, &b)       // -H = -(a·A - B) = A + B, a = -1
	e.sqAdd(&q.x, &q.y) //
	e.sub(&h, &e)       // -E = A + B - (X1 + Y1)²
	g.sub(&a, &b)       // -G = -(a·A + B)
	f.add(&c, &g)       // -F = -(G - C)
	p.x.mul(&e, &f)
	p.y.mul(&g, &h)
	if withT {
		p.t.mul(&e, &h)
	}
	p.z.mul(&f, &g)
}

// fromExtended sets c to p as a table entry, given 1/Z.
func (c *affineCached) fromExtended(p *Point, zInv *fieldElement) {
	var x, y fieldElement
	x.mul(&p.x, zInv)
	y.mul(&p.y, zInv)
	c.yPlusX.add(&y, &x)
	c.yPlusX.reduce()
	c.yMinusX.sub(&y, &x)
	c.yMinusX.reduce()
	c.xy2d.mul(&x, &y)
	c.xy2d.mul(&c.xy2d, &edwardsD2)
}

// montgomeryU writes the X25519 u-coordinate of p, (Z + Y) / (Z - Y), to
// out: u = (1 + y) / (1 - y). The identity (y = 1) gives 0.
func (p *Point) montgomeryU(out *[32]byte) {
	var n, d fieldElement
	n.add(&p.z, &p.y)
	d.sub(&p.z, &p.y)
	d.invert(&d)
	n.mul(&n, &d)
	n.bytes(out)
}

// Negate sets p = -q = (-x, y) and returns p.
func (p *Point) Negate(q *Point) *Point {
	p.x.neg(&q.x)
	p.y = q.y
	p.z = q.z
	p.t.neg(&q.t)
	p.x.reduce()
	p.t.reduce()
	return p
}

// SetMontgomery is XEdDSA's convert_mont(u) (section 2.2) with the sign of x
// supplied (0 or 1) rather than fixed at 0: it sets p to the point whose y is
// (u - 1) / (u + 1) and returns p's encoding, which comes without an
// inversion since Z is 1. It refuses (ok false) u >= p or bit 255 set,
// u = -1, where y is undefined, and a y that is on no point of the curve.
func (p *Point) SetMontgomery(u *[32]byte, sign int) (encoding [32]byte, ok bool) {
	var fu fieldElement
	var canonical [32]byte
	fu.setBytes(u)
	fu.bytes(&canonical)
	if canonical != *u {
		return encoding, false
	}
	var one, num, den, zero, y fieldElement
	one.one()
	den.add(&fu, &one)
	if den.equal(&zero) == 1 {
		return encoding, false
	}
	num.sub(&fu, &one)
	den.invert(&den)
	y.mul(&num, &den)
	if !p.setY(&y, sign) {
		return encoding, false
	}
	y.bytes(&encoding)
	encoding[31] |= byte(p.x.isNegative() << 7)
	return encoding, true
}

// setY sets p to the point with coordinate y whose x is nonnegative (even)
// when sign is 0 and its negation when sign is 1, as
// filippo.io/edwards25519's Point.SetBytes decodes: x = 0 with sign 1 is
// accepted as x = 0. It reports false when no point has this y. y must be
// reduced.
func (p *Point) setY(y *fieldElement, sign int) bool {
	// x² = (y² - 1) / (d·y² + 1) = u / v
	var u, v, y2, one fieldElement
	one.one()
	y2.sq(y)
	u.sub(&y2, &one)
	u.reduce()
	v.mul(&y2, &edwardsD)
	v.add(&v, &one)
	v.reduce()

	// r = u·v³·(u·v⁷)^((p-5)/8), a square root of u/v or of -u/v.
	var v3, uv3, uv7, r, check, uNeg fieldElement
	v3.sq(&v)
	v3.mul(&v3, &v)
	uv3.mul(&u, &v3)
	uv7.sq(&v3)
	uv7.mul(&uv7, &v)
	uv7.mul(&uv7, &u)
	r.pow22523(&uv7)
	r.mul(&r, &uv3)
	check.sq(&r)
	check.mul(&check, &v)
	uNeg.neg(&u)
	switch {
	case check.equal(&u) == 1:
	case check.equal(&uNeg) == 1:
		r.mul(&r, &sqrtM1)
	default:
		return false
	}
	if r.isNegative() == 1 {
		r.neg(&r)
		r.reduce()
	}
	if sign == 1 {
		r.neg(&r)
		r.reduce()
	}
	p.x = r
	p.y = *y
	p.z.one()
	p.t.mul(&r, y)
	return true
}

// Bytes returns RFC 8032's encoding of p: y, with the sign (parity) of x in
// bit 255.
func (p *Point) Bytes() [32]byte {
	var zInv, x, y fieldElement
	zInv.invert(&p.z)
	x.mul(&p.x, &zInv)
	y.mul(&p.y, &zInv)
	var out [32]byte
	y.bytes(&out)
	out[31] |= byte(x.isNegative() << 7)
	return out
}

// batchToAffine sets out[i] to points[i] as a table entry, with one
// inversion for all of them (Montgomery's trick): prefix products of the Z
// coordinates forward, then one factor peeled off per entry going back.
func batchToAffine(out []affineCached, points []Point) {
	prefix := make([]fieldElement, len(points))
	acc := fieldElement{1}
	for n := range points {
		prefix[n] = acc
		acc.mul(&acc, &points[n].z)
	}
	var inv fieldElement
	inv.invert(&acc)
	for n := len(points) - 1; n >= 0; n-- {
		var zInv fieldElement
		zInv.mul(&inv, &prefix[n])  // 1/Z_n
		inv.mul(&inv, &points[n].z) // 1/(Z_0·…·Z_{n-1})
		out[n].fromExtended(&points[n], &zInv)
	}
}
