// Package curvetest is what the tests of curve25519 and of package crypto
// both check X25519 against: RFC 7748's vectors, the low-order points, and
// crypto/ecdh as the reference. Only tests import it, so none of it reaches
// the wasm module.
package curvetest

import (
	"crypto/ecdh"
	"encoding/hex"
	"testing"
)

// Vector is one X25519 test vector: Out = X25519(Scalar, U).
type Vector struct{ Scalar, U, Out [32]byte }

// RFC7748 are RFC 7748 section 5.2's two X25519 test vectors. The second U
// has bit 255 set, which must be ignored.
var RFC7748 = []Vector{
	{
		Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
		Hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
		Hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
	},
	{
		Hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
		Hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
		Hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
	},
}

// LowOrder are u-coordinates whose X25519 with any clamped scalar is all
// zeros: 0 and 1, the two points of order 8, and p-1, p, p+1 (u = -1, and
// non-canonical encodings of 0 and 1). crypto/ecdh refuses each of them.
var LowOrder = [][32]byte{
	Hex("0000000000000000000000000000000000000000000000000000000000000000"),
	Hex("0100000000000000000000000000000000000000000000000000000000000000"),
	Hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
	Hex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
	Hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
	Hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
	Hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
}

// Hex decodes 64 hex digits, the constants above and in tests; anything
// else is a typo in a test, so it panics.
func Hex(s string) [32]byte {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		panic("curvetest: bad 32-byte hex " + s)
	}
	return [32]byte(b)
}

// ECDH is crypto/ecdh's X25519 of scalar and u, the reference: all zeros
// where crypto/ecdh refuses a low-order point.
func ECDH(tb testing.TB, scalar, u [32]byte) [32]byte {
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

// PublicKey is crypto/ecdh's public key for scalar.
func PublicKey(tb testing.TB, scalar [32]byte) [32]byte {
	tb.Helper()
	priv, err := ecdh.X25519().NewPrivateKey(scalar[:])
	if err != nil {
		tb.Fatal(err)
	}
	return [32]byte(priv.PublicKey().Bytes())
}
