package interop

import (
	"crypto/rand"
	mrand "math/rand/v2"
	"testing"

	"sambung/crypto"
)

// signatureCases is how many random messages each direction signs: enough to
// meet keys of both Edwards sign bits many times over.
const signatureCases = 16

func randomMessage(t testing.TB, r *mrand.Rand) []byte {
	t.Helper()
	msg := make([]byte, r.IntN(300))
	if _, err := rand.Read(msg); err != nil {
		t.Fatal(err)
	}
	return msg
}

func flipBit(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i%len(c)] ^= 1 << (i % 8)
	return c
}

// TestOurSignaturesVerifyInLibsignalClient signs with our XEdDSA and verifies
// with libsignal-client's PublicKey.verify; an altered message or signature
// must fail there.
func TestOurSignaturesVerifyInLibsignalClient(t *testing.T) {
	c := peerClient(t)
	r := mrand.New(mrand.NewPCG(1, 2))
	for i := range signatureCases {
		key, err := crypto.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		msg := randomMessage(t, r)
		sig, err := key.Sign(rand.Reader, msg)
		if err != nil {
			t.Fatal(err)
		}
		pub := key.PublicKey().Bytes()
		verify := func(m, s []byte) bool {
			return c.must(t, map[string]any{"method": "verify", "publicKey": pub, "message": m, "signature": s}).Valid
		}
		if !verify(msg, sig) {
			t.Fatalf("case %d: libsignal-client rejects our signature of %d bytes", i, len(msg))
		}
		if len(msg) > 0 && verify(flipBit(msg, i), sig) {
			t.Fatalf("case %d: libsignal-client accepts our signature for an altered message", i)
		}
		if verify(msg, flipBit(sig, 7*i)) {
			t.Fatalf("case %d: libsignal-client accepts an altered signature", i)
		}
	}
}

// TestLibsignalClientSignaturesVerifyHere signs with libsignal-client, with
// its own fresh keys and with our private keys, and verifies with ours; an
// altered message or signature must fail here.
func TestLibsignalClientSignaturesVerifyHere(t *testing.T) {
	c := peerClient(t)
	r := mrand.New(mrand.NewPCG(3, 4))
	for i := range signatureCases {
		msg := randomMessage(t, r)
		req := map[string]any{"method": "sign", "message": msg}
		var ours *crypto.PrivateKey
		if i%2 == 1 {
			k, err := crypto.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			ours = k
			req["privateKey"] = k.Bytes()
		}
		resp := c.must(t, req)
		pub, err := crypto.ParsePublicKey(resp.PublicKey)
		if err != nil {
			t.Fatalf("case %d: libsignal-client public key %x: %v", i, resp.PublicKey, err)
		}
		if ours != nil && !pub.Equal(ours.PublicKey()) {
			t.Fatalf("case %d: libsignal-client derives public key %x from our private key, we derive %x",
				i, resp.PublicKey, ours.PublicKey().Bytes())
		}
		if len(resp.Signature) != crypto.SignatureSize {
			t.Fatalf("case %d: signature is %d bytes", i, len(resp.Signature))
		}
		if !pub.Verify(msg, resp.Signature) {
			t.Fatalf("case %d: we reject libsignal-client's signature of %d bytes", i, len(msg))
		}
		if len(msg) > 0 && pub.Verify(flipBit(msg, i), resp.Signature) {
			t.Fatalf("case %d: we accept libsignal-client's signature for an altered message", i)
		}
		if pub.Verify(msg, flipBit(resp.Signature, 5*i)) {
			t.Fatalf("case %d: we accept an altered libsignal-client signature", i)
		}
	}
}
