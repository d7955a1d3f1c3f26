package crypto

import (
	"bytes"
	"crypto/rand"
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// The field is checked against math/big: every operation, on random inputs
// and on inputs at the limb bounds fieldElement's comment states, where an
// overflow of a column would show.

var (
	fieldP = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	// limbOffsets are the bit weights of the ten limbs, ceil(25.5·i).
	limbOffsets = [10]uint{0, 26, 51, 77, 102, 128, 153, 179, 204, 230}
)

const (
	// reducedBound is the largest limb magnitude a multiplication returns.
	reducedBound = 1<<26 + 1<<17
	// inputBound is the largest limb magnitude the multiplications accept,
	// above the sum or difference of two reduced elements.
	inputBound = 1<<27 + 1<<24
)

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

// randomLimbs returns limbs uniform in [-bound, bound]; with extreme set,
// each is ±bound, the worst case for the columns.
func randomLimbs(r *mrand.Rand, bound int64, extreme bool) fieldElement {
	var f fieldElement
	for i := range f {
		if extreme {
			f[i] = bound
			if r.IntN(2) == 0 {
				f[i] = -bound
			}
			continue
		}
		f[i] = r.Int64N(2*bound+1) - bound
	}
	return f
}

func checkReduced(t *testing.T, what string, h *fieldElement) {
	t.Helper()
	for i, l := range h {
		if l > reducedBound || l < -reducedBound {
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
	for i := range 3000 {
		extreme := i%3 == 0
		// Inputs of mul and sq at the widest limbs they accept; inputs of the
		// fused forms reduced, so that their sums and differences are too.
		f, g := randomLimbs(r, inputBound, extreme), randomLimbs(r, inputBound, extreme)
		a, b := randomLimbs(r, reducedBound, extreme), randomLimbs(r, reducedBound, extreme)
		c, d := randomLimbs(r, reducedBound, extreme), randomLimbs(r, reducedBound, extreme)
		fb, gb := feBig(&f), feBig(&g)
		ab, bb, cb, db := feBig(&a), feBig(&b), feBig(&c), feBig(&d)
		sum := func(x, y *big.Int) *big.Int { return new(big.Int).Add(x, y) }
		diff := func(x, y *big.Int) *big.Int { return new(big.Int).Sub(x, y) }

		var h fieldElement
		check := func(what string, want *big.Int) {
			t.Helper()
			checkReduced(t, what, &h)
			if got := feBig(&h); got.Cmp(want.Mod(want, fieldP)) != 0 {
				t.Fatalf("case %d: %s = %v, want %v", i, what, got, want)
			}
		}
		h.mul(&f, &g)
		check("mul", mulBig(fb, gb))
		h.sq(&f)
		check("sq", mulBig(fb, fb))
		h.mulSubAdd(&a, &b, &c, &d)
		check("mulSubAdd", mulBig(diff(ab, bb), sum(cb, db)))
		h.mulAddSub(&a, &b, &c, &d)
		check("mulAddSub", mulBig(sum(ab, bb), diff(cb, db)))
		h.sqAdd(&a, &b)
		check("sqAdd", mulBig(sum(ab, bb), sum(ab, bb)))
		h.sqSub(&a, &b)
		check("sqSub", mulBig(diff(ab, bb), diff(ab, bb)))
		h.mulA24Sub(&a, &b)
		check("mulA24Sub", mulBig(big.NewInt(a24), diff(ab, bb)))
		// Aliasing: the output may be an input.
		h = f
		h.mul(&h, &g)
		check("mul in place", mulBig(fb, gb))
		h = f
		h.sq(&h)
		check("sq in place", mulBig(fb, fb))
	}
}

func TestFieldInvert(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	for range 100 {
		f := randomLimbs(r, reducedBound, false)
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
		cases = append(cases, randomLimbs(r, 1<<30-1, i%4 == 0))
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
	for _, v := range rfc7748Vectors {
		a, b := hex32(f, v.u), hex32(f, v.out)
		f.Add(a[:], b[:])
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
