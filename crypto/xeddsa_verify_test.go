package crypto

import (
	"bytes"
	"crypto/rand"
	"testing"

	"filippo.io/edwards25519"
)

// Both ways of checking XEdDSA's equation must accept exactly the same
// signatures. Each platform runs one of them through Verify; these tests run
// both everywhere.

// verifyBoth runs both equations on (key, msg, sig) as Verify would and
// fails if they disagree; it returns their verdict.
func verifyBoth(t *testing.T, k PublicKey, msg, sig []byte) bool {
	t.Helper()
	var s edwards25519.Scalar
	if !signatureScalar(&s, sig) {
		return false
	}
	field := k.verifyEquationField(msg, sig[:32], sig[63]&signBit, &s)
	ref := k.verifyEquationEdwards25519(msg, sig[:32], sig[63]&signBit, &s)
	if field != ref {
		t.Fatalf("key %x, msg %x, sig %x: field says %v, edwards25519 says %v", k, msg, sig, field, ref)
	}
	return field
}

func TestVerifyEquationsAgreeOnVectors(t *testing.T) {
	for _, v := range loadXEdDSAVectors(t) {
		pub, err := ParsePublicKey(unhex(t, v.PublicKey))
		if err != nil {
			t.Fatal(err)
		}
		msg, sig := unhex(t, v.Message), unhex(t, v.Signature)
		if got := verifyBoth(t, pub, msg, sig); got != v.Valid {
			t.Fatalf("%s: %v, want %v", v.Name, got, v.Valid)
		}
		// Every seventh bit of R and s flipped, every eleventh of the key.
		for bit := 0; bit < 8*len(sig); bit += 7 {
			bad := bytes.Clone(sig)
			bad[bit/8] ^= 1 << (bit % 8)
			verifyBoth(t, pub, msg, bad)
		}
		for bit := 0; bit < 256; bit += 11 {
			badKey := pub
			badKey[bit/8] ^= 1 << (bit % 8)
			verifyBoth(t, badKey, msg, sig)
		}
	}
}

// TestVerifyEquationsAgreeOnEdgeKeys covers keys that convert_mont refuses
// or maps to special points: u = 0 (y = -1, x = 0, where sign 1 still
// decodes), u = 1, u = -1, u = p and above, bit 255 set, u with no point
// on the curve, each with both sign bits.
func TestVerifyEquationsAgreeOnEdgeKeys(t *testing.T) {
	priv := mustKey(t)
	msg := []byte("edge")
	sig, err := priv.Sign(rand.Reader, msg)
	if err != nil {
		t.Fatal(err)
	}
	// pPlus is p + d, for the d that leave p's low byte (0xed) uncarried.
	pPlus := func(d int) PublicKey {
		k := PublicKey{byte(0xed + d)}
		for i := 1; i < 31; i++ {
			k[i] = 0xff
		}
		k[31] = 0x7f
		return k
	}
	keys := []PublicKey{{}, {1}, {2}, {9}, pPlus(-1), pPlus(0), pPlus(1), pPlus(18), priv.PublicKey()}
	withTop := priv.PublicKey()
	withTop[31] |= 0x80
	keys = append(keys, withTop)
	for range 50 {
		var k PublicKey
		rand.Read(k[:])
		k[31] &= 0x7f
		keys = append(keys, k)
	}
	for _, k := range keys {
		for _, sign := range []byte{0, signBit} {
			s := bytes.Clone(sig)
			s[63] = s[63]&^signBit | sign
			verifyBoth(t, k, msg, s)
		}
	}
}

func TestVerifyEquationsAgreeOnRandomSignatures(t *testing.T) {
	for i := range 40 {
		priv := mustKey(t)
		msg := make([]byte, i)
		rand.Read(msg)
		sig, err := priv.Sign(rand.Reader, msg)
		if err != nil {
			t.Fatal(err)
		}
		if !verifyBoth(t, priv.PublicKey(), msg, sig) {
			t.Fatal("valid signature rejected")
		}
		// The other sign bit names the other Edwards key: rejected.
		flipped := bytes.Clone(sig)
		flipped[63] ^= signBit
		if verifyBoth(t, priv.PublicKey(), msg, flipped) {
			t.Fatal("signature accepted under the other sign bit")
		}
	}
}

// FuzzVerifyEquations: on any key, message and signature the two equations
// agree.
func FuzzVerifyEquations(f *testing.F) {
	for _, v := range loadXEdDSAVectors(f) {
		pub := unhex(f, v.PublicKey)
		f.Add(pub[1:], unhex(f, v.Message), unhex(f, v.Signature))
	}
	f.Add(make([]byte, 32), []byte{}, make([]byte, SignatureSize))
	f.Fuzz(func(t *testing.T, key, msg, sig []byte) {
		var pub PublicKey
		copy(pub[:], key)
		verifyBoth(t, pub, msg, sig)
	})
}
