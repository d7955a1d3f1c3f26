package curve25519

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"testing"

	"filippo.io/edwards25519"
)

// TestVarTimeDoubleBaseMult compares h·A + s·B with filippo.io/edwards25519
// on random scalars and points.
func TestVarTimeDoubleBaseMult(t *testing.T) {
	for range 50 {
		var wide [64]byte
		rand.Read(wide[:])
		h, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
		rand.Read(wide[:])
		s, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
		rand.Read(wide[:])
		a, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
		refA := new(edwards25519.Point).ScalarBaseMult(a)

		var pA Point
		var y fieldElement
		enc := [32]byte(refA.Bytes())
		sign := int(enc[31] >> 7)
		enc[31] &= 0x7f
		y.setBytes(&enc)
		if !pA.setY(&y, sign) {
			t.Fatal("setY refused a valid point")
		}
		got := pA.Bytes()
		if !bytes.Equal(got[:], refA.Bytes()) {
			t.Fatalf("decode then encode: %x, want %x", got, refA.Bytes())
		}

		hb, sb := [32]byte(h.Bytes()), [32]byte(s.Bytes())
		var p Point
		got = p.VarTimeDoubleScalarBaseMult(&hb, &pA, &sb).Bytes()
		want := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(h, refA, s).Bytes()
		if !bytes.Equal(got[:], want) {
			t.Fatalf("h·A + s·B = %x, want %x", got, want)
		}
	}
}

// TestSetMontgomery maps points of filippo.io/edwards25519 to u and back,
// with either sign, and checks the refusals: u = -1, u >= p, bit 255 set.
func TestSetMontgomery(t *testing.T) {
	for range 50 {
		var wide [64]byte
		rand.Read(wide[:])
		a, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
		refA := new(edwards25519.Point).ScalarBaseMult(a)
		u := [32]byte(refA.BytesMontgomery())
		want := [32]byte(refA.Bytes())
		var p Point
		got, ok := p.SetMontgomery(&u, int(want[31]>>7))
		if !ok || got != want {
			t.Fatalf("SetMontgomery(%x) = %x, %v; want %x", u, got, ok, want)
		}
		if enc := p.Bytes(); enc != want {
			t.Fatalf("SetMontgomery's point encodes as %x, want %x", enc, want)
		}
		minusA := new(edwards25519.Point).Negate(refA).Bytes()
		if got, ok := p.SetMontgomery(&u, int(want[31]>>7)^1); !ok || !bytes.Equal(got[:], minusA) {
			t.Fatalf("SetMontgomery(%x) with the other sign = %x, %v; want -A %x", u, got, ok, minusA)
		}
	}
	minusOne := [32]byte{0xec}
	pPlus := [32]byte{0xee}
	for i := 1; i < 31; i++ {
		minusOne[i], pPlus[i] = 0xff, 0xff
	}
	minusOne[31], pPlus[31] = 0x7f, 0x7f
	nine := [32]byte{9}
	nine[31] |= 0x80
	for _, u := range [][32]byte{minusOne, pPlus, nine} {
		var p Point
		if _, ok := p.SetMontgomery(&u, 0); ok {
			t.Errorf("SetMontgomery accepted u = %x", u)
		}
	}
}

// TestNonAdjacentForm checks the digits' shape and that they sum back to the
// scalar.
func TestNonAdjacentForm(t *testing.T) {
	for i := range 200 {
		var s [32]byte
		rand.Read(s[:])
		s[31] &= 0x7f
		if i == 0 {
			s = [32]byte{}
			s[31] = 0x7f
			for j := range 31 {
				s[j] = 0xff
			}
		}
		for _, w := range []uint{nafWidthA, nafWidthB} {
			naf := nonAdjacentForm(&s, w)
			sum := new(big.Int)
			last := -int(w)
			for j, d := range naf {
				if d == 0 {
					continue
				}
				if d%2 == 0 || int(d) >= 1<<(w-1) || int(d) <= -(1<<(w-1)) {
					t.Fatalf("digit %d = %d", j, d)
				}
				if j-last < int(w) {
					t.Fatalf("nonzero digits %d and %d closer than %d", last, j, w)
				}
				last = j
				sum.Add(sum, new(big.Int).Lsh(big.NewInt(int64(d)), uint(j)))
			}
			if want := new(big.Int).SetBytes(reverse(s[:])); sum.Cmp(want) != 0 {
				t.Fatalf("width %d: digits sum to %v, want %v", w, sum, want)
			}
		}
	}
}
