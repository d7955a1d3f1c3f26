package curve25519

import (
	"bytes"
	"crypto/rand"
	"testing"

	"sambung/crypto/internal/curve25519/curvetest"
)

func TestX25519ScalarMultRFC7748(t *testing.T) {
	for i, v := range curvetest.RFC7748 {
		var out [32]byte
		ScalarMult(&out, &v.Scalar, &v.U)
		if out != v.Out {
			t.Errorf("vector %d: got %x, want %x", i, out, v.Out)
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
		ScalarMult(&out, &k, &u)
		u, k = k, out
		if w, ok := want[i]; ok && k != curvetest.Hex(w) {
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
	for _, u := range curvetest.LowOrder {
		var k [32]byte
		rand.Read(k[:])
		inputs = append(inputs, [2][32]byte{k, u})
		u[31] |= 0x80
		inputs = append(inputs, [2][32]byte{k, u})
	}
	for _, in := range inputs {
		k, u := in[0], in[1]
		var got [32]byte
		ScalarMult(&got, &k, &u)
		if want := curvetest.ECDH(t, k, u); got != want {
			t.Fatalf("X25519(%x, %x) = %x, crypto/ecdh says %x", k, u, got, want)
		}
	}
}

func TestX25519ScalarMultLowOrder(t *testing.T) {
	for _, u := range curvetest.LowOrder {
		var k [32]byte
		rand.Read(k[:])
		var out [32]byte
		ScalarMult(&out, &k, &u)
		if out != ([32]byte{}) {
			t.Errorf("low-order u %x gave %x, want zeros", u, out)
		}
	}
}

// TestX25519ScalarMultAliasing: out may be the same array as the scalar or u.
func TestX25519ScalarMultAliasing(t *testing.T) {
	v := curvetest.RFC7748[0]
	k, u := v.Scalar, v.U
	ScalarMult(&k, &k, &u)
	if k != v.Out {
		t.Errorf("out aliasing scalar: got %x", k)
	}
	k = v.Scalar
	ScalarMult(&u, &k, &u)
	if u != v.Out {
		t.Errorf("out aliasing u: got %x", u)
	}
}

// FuzzX25519ScalarMult checks the ladder against crypto/ecdh on any 32-byte
// scalar and u, seeded with the RFC 7748 vectors and the low-order points.
func FuzzX25519ScalarMult(f *testing.F) {
	for _, v := range curvetest.RFC7748 {
		f.Add(v.Scalar[:], v.U[:])
	}
	for _, u := range curvetest.LowOrder {
		f.Add(curvetest.RFC7748[0].Scalar[:], u[:])
	}
	nines := bytes.Repeat([]byte{0xff}, 32)
	f.Add(nines, nines)
	f.Fuzz(func(t *testing.T, scalar, u []byte) {
		if len(scalar) != 32 || len(u) != 32 {
			return
		}
		k, v := [32]byte(scalar), [32]byte(u)
		var got [32]byte
		ScalarMult(&got, &k, &v)
		if want := curvetest.ECDH(t, k, v); got != want {
			t.Fatalf("X25519(%x, %x) = %x, crypto/ecdh says %x", k, v, got, want)
		}
	})
}
