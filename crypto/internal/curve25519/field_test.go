package curve25519

import (
	"bytes"
	"crypto/rand"
	"math/big"
	mrand "math/rand/v2"
	"testing"

	"sambung/crypto/internal/curve25519/curvetest"
)

// The field is checked against math/big: every operation, on random inputs
// and on inputs at the limb bounds fieldElement's comment states, where an
// overflow of a column would show.

var (
	fieldP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	// limbOffsets are the bit weights of the ten limbs, ceil(25.5·i).
	limbOffsets = [10]uint{0, 26, 51, 77, 102, 128, 153, 179, 204, 230}
)

// reducedMagnitude is the magnitude (see fieldElement) of what the
// multiplications return.
const reducedMagnitude = 1.01

// feBig is the integer f's limbs stand for, reduced mod p.
func feBig(f *fieldElement) *big.Int {
	v := new(big.Int)
	for i, l := range f {
		v.Add(v, new(big.Int).Lsh(big.NewInt(l), limbOffsets[i]))
	}
	return v.Mod(v, fieldP)
}

// littleEndian is v as 32 little-endian bytes; v must be below 2^256.
func littleEndian(v *big.Int) [32]byte {
	var out [32]byte
	b := v.Bytes()
	for i := range b {
		out[i] = b[len(b)-1-i]
	}
	return out
}

// randomLimbs returns limbs of magnitude k: even limbs uniform within
// k·2^26 of zero, odd ones within k·2^25. With extreme set each limb is at
// that bound with a random sign, the worst case for the columns; with
// positive also set, every limb is at +bound, so every product adds up.
func randomLimbs(r *mrand.Rand, k float64, extreme, positive bool) fieldElement {
	var f fieldElement
	for i := range f {
		bound := int64(k * (1 << 26))
		if i%2 == 1 {
			bound = int64(k * (1 << 25))
		}
		switch {
		case positive:
			f[i] = bound
		case extreme:
			f[i] = bound
			if r.IntN(2) == 0 {
				f[i] = -bound
			}
		default:
			f[i] = r.Int64N(2*bound+1) - bound
		}
	}
	return f
}

// checkReduced checks that h has the magnitude multiplications promise.
func checkReduced(t *testing.T, what string, h *fieldElement) {
	t.Helper()
	k := float64(reducedMagnitude)
	for i, l := range h {
		bound := int64(k * (1 << 26))
		if i%2 == 1 {
			bound = int64(k * (1 << 25))
		}
		if l > bound || l < -bound {
			t.Fatalf("%s: limb %d = %d is not reduced", what, i, l)
		}
	}
}

func mulBig(a, b *big.Int) *big.Int {
	v := new(big.Int).Mul(a, b)
	return v.Mod(v, fieldP)
}

func TestFieldMultiplications(t *testing.T) {
	r := mrand.New(mrand.NewPCG(1, 2))
	// Input magnitudes whose product is the documented limit, 16.
	magnitudes := [][2]float64{{4, 4}, {16, 1}, {1, 16}, {2, 8}, {reducedMagnitude, reducedMagnitude}}
	for i := range 3000 {
		extreme, positive := i%3 == 0, i%3 == 1
		m := magnitudes[i%len(magnitudes)]
		f, g := randomLimbs(r, m[0], extreme, positive), randomLimbs(r, m[1], extreme, positive)
		// The fused forms add or subtract two inputs each: reduced inputs
		// keep them within the ladder's 2.02 · 2.02.
		a, b := randomLimbs(r, reducedMagnitude, extreme, positive), randomLimbs(r, reducedMagnitude, extreme, positive)
		c, d := randomLimbs(r, reducedMagnitude, extreme, !positive && extreme), randomLimbs(r, reducedMagnitude, extreme, positive)
		fb, gb := feBig(&f), feBig(&g)
		ab, bb, cb, db := feBig(&a), feBig(&b), feBig(&c), feBig(&d)
		sum := func(x, y *big.Int) *big.Int { return new(big.Int).Add(x, y) }
		diff := func(x, y *big.Int) *big.Int { return new(big.Int).Sub(x, y) }

		var h fieldElement
		check := func(what string, want *big.Int) {
			t.Helper()
			checkReduced(t, what, &h)
			if got := feBig(&h); got.Cmp(want.Mod(want, fieldP)) != 0 {
				t.Fatalf("case %d (magnitudes %v): %s = %v, want %v", i, m, what, got, want)
			}
		}
		h.mul(&f, &g)
		check("mul", mulBig(fb, gb))
		sqIn := randomLimbs(r, 4, extreme, positive)
		h.sq(&sqIn)
		check("sq", mulBig(feBig(&sqIn), feBig(&sqIn)))
		h.mulSubAdd(&a, &b, &c, &d)
		check("mulSubAdd", mulBig(diff(ab, bb), sum(cb, db)))
		h.mulAddSub(&a, &b, &c, &d)
		check("mulAddSub", mulBig(sum(ab, bb), diff(cb, db)))
		h.sqAdd(&a, &b)
		check("sqAdd", mulBig(sum(ab, bb), sum(ab, bb)))
		h.sqSub(&a, &c)
		check("sqSub", mulBig(diff(ab, cb), diff(ab, cb)))
		h.mulA24Sub(&a, &c)
		check("mulA24Sub", mulBig(big.NewInt(a24), diff(ab, cb)))
		h = f
		h.reduce()
		check("reduce", new(big.Int).Set(fb))
		// Aliasing: the output may be an input.
		h = f
		h.mul(&h, &g)
		check("mul in place", mulBig(fb, gb))
		h = sqIn
		h.sq(&h)
		check("sq in place", mulBig(feBig(&sqIn), feBig(&sqIn)))
	}
}

// TestFieldAddSub checks the carry-free operations.
func TestFieldAddSub(t *testing.T) {
	r := mrand.New(mrand.NewPCG(7, 8))
	for range 200 {
		f, g := randomLimbs(r, 1, false, false), randomLimbs(r, 1, false, false)
		fb, gb := feBig(&f), feBig(&g)
		var h fieldElement
		h.add(&f, &g)
		if want := new(big.Int).Add(fb, gb); feBig(&h).Cmp(want.Mod(want, fieldP)) != 0 {
			t.Fatal("add")
		}
		h.sub(&f, &g)
		if want := new(big.Int).Sub(fb, gb); feBig(&h).Cmp(want.Mod(want, fieldP)) != 0 {
			t.Fatal("sub")
		}
		h.neg(&f)
		if want := new(big.Int).Neg(fb); feBig(&h).Cmp(want.Mod(want, fieldP)) != 0 {
			t.Fatal("neg")
		}
	}
}

func TestFieldInvert(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	for range 100 {
		f := randomLimbs(r, reducedMagnitude, false, false)
		var inv, one fieldElement
		inv.invert(&f)
		one.mul(&f, &inv)
		if feBig(&f).Sign() == 0 {
			continue
		}
		if feBig(&one).Cmp(big.NewInt(1)) != 0 {
			t.Fatalf("f·(1/f) = %v", feBig(&one))
		}
	}
	var zero, inv fieldElement
	inv.invert(&zero)
	if feBig(&inv).Sign() != 0 {
		t.Fatal("1/0 is not 0")
	}
}

// TestFieldBytes checks the canonical encoding, in [0, p), of limbs under
// 2^30 and of the values around p and 2^255.
func TestFieldBytes(t *testing.T) {
	r := mrand.New(mrand.NewPCG(5, 6))
	var cases []fieldElement
	for i := range 2000 {
		cases = append(cases, randomLimbs(r, 15.9, i%4 == 0, i%4 == 1)) // limbs under 2^30
	}
	// Limbs of p - 1, p, p + 1, 2^255 - 1 and 0 (as p, and as -p).
	p := fieldElement{mask26 - 18, mask25, mask26, mask25, mask26, mask25, mask26, mask25, mask26, mask25}
	for _, delta := range []int64{-1, 0, 1, 18, -19} {
		e := p
		e[0] += delta
		cases = append(cases, e)
		for i := range e {
			e[i] = -e[i]
		}
		cases = append(cases, e)
	}
	for _, f := range cases {
		var got [32]byte
		f.bytes(&got)
		if want := littleEndian(feBig(&f)); got != want {
			t.Fatalf("bytes(%v) = %x, want %x", f, got, want)
		}
	}
}

// TestFieldSetBytes: decoding ignores bit 255 and keeps values >= p modulo p;
// a canonical encoding round-trips.
func TestFieldSetBytes(t *testing.T) {
	for i := range 1000 {
		var b [32]byte
		rand.Read(b[:])
		if i%5 == 0 {
			copy(b[1:], bytes.Repeat([]byte{0xff}, 31))
		}
		var f fieldElement
		f.setBytes(&b)
		for j, l := range f {
			if l < 0 || l >= 1<<26 {
				t.Fatalf("limb %d = %d out of range", j, l)
			}
		}
		cleared := b
		cleared[31] &= 0x7f
		v := new(big.Int).SetBytes(reverse(cleared[:]))
		if feBig(&f).Cmp(v.Mod(v, fieldP)) != 0 {
			t.Fatalf("setBytes(%x) = %v", b, feBig(&f))
		}
		var back [32]byte
		f.bytes(&back)
		if back != littleEndian(v) {
			t.Fatalf("setBytes then bytes of %x gave %x", b, back)
		}
	}
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[i] = b[len(b)-1-i]
	}
	return out
}

// FuzzFieldMul decodes two field elements and checks mul, sq, the fused
// forms and the encoding against math/big.
func FuzzFieldMul(f *testing.F) {
	for _, v := range curvetest.RFC7748 {
		f.Add(v.U[:], v.Out[:])
	}
	ones := bytes.Repeat([]byte{0xff}, 32)
	f.Add(ones, ones)
	f.Add(make([]byte, 32), ones)
	f.Fuzz(func(t *testing.T, x, y []byte) {
		if len(x) != 32 || len(y) != 32 {
			return
		}
		var a, b, h fieldElement
		a.setBytes((*[32]byte)(x))
		b.setBytes((*[32]byte)(y))
		ab, bb := feBig(&a), feBig(&b)
		for _, c := range []struct {
			name string
			op   func()
			want *big.Int
		}{
			{"mul", func() { h.mul(&a, &b) }, mulBig(ab, bb)},
			{"sq", func() { h.sq(&a) }, mulBig(ab, ab)},
			{"sqAdd", func() { h.sqAdd(&a, &b) }, mulBig(new(big.Int).Add(ab, bb), new(big.Int).Add(ab, bb))},
			{"mulSubAdd", func() { h.mulSubAdd(&a, &b, &b, &a) }, mulBig(new(big.Int).Sub(ab, bb), new(big.Int).Add(ab, bb))},
		} {
			c.op()
			var got [32]byte
			h.bytes(&got)
			if want := littleEndian(c.want.Mod(c.want, fieldP)); got != want {
				t.Fatalf("%s(%x, %x) = %x, want %x", c.name, x, y, got, want)
			}
		}
	})
}
