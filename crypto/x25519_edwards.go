package crypto

// Curve25519's twisted Edwards form, edwards25519: -x² + y² = 1 + d·x²·y²,
// birationally equivalent to the Montgomery curve X25519 uses by
// u = (1 + y) / (1 - y). It is here, over fieldElement, for what the
// Montgomery ladder does badly: multiplying the fixed base point with
// precomputed tables (x25519_basepoint.go), for public keys under js/wasm.
// filippo.io/edwards25519 has the same tables over 51-bit limbs, whose
// products wasm has to emulate. The formulas are Hisil, Wong, Carter and
// Dawson's for a = -1 ("Twisted Edwards curves revisited", 2008):
// add-2008-hwcd-3, which is complete on this curve, and dbl-2008-hwcd.

// edwardsPoint is a point in extended coordinates (X : Y : Z : T):
// x = X/Z, y = Y/Z, x·y = T/Z. Every coordinate is reduced.
type edwardsPoint struct{ x, y, z, t fieldElement }

// affineCached is an affine point prepared for addition, as the tables keep
// it: y + x, y - x and 2d·x·y, all reduced.
type affineCached struct{ yPlusX, yMinusX, xy2d fieldElement }

// edwardsD2 is 2d, twice the curve constant d = -121665/121666 (RFC 7748
// section 4.1).
var edwardsD2 = func() fieldElement {
	var num, den fieldElement
	num[0] = -2 * 121665
	den[0] = 121666
	den.invert(&den)
	num.mul(&num, &den)
	return num
}()

// edwardsBase is the base point B = (x, 4/5) with x even (RFC 8032 section
// 5.1), which the birational map takes to X25519's u = 9. Its coordinates
// are little-endian; the tests check them against the curve equation and
// against filippo.io/edwards25519.
var edwardsBase = func() edwardsPoint {
	x := [32]byte{
		0x1a, 0xd5, 0x25, 0x8f, 0x60, 0x2d, 0x56, 0xc9, 0xb2, 0xa7, 0x25, 0x95, 0x60, 0xc7, 0x2c, 0x69,
		0x5c, 0xdc, 0xd6, 0xfd, 0x31, 0xe2, 0xa4, 0xc0, 0xfe, 0x53, 0x6e, 0xcd, 0xd3, 0x36, 0x69, 0x21,
	}
	y := [32]byte{
		0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
	}
	var b edwardsPoint
	b.x.setBytes(&x)
	b.y.setBytes(&y)
	b.z.one()
	b.t.mul(&b.x, &b.y)
	return b
}()

// identity sets p to the neutral element (0, 1).
func (p *edwardsPoint) identity() {
	*p = edwardsPoint{}
	p.y.one()
	p.z.one()
}

// identity sets c to the neutral element as a table entry: y+x = y-x = 1.
func (c *affineCached) identity() {
	*c = affineCached{}
	c.yPlusX.one()
	c.yMinusX.one()
}

// addAffine sets p = q + c (add-2008-hwcd-3 with Z2 = 1). The magnitudes
// multiplied are at most 3 · 3 (see fieldElement).
func (p *edwardsPoint) addAffine(q *edwardsPoint, c *affineCached) {
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

// add sets p = q + r (add-2008-hwcd-3). The magnitudes multiplied are at
// most 3 · 3.
func (p *edwardsPoint) add(q, r *edwardsPoint) {
	var a, b, c, d, e, f, g, h, t fieldElement
	a.sub(&q.y, &q.x)
	t.sub(&r.y, &r.x)
	a.mul(&a, &t) // A = (Y1 - X1)·(Y2 - X2)
	b.add(&q.y, &q.x)
	t.add(&r.y, &r.x)
	b.mul(&b, &t) // B = (Y1 + X1)·(Y2 + X2)
	c.mul(&q.t, &r.t)
	c.mul(&c, &edwardsD2) // C = T1·2d·T2
	d.mul(&q.z, &r.z)
	d.add(&d, &d) // D = 2·Z1·Z2
	e.sub(&b, &a)
	f.sub(&d, &c)
	g.add(&d, &c)
	h.add(&b, &a)
	p.x.mul(&e, &f)
	p.y.mul(&g, &h)
	p.t.mul(&e, &h)
	p.z.mul(&f, &g)
}

// double sets p = 2·q (dbl-2008-hwcd, a = -1). The magnitudes multiplied
// are at most 3 · 4.
func (p *edwardsPoint) double(q *edwardsPoint) {
	var a, b, c, e, f, g, h fieldElement
	a.sq(&q.x)          // A = X1²
	b.sq(&q.y)          // B = Y1²
	c.sq(&q.z)          //
	c.add(&c, &c)       // C = 2·Z1²
	e.sqAdd(&q.x, &q.y) //
	e.sub(&e, &a)       //
	e.sub(&e, &b)       // E = (X1 + Y1)² - A - B
	g.sub(&b, &a)       // G = a·A + B, a = -1
	f.sub(&g, &c)       // F = G - C
	h.add(&a, &b)       //
	h.neg(&h)           // H = a·A - B
	p.x.mul(&e, &f)
	p.y.mul(&g, &h)
	p.t.mul(&e, &h)
	p.z.mul(&f, &g)
}

// fromExtended sets c to p as a table entry, given 1/Z.
func (c *affineCached) fromExtended(p *edwardsPoint, zInv *fieldElement) {
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
func (p *edwardsPoint) montgomeryU(out *[32]byte) {
	var n, d fieldElement
	n.add(&p.z, &p.y)
	d.sub(&p.z, &p.y)
	d.invert(&d)
	n.mul(&n, &d)
	n.bytes(out)
}
