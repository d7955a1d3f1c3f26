package curve25519

import (
	"crypto/ecdh"
	"crypto/rand"
	"testing"

	"filippo.io/edwards25519"
)

// The X25519 benchmarks compare, on whatever GOOS/GOARCH runs them, the ways
// package crypto can compute X25519 (its own PrivateKey benchmarks are in
// crypto/x25519_key_test.go). Under js/wasm:
//
//	GOOS=js GOARCH=wasm go test -run '^$' -bench 'X25519' \
//	    -exec "$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./crypto/...

func reportOpsPerSecond(b *testing.B) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)/s, "ops/s")
	}
}

// BenchmarkX25519ScalarMult is ScalarMult, the ladder PrivateKey.DH
// uses under js/wasm (variable base).
func BenchmarkX25519ScalarMult(b *testing.B) {
	var k, u, out [32]byte
	rand.Read(k[:])
	rand.Read(u[:])
	for b.Loop() {
		ScalarMult(&out, &k, &u)
	}
	reportOpsPerSecond(b)
}

// BenchmarkX25519ECDH is crypto/ecdh's X25519 Diffie-Hellman (variable base).
func BenchmarkX25519ECDH(b *testing.B) {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	peer, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	pub := peer.PublicKey()
	for b.Loop() {
		if _, err := k.ECDH(pub); err != nil {
			b.Fatal(err)
		}
	}
	reportOpsPerSecond(b)
}

// BenchmarkX25519BaseEdwards is a public key by filippo.io/edwards25519's
// fixed-base tables, then the birational map to u.
func BenchmarkX25519BaseEdwards(b *testing.B) {
	var k [32]byte
	rand.Read(k[:])
	s, err := edwards25519.NewScalar().SetBytesWithClamping(k[:])
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		new(edwards25519.Point).ScalarBaseMult(s).BytesMontgomery()
	}
	reportOpsPerSecond(b)
}

// BenchmarkX25519BaseTable is a public key by this package's fixed-base
// tables over fieldElement (ScalarBaseMult).
func BenchmarkX25519BaseTable(b *testing.B) {
	var k, out [32]byte
	rand.Read(k[:])
	basepoints()
	for b.Loop() {
		ScalarBaseMult(&out, &k)
	}
	reportOpsPerSecond(b)
}

// BenchmarkX25519BaseTableBuild is the one-off cost of building those tables.
func BenchmarkX25519BaseTableBuild(b *testing.B) {
	for b.Loop() {
		newBasepointTable()
	}
}
