package crypto

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/hex"
	"testing"
)

// rfc7748Vectors are RFC 7748 section 5.2's two X25519 test vectors:
// scalar, u-coordinate, result. The second u has bit 255 set, which must be
// ignored.
var rfc7748Vectors = []struct{ scalar, u, out string }{
	{
		"a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4",
		"e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c",
		"c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
	},
	{
		"4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d",
		"e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493",
		"95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957",
	},
}

// lowOrderU are u-coordinates whose X25519 with any clamped scalar is all
// zeros: 0 and 1, the two points of order 8, and p-1, p, p+1 (u = -1, and
// non-canonical encodings of 0 and 1). crypto/ecdh refuses each of them.
var lowOrderU = []string{
	"0000000000000000000000000000000000000000000000000000000000000000",
	"0100000000000000000000000000000000000000000000000000000000000000",
	"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
	"5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
	"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
	"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
}

func hex32(tb testing.TB, s string) [32]byte {
	tb.Helper()
	var out [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		tb.Fatalf("bad 32-byte hex %q", s)
	}
	copy(out[:], b)
	return out
}

// ecdhX25519 is crypto/ecdh's X25519 of scalar and u, the reference: all
// zeros where crypto/ecdh refuses a low-order point.
func ecdhX25519(tb testing.TB, scalar, u [32]byte) [32]byte {
	tb.Helper()
	priv, err := ecdh.X25519().NewPrivateKey(scalar[:])
	if err != nil {
		tb.Fatal(err)
	}
	pub, err := ecdh.X25519().NewPublicKey(u[:])
	if err != nil {
		tb.Fatal(err)
	}
	var out [32]byte
	if s, err := priv.ECDH(pub); err == nil {
		copy(out[:], s)
	}
	return out
}

func TestX25519ScalarMultRFC7748(t *testing.T) {
	for i, v := range rfc7748Vectors {
		k, u := hex32(t, v.scalar), hex32(t, v.u)
		var out [32]byte
		x25519ScalarMult(&out, &k, &u)
		if out != hex32(t, v.out) {
			t.Errorf("vector %d: got %x, want %s", i, out, v.out)
		}
	}
}

// TestX25519ScalarMultIterated is RFC 7748 section 5.2's iteration: k = u = 9,
// then repeatedly k, u = X25519(k, u), k. The million-round value is left
// out: it takes minutes.
func TestX25519ScalarMultIterated(t *testing.T) {
	want := map[int]string{
		1:    "422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079",
		1000: "684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51",
	}
	var k, u [32]byte
	k[0], u[0] = 9, 9
	for i := 1; i <= 1000; i++ {
		var out [32]byte
		x25519ScalarMult(&out, &k, &u)
		u, k = k, out
		if w, ok := want[i]; ok && k != hex32(t, w) {
			t.Fatalf("after %d iterations: got %x, want %s", i, k, w)
		}
	}
}

// TestX25519ScalarMultMatchesECDH compares with crypto/ecdh on random
// scalars and u-coordinates, including u with bit 255 set, u >= p (every
// byte 0xff) and the low-order points.
func TestX25519ScalarMultMatchesECDH(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	var inputs [][2][32]byte
	for i := range n {
		var k, u [32]byte
		rand.Read(k[:])
		rand.Read(u[:])
		switch i % 4 {
		case 1:
			u[31] |= 0x80
		case 2:
			for j := 1; j < 32; j++ {
				u[j] = 0xff // u in [2^255 - 256, 2^255): mostly >= p
			}
		}
		inputs = append(inputs, [2][32]byte{k, u})
	}
	for _, s := range lowOrderU {
		var k [32]byte
		rand.Read(k[:])
		u := hex32(t, s)
		inputs = append(inputs, [2][32]byte{k, u})
		u[31] |= 0x80
		inputs = append(inputs, [2][32]byte{k, u})
	}
	for _, in := range inputs {
		k, u := in[0], in[1]
		var got [32]byte
		x25519ScalarMult(&got, &k, &u)
		if want := ecdhX25519(t, k, u); got != want {
			t.Fatalf("X25519(%x, %x) = %x, crypto/ecdh says %x", k, u, got, want)
		}
	}
}

func TestX25519ScalarMultLowOrder(t *testing.T) {
	for _, s := range lowOrderU {
		var k [32]byte
		rand.Read(k[:])
		u := hex32(t, s)
		var out [32]byte
		x25519ScalarMult(&out, &k, &u)
		if out != ([32]byte{}) {
			t.Errorf("low-order u %s gave %x, want zeros", s, out)
		}
	}
}

// TestX25519ScalarMultAliasing: out may be the same array as the scalar or u.
func TestX25519ScalarMultAliasing(t *testing.T) {
	v := rfc7748Vectors[0]
	k, u := hex32(t, v.scalar), hex32(t, v.u)
	x25519ScalarMult(&k, &k, &u)
	if k != hex32(t, v.out) {
		t.Errorf("out aliasing scalar: got %x", k)
	}
	k = hex32(t, v.scalar)
	x25519ScalarMult(&u, &k, &u)
	if u != hex32(t, v.out) {
		t.Errorf("out aliasing u: got %x", u)
	}
}

// FuzzX25519ScalarMult checks the ladder against crypto/ecdh on any 32-byte
// scalar and u, seeded with the RFC 7748 vectors and the low-order points.
func FuzzX25519ScalarMult(f *testing.F) {
	for _, v := range rfc7748Vectors {
		k, u := hex32(f, v.scalar), hex32(f, v.u)
		f.Add(k[:], u[:])
	}
	for _, s := range lowOrderU {
		k, u := hex32(f, rfc7748Vectors[0].scalar), hex32(f, s)
		f.Add(k[:], u[:])
	}
	nines := bytes.Repeat([]byte{0xff}, 32)
	f.Add(nines, nines)
	f.Fuzz(func(t *testing.T, scalar, u []byte) {
		if len(scalar) != 32 || len(u) != 32 {
			return
		}
		k, v := [32]byte(scalar), [32]byte(u)
		var got [32]byte
		x25519ScalarMult(&got, &k, &v)
		if want := ecdhX25519(t, k, v); got != want {
			t.Fatalf("X25519(%x, %x) = %x, crypto/ecdh says %x", k, v, got, want)
		}
	})
}
