package interop

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"sambung/crypto"
)

// Signal's safety number parameters.
const (
	fingerprintIterations = 5200
	fingerprintVersion    = 2
)

// safetyNumberCases is how many random identity pairs are compared.
const safetyNumberCases = 6

func theirFingerprint(t testing.TB, c *client, version uint32, localID []byte, localKey crypto.PublicKey,
	remoteID []byte, remoteKey crypto.PublicKey) *response {
	t.Helper()
	return c.must(t, map[string]any{
		"method": "fingerprint", "iterations": fingerprintIterations, "version": version,
		"localId": localID, "localKey": localKey.Bytes(), "remoteId": remoteID, "remoteKey": remoteKey.Bytes(),
	})
}

func randomKey(t testing.TB) crypto.PublicKey {
	t.Helper()
	k, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey()
}

// TestSafetyNumbersMatch computes safety numbers for the same keys and
// identifiers here and in libsignal-client: the 60-digit string and the
// scannable bytes must be equal, for both points of view, and each side's
// compare accepts the other's scannable code.
func TestSafetyNumbersMatch(t *testing.T) {
	c := peerClient(t)
	for i := range safetyNumberCases {
		aliceKey, bobKey := randomKey(t), randomKey(t)
		// Identifiers as Signal uses them: phone numbers, or 16-byte
		// service ids, or (for the last cases) arbitrary bytes.
		aliceID, bobID := []byte("+6281234567890"), []byte("+14155550123")
		if i >= 2 {
			aliceID, bobID = make([]byte, 16+i), make([]byte, 16)
			rand.Read(aliceID)
			rand.Read(bobID)
		}

		ours := crypto.NewFingerprint(fingerprintIterations, fingerprintVersion, aliceID, aliceKey, bobID, bobKey)
		theirs := theirFingerprint(t, c, fingerprintVersion, aliceID, aliceKey, bobID, bobKey)
		if ours.Displayable() != theirs.Displayable {
			t.Fatalf("case %d: displayable\nours   %s\ntheirs %s", i, ours.Displayable(), theirs.Displayable)
		}
		if !bytes.Equal(ours.Scannable(), theirs.Scannable) {
			t.Fatalf("case %d: scannable\nours   %x\ntheirs %x", i, ours.Scannable(), theirs.Scannable)
		}

		// Bob's side, computed by libsignal-client, scanned by Alice here,
		// and Alice's side, computed here, scanned by libsignal-client.
		bobs := theirFingerprint(t, c, fingerprintVersion, bobID, bobKey, aliceID, aliceKey)
		if bobs.Displayable != ours.Displayable() {
			t.Fatalf("case %d: Bob's displayable %s differs from Alice's %s", i, bobs.Displayable, ours.Displayable())
		}
		ok, err := crypto.CompareScannable(ours.Scannable(), bobs.Scannable)
		if err != nil || !ok {
			t.Fatalf("case %d: CompareScannable(ours, Bob's from libsignal-client) = %v, %v", i, ok, err)
		}
		r := c.must(t, map[string]any{"method": "compareScannable", "ours": bobs.Scannable, "theirs": ours.Scannable()})
		if !r.Match {
			t.Fatalf("case %d: libsignal-client's compare rejects our scannable code", i)
		}
	}
}

// TestSafetyNumbersMismatch: a different remote key changes both forms, and
// CompareScannable refuses it; a version 1 code from libsignal-client is an
// error, not a mismatch.
func TestSafetyNumbersMismatch(t *testing.T) {
	c := peerClient(t)
	aliceKey, bobKey, malloryKey := randomKey(t), randomKey(t), randomKey(t)
	aliceID, bobID := []byte("+6281234567890"), []byte("+14155550123")

	ours := crypto.NewFingerprint(fingerprintIterations, fingerprintVersion, aliceID, aliceKey, bobID, bobKey)
	fake := theirFingerprint(t, c, fingerprintVersion, bobID, malloryKey, aliceID, aliceKey)
	if fake.Displayable == ours.Displayable() {
		t.Fatal("a different key gives the same displayable safety number")
	}
	if ok, err := crypto.CompareScannable(ours.Scannable(), fake.Scannable); ok || err != nil {
		t.Fatalf("CompareScannable with another key = %v, %v; want false, nil", ok, err)
	}

	old := theirFingerprint(t, c, 1, bobID, bobKey, aliceID, aliceKey)
	if ok, err := crypto.CompareScannable(ours.Scannable(), old.Scannable); ok || !errors.Is(err, crypto.ErrFingerprintVersion) {
		t.Fatalf("CompareScannable with a version 1 code = %v, %v; want ErrFingerprintVersion", ok, err)
	}
}
