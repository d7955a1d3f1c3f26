package crypto_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"sambung/crypto"
)

// A signed prekey is signed with the identity key; anyone holding the
// identity public key, the relay included, can check it.
func ExamplePrivateKey_Sign() {
	identity, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	signedPreKey, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	msg := signedPreKey.PublicKey().Bytes()
	sig, err := identity.Sign(rand.Reader, msg)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(sig), identity.PublicKey().Verify(msg, sig))
	msg[1] ^= 1
	fmt.Println(identity.PublicKey().Verify(msg, sig))
	// Output:
	// 64 true
	// false
}

// Alice and Bob each compute the safety number for their conversation; the
// 60 digits agree, and each side's QR code matches the other's. The keys are
// the ones in libsignal's own test.
func ExampleNewFingerprint() {
	aliceKey := exampleKey("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868")
	bobKey := exampleKey("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b")
	aliceID, bobID := []byte("+14152222222"), []byte("+14153333333")

	alice := crypto.NewFingerprint(5200, 2, aliceID, aliceKey, bobID, bobKey)
	bob := crypto.NewFingerprint(5200, 2, bobID, bobKey, aliceID, aliceKey)
	fmt.Println(alice.Displayable())
	fmt.Println(bob.Displayable())

	same, err := crypto.CompareScannable(alice.Scannable(), bob.Scannable())
	fmt.Println(same, err)

	old := crypto.NewFingerprint(5200, 1, bobID, bobKey, aliceID, aliceKey)
	_, err = crypto.CompareScannable(alice.Scannable(), old.Scannable())
	fmt.Println(errors.Is(err, crypto.ErrFingerprintVersion))
	// Output:
	// 300354477692869396892869876765458257569162576843440918079131
	// 300354477692869396892869876765458257569162576843440918079131
	// true <nil>
	// true
}

func exampleKey(s string) crypto.PublicKey {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	k, err := crypto.ParsePublicKey(b)
	if err != nil {
		panic(err)
	}
	return k
}
