package curve25519

import (
	"bytes"
	"crypto/rand"
	"math/big"
	"testing"

	"filippo.io/edwards25519"

	"sambung/crypto/internal/curve25519/curvetest"
)

// TestEdwardsConstants checks 2d and B from their definitions: B is on the
// curve, y = 4/5, x is even, and B maps to X25519's base point u = 9.
func TestEdwardsConstants(t *testing.T) {
	p := fieldP
	inv := func(v *big.Int) *big.Int { return new(big.Int).ModInverse(v, p) }
	d := new(big.Int).Mul(big.NewInt(-121665), inv(big.NewInt(121666)))
	d.Mod(d, p)
	if got, want := feBig(&edwardsD2), new(big.Int).Mod(new(big.Int).Lsh(d, 1), p); got.Cmp(want) != 0 {
		t.Fatalf("2d = %v, want %v", got, want)
	}

	x, y := feBig(&edwardsBase.x), feBig(&edwardsBase.y)
	if want := new(big.Int).Mod(new(big.Int).Mul(big.NewInt(4), inv(big.NewInt(5))), p); y.Cmp(want) != 0 {
		t.Fatal("B's y is not 4/5")
	}
	if x.Bit(0) != 0 {
		t.Fatal("B's x is odd")
	}
	x2 := new(big.Int).Mul(x, x)
	y2 := new(big.Int).Mul(y, y)
	lhs := new(big.Int).Sub(y2, x2)
	rhs := new(big.Int).Add(big.NewInt(1), new(big.Int).Mul(d, new(big.Int).Mul(x2, y2)))
	if new(big.Int).Sub(lhs, rhs).Mod(new(big.Int).Sub(lhs, rhs), p).Sign() != 0 {
		t.Fatal("B is not on the curve")
	}
	var u [32]byte
	b := edwardsBase
	b.montgomeryU(&u)
	if u != ([32]byte{9}) {
		t.Fatalf("B maps to u = %x, want 9", u)
	}
}

// TestEdwardsDoubleIsAdd checks double and add against each other and
// against filippo.io/edwards25519 on multiples of B.
func TestEdwardsDoubleIsAdd(t *testing.T) {
	p := edwardsBase
	ref := edwards25519.NewGeneratorPoint()
	for i := range 20 {
		var viaAdd, viaDouble Point
		viaAdd.add(&p, &p)
		viaDouble.double(&p)
		var u1, u2 [32]byte
		viaAdd.montgomeryU(&u1)
		viaDouble.montgomeryU(&u2)
		ref.Add(ref, ref)
		if u1 != u2 || !bytes.Equal(u1[:], ref.BytesMontgomery()) {
			t.Fatalf("2^%d·B: add %x, double %x, edwards25519 %x", i+1, u1, u2, ref.BytesMontgomery())
		}
		p = viaDouble
	}
}

// TestX25519BaseMatchesECDH compares fixed-base public keys with
// crypto/ecdh's, on random scalars and on ones whose digits sit at the ends
// of their range.
func TestX25519BaseMatchesECDH(t *testing.T) {
	var scalars [][32]byte
	for _, fill := range []byte{0x00, 0xff, 0x88, 0x77, 0x80, 0x08} {
		var k [32]byte
		for i := range k {
			k[i] = fill
		}
		scalars = append(scalars, k)
	}
	for _, v := range curvetest.RFC7748 {
		scalars = append(scalars, v.Scalar)
	}
	for range 300 {
		var k [32]byte
		rand.Read(k[:])
		scalars = append(scalars, k)
	}
	for _, k := range scalars {
		checkBaseMatchesECDH(t, k)
	}
}

// checkBaseMatchesECDH compares ScalarBaseMult's public key for k with
// crypto/ecdh's.
func checkBaseMatchesECDH(t *testing.T, k [32]byte) {
	t.Helper()
	var got [32]byte
	ScalarBaseMult(&got, &k)
	if want := curvetest.PublicKey(t, k); got != want {
		t.Fatalf("public key of %x: %x, crypto/ecdh says %x", k, got, want)
	}
}

// FuzzX25519Base checks fixed-base public keys against crypto/ecdh.
func FuzzX25519Base(f *testing.F) {
	for _, v := range curvetest.RFC7748 {
		f.Add(v.Scalar[:])
	}
	f.Add(bytes.Repeat([]byte{0xff}, 32))
	f.Add(make([]byte, 32))
	f.Fuzz(func(t *testing.T, scalar []byte) {
		if len(scalar) != 32 {
			return
		}
		checkBaseMatchesECDH(t, [32]byte(scalar))
	})
}

// TestPointScalarBaseMult compares s·B on edwards25519 with
// filippo.io/edwards25519, on scalars reduced mod the group order (XEdDSA's
// nonces) and on clamped ones (its key pairs), encodings compared.
func TestPointScalarBaseMult(t *testing.T) {
	for i := range 200 {
		var wide [64]byte
		rand.Read(wide[:])
		s, _ := edwards25519.NewScalar().SetUniformBytes(wide[:])
		k := [32]byte(s.Bytes())
		if i%2 == 1 {
			copy(k[:], wide[:32])
			k[0] &= 248
			k[31] &= 127
			k[31] |= 64
			s, _ = edwards25519.NewScalar().SetBytesWithClamping(k[:])
		}
		var p Point
		got := p.ScalarBaseMult(&k).Bytes()
		if want := new(edwards25519.Point).ScalarBaseMult(s).Bytes(); !bytes.Equal(got[:], want) {
			t.Fatalf("%x·B = %x, edwards25519 says %x", k, got, want)
		}
	}
}
