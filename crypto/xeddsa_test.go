package crypto

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"testing"
)

// xeddsaVector is one case of testdata/xeddsa.json. Cases come from the real
// libsignal peers (libsignal-client 0.103.0, and curve25519-js as used by
// libsignal@6.0.0), from libsignal's own unit test, and mutations of those;
// libsignal_client records what libsignal-client's PublicKey.verify said.
type xeddsaVector struct {
	Name       string `json:"name"`
	Note       string `json:"note"`
	Source     string `json:"source"`
	PrivateKey string `json:"private_key"`
	PublicKey  string `json:"public_key"`
	Message    string `json:"message"`
	Random     string `json:"random"`
	Signature  string `json:"signature"`
	// Deterministic: Sign with Random as Z must give Signature exactly.
	Deterministic bool `json:"deterministic"`
	Valid         bool `json:"valid"`
	// LibsignalClient is libsignal-client's verdict, kept to document where
	// the specification (and this package) is stricter.
	LibsignalClient bool `json:"libsignal_client"`
}

func loadXEdDSAVectors(tb testing.TB) []xeddsaVector {
	tb.Helper()
	var file struct {
		Vectors []xeddsaVector `json:"vectors"`
	}
	loadJSON(tb, "xeddsa.json", &file)
	if len(file.Vectors) == 0 {
		tb.Fatal("no vectors")
	}
	return file.Vectors
}

func TestXEdDSAVectors(t *testing.T) {
	var fromLibsignal, deterministic, invalid int
	for _, v := range loadXEdDSAVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			pub, err := ParsePublicKey(unhex(t, v.PublicKey))
			if err != nil {
				t.Fatal(err)
			}
			msg, sig := unhex(t, v.Message), unhex(t, v.Signature)
			if got := pub.Verify(msg, sig); got != v.Valid {
				t.Fatalf("Verify = %v, want %v", got, v.Valid)
			}
			if !v.Valid {
				invalid++
			} else if v.LibsignalClient && v.PrivateKey != "" {
				fromLibsignal++
			}
			if v.PrivateKey == "" {
				return
			}
			priv, err := NewPrivateKey(unhex(t, v.PrivateKey))
			if err != nil {
				t.Fatal(err)
			}
			if v.Valid && !priv.PublicKey().Equal(pub) {
				t.Fatal("private key does not match the public key")
			}
			if v.Random == "" {
				return
			}
			var z [nonceSize]byte
			if copy(z[:], unhex(t, v.Random)) != nonceSize {
				t.Fatal("random is not 64 bytes")
			}
			ours := priv.sign(msg, &z)
			if !pub.Verify(msg, ours[:]) {
				t.Fatal("our signature with the vector's Z does not verify")
			}
			if v.Deterministic {
				deterministic++
				if !bytes.Equal(ours[:], sig) {
					t.Fatalf("Sign with fixed Z:\n got %x\nwant %x", ours, sig)
				}
			}
		})
	}
	if fromLibsignal == 0 || deterministic == 0 || invalid == 0 {
		t.Fatalf("vector file lacks a kind: %d from libsignal, %d deterministic, %d invalid",
			fromLibsignal, deterministic, invalid)
	}
}

func TestXEdDSARoundTrip(t *testing.T) {
	for i := 0; i < 8; i++ {
		priv, err := GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		other, err := GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		msg := make([]byte, i*17)
		rand.Read(msg)
		sig, err := priv.Sign(rand.Reader, msg)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != SignatureSize {
			t.Fatalf("signature is %d bytes", len(sig))
		}
		if sig[63]&signBit != 0 {
			t.Fatal("signature carries sign bit 1; XEdDSA forces it to 0")
		}
		pub := priv.PublicKey()
		if !pub.Verify(msg, sig) {
			t.Fatal("valid signature rejected")
		}
		if other.PublicKey().Verify(msg, sig) {
			t.Fatal("signature accepted under another key")
		}
		if pub.Verify(append(msg, 0), sig) {
			t.Fatal("signature accepted for a longer message")
		}
		if len(msg) > 0 {
			msg[0] ^= 1
			if pub.Verify(msg, sig) {
				t.Fatal("signature accepted for a changed message")
			}
			msg[0] ^= 1
		}
	}
}

// TestXEdDSABitFlips flips every bit of a signature in turn, as libsignal's
// test_signature does.
func TestXEdDSABitFlips(t *testing.T) {
	priv, err := GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("signed prekey")
	sig, err := priv.Sign(rand.Reader, msg)
	if err != nil {
		t.Fatal(err)
	}
	pub := priv.PublicKey()
	for i := 0; i < SignatureSize*8; i++ {
		sig[i/8] ^= 1 << (i % 8)
		if pub.Verify(msg, sig) {
			t.Fatalf("signature with bit %d flipped accepted", i)
		}
		sig[i/8] ^= 1 << (i % 8)
	}
	if !pub.Verify(msg, sig) {
		t.Fatal("restored signature rejected")
	}
}

func TestXEdDSADeterministicWithZ(t *testing.T) {
	priv, err := GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("message")
	var z1, z2 [nonceSize]byte
	z2[0] = 1
	a, b, c := priv.sign(msg, &z1), priv.sign(msg, &z1), priv.sign(msg, &z2)
	if a != b {
		t.Fatal("same Z gave different signatures")
	}
	if a == c {
		t.Fatal("different Z gave the same signature")
	}
	if !priv.PublicKey().Verify(msg, c[:]) {
		t.Fatal("signature rejected")
	}
}

// TestXEdDSABothSignBits signs with keys until both values of the Edwards
// sign bit have been seen, since the negation path runs only for half of all
// keys.
func TestXEdDSABothSignBits(t *testing.T) {
	seen := map[bool]bool{} // keyed by "the scalar was negated"
	for i := 0; i < 64 && len(seen) < 2; i++ {
		priv, err := GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		a, pubA := priv.calculateKeyPair()
		if pubA[31]&signBit != 0 {
			t.Fatal("calculate_key_pair returned sign bit 1")
		}
		kB, ok := priv.PublicKey().edwards(0)
		if !ok || !bytes.Equal(kB.Bytes(), pubA[:]) {
			t.Fatal("A does not match convert_mont(u) with sign 0")
		}
		// a differs from the clamped key exactly when kB had sign bit 1
		// and calculate_key_pair negated it.
		negated := !bytes.Equal(a[:], priv.Bytes())
		seen[negated] = true
		sig, err := priv.Sign(rand.Reader, []byte{byte(i)})
		if err != nil {
			t.Fatal(err)
		}
		if !priv.PublicKey().Verify([]byte{byte(i)}, sig) {
			t.Fatal("signature rejected")
		}
	}
	if len(seen) < 2 {
		t.Fatal("64 random keys did not cover both sign bits")
	}
}

func TestXEdDSASignRandError(t *testing.T) {
	priv, err := GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := priv.Sign(bytes.NewReader(make([]byte, nonceSize-1)), []byte("m")); err == nil {
		t.Fatal("Sign succeeded with a short random source")
	} else if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Sign error = %v", err)
	}
}

// FuzzVerify checks that Verify never panics on any key, message and
// signature, and that any change to a valid signature is rejected.
func FuzzVerify(f *testing.F) {
	for _, v := range loadXEdDSAVectors(f) {
		pub := unhex(f, v.PublicKey)
		f.Add(pub[1:], unhex(f, v.Message), unhex(f, v.Signature), []byte{1})
	}
	f.Add(make([]byte, 32), []byte{}, make([]byte, SignatureSize), []byte{0, 0, 0x80})
	f.Fuzz(func(t *testing.T, key, msg, sig, flip []byte) {
		var pub PublicKey
		copy(pub[:], key)
		pub.Verify(msg, sig)

		var seed [PrivateKeySize]byte
		copy(seed[:], key)
		priv, err := NewPrivateKey(seed[:])
		if err != nil {
			t.Fatal(err)
		}
		var z [nonceSize]byte
		copy(z[:], sig)
		good := priv.sign(msg, &z)
		if !priv.PublicKey().Verify(msg, good[:]) {
			t.Fatal("valid signature rejected")
		}
		bad := good
		for i := 0; i < len(flip) && i < SignatureSize; i++ {
			bad[i] ^= flip[i]
		}
		if bad != good && priv.PublicKey().Verify(msg, bad[:]) {
			t.Fatalf("mutated signature %x accepted", bad)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	priv, err := GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	msg := priv.PublicKey().Bytes()
	for b.Loop() {
		if _, err := priv.Sign(rand.Reader, msg); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	priv, err := GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	msg := priv.PublicKey().Bytes()
	sig, err := priv.Sign(rand.Reader, msg)
	if err != nil {
		b.Fatal(err)
	}
	pub := priv.PublicKey()
	for b.Loop() {
		if !pub.Verify(msg, sig) {
			b.Fatal("rejected")
		}
	}
}
