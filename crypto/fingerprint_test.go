package crypto

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// fingerprintFile is testdata/fingerprint.json, made by libsignal-client
// 0.103.0: safety numbers for both sides, and CompareScannable cases with the
// outcome libsignal-client gave.
type fingerprintFile struct {
	Fingerprints []struct {
		Name            string `json:"name"`
		Iterations      int    `json:"iterations"`
		Version         uint32 `json:"version"`
		LocalID         string `json:"local_id"`
		LocalKey        string `json:"local_key"`
		RemoteID        string `json:"remote_id"`
		RemoteKey       string `json:"remote_key"`
		Displayable     string `json:"displayable"`
		LocalScannable  string `json:"local_scannable"`
		RemoteScannable string `json:"remote_scannable"`
	} `json:"fingerprints"`
	Compare []fingerprintCompareCase `json:"compare"`
}

type fingerprintCompareCase struct {
	Name            string `json:"name"`
	Ours            string `json:"ours"`
	Theirs          string `json:"theirs"`
	LibsignalClient string `json:"libsignal_client"`
	// Want is one of match, mismatch, version_mismatch, bad.
	Want         string `json:"want"`
	TheirVersion uint32 `json:"their_version"`
}

func loadFingerprintVectors(tb testing.TB) fingerprintFile {
	tb.Helper()
	var f fingerprintFile
	loadJSON(tb, "fingerprint.json", &f)
	if len(f.Fingerprints) == 0 || len(f.Compare) == 0 {
		tb.Fatal("no vectors")
	}
	return f
}

func TestFingerprintVectors(t *testing.T) {
	for _, v := range loadFingerprintVectors(t).Fingerprints {
		t.Run(v.Name, func(t *testing.T) {
			lid, rid := unhex(t, v.LocalID), unhex(t, v.RemoteID)
			lkey, rkey := fromHex(t, v.LocalKey, ParsePublicKey), fromHex(t, v.RemoteKey, ParsePublicKey)
			local := NewFingerprint(v.Iterations, v.Version, lid, lkey, rid, rkey)
			remote := NewFingerprint(v.Iterations, v.Version, rid, rkey, lid, lkey)
			if got := local.Displayable(); got != v.Displayable {
				t.Errorf("local Displayable = %s, want %s", got, v.Displayable)
			}
			if got := remote.Displayable(); got != v.Displayable {
				t.Errorf("remote Displayable = %s, want %s", got, v.Displayable)
			}
			if got := hex.EncodeToString(local.Scannable()); got != v.LocalScannable {
				t.Errorf("local Scannable = %s, want %s", got, v.LocalScannable)
			}
			if got := hex.EncodeToString(remote.Scannable()); got != v.RemoteScannable {
				t.Errorf("remote Scannable = %s, want %s", got, v.RemoteScannable)
			}
			for _, pair := range [][2]*Fingerprint{{local, remote}, {remote, local}} {
				ok, err := CompareScannable(pair[0].Scannable(), pair[1].Scannable())
				if err != nil || !ok {
					t.Errorf("CompareScannable of the two sides = %v, %v", ok, err)
				}
			}
			if ok, err := CompareScannable(local.Scannable(), local.Scannable()); err != nil || ok {
				t.Errorf("CompareScannable with itself = %v, %v; want false", ok, err)
			}
		})
	}
}

func TestCompareScannableVectors(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range loadFingerprintVectors(t).Compare {
		t.Run(c.Name, func(t *testing.T) {
			seen[c.Want] = true
			checkCompareOutcome(t, c)
		})
	}
	for _, want := range []string{"match", "mismatch", "version_mismatch", "bad"} {
		if !seen[want] {
			t.Errorf("no compare vector expects %s", want)
		}
	}
}

func checkCompareOutcome(t *testing.T, c fingerprintCompareCase) {
	t.Helper()
	ok, err := CompareScannable(unhex(t, c.Ours), unhex(t, c.Theirs))
	var verr *FingerprintVersionError
	switch c.Want {
	case "match", "mismatch":
		if err != nil || ok != (c.Want == "match") {
			t.Fatalf("CompareScannable = %v, %v; want %s (libsignal-client: %s)", ok, err, c.Want, c.LibsignalClient)
		}
	case "version_mismatch":
		if !errors.As(err, &verr) || !errors.Is(err, ErrFingerprintVersion) || verr.Theirs != c.TheirVersion {
			t.Fatalf("CompareScannable = %v, %v; want version mismatch, theirs %d", ok, err, c.TheirVersion)
		}
	case "bad":
		if !errors.Is(err, ErrBadFingerprint) {
			t.Fatalf("CompareScannable = %v, %v; want ErrBadFingerprint (libsignal-client: %s)", ok, err, c.LibsignalClient)
		}
	default:
		t.Fatalf("unknown want %q", c.Want)
	}
	if err != nil && ok {
		t.Fatal("true returned with an error")
	}
}

// TestFingerprintMismatch covers the three ways a safety number must change,
// as libsignal's tests do: a man in the middle's key, a different
// identifier, and a different version.
func TestFingerprintMismatch(t *testing.T) {
	keys := make([]PublicKey, 3)
	for i := range keys {
		k, err := GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = k.PublicKey()
	}
	alice, bob, mallory := keys[0], keys[1], keys[2]
	aliceID, bobID := []byte("+14152222222"), []byte("+14153333333")
	const iterations = 1024

	// Alice sees Mallory's key where Bob's should be.
	a := NewFingerprint(iterations, 2, aliceID, alice, bobID, mallory)
	b := NewFingerprint(iterations, 2, bobID, bob, aliceID, alice)
	assertFingerprintsDiffer(t, a, b)

	// Alice has the wrong identifier for herself.
	a = NewFingerprint(iterations, 2, []byte("+141512222222"), alice, bobID, bob)
	assertFingerprintsDiffer(t, a, b)

	a = NewFingerprint(iterations, 1, aliceID, alice, bobID, bob)
	if a.Displayable() != b.Displayable() {
		t.Error("version changed the displayable number; libsignal keeps it")
	}
	_, err := CompareScannable(b.Scannable(), a.Scannable())
	var verr *FingerprintVersionError
	if !errors.As(err, &verr) || verr.Theirs != 1 || verr.Ours != 2 {
		t.Fatalf("CompareScannable across versions: %v", err)
	}
	if !strings.Contains(err.Error(), "theirs 1, ours 2") {
		t.Errorf("error text %q does not name the versions", err)
	}
}

func assertFingerprintsDiffer(t *testing.T, a, b *Fingerprint) {
	t.Helper()
	if a.Displayable() == b.Displayable() {
		t.Error("displayable numbers agree")
	}
	for _, pair := range [][2]*Fingerprint{{a, b}, {b, a}} {
		if ok, err := CompareScannable(pair[0].Scannable(), pair[1].Scannable()); ok || err != nil {
			t.Errorf("CompareScannable = %v, %v; want false, nil", ok, err)
		}
	}
}

func TestFingerprintDisplayableShape(t *testing.T) {
	k1, _ := GenerateKey(rand.Reader)
	k2, _ := GenerateKey(rand.Reader)
	d := NewFingerprint(2, 2, nil, k1.PublicKey(), nil, k2.PublicKey()).Displayable()
	if len(d) != 60 || strings.Trim(d, "0123456789") != "" {
		t.Fatalf("Displayable = %q, want 60 digits", d)
	}
	if d[:30] > d[30:] {
		t.Fatal("halves not in sorted order")
	}
}

func TestFingerprintIterationBounds(t *testing.T) {
	var k PublicKey
	for _, n := range []int{-1, 0, 1, maxFingerprintIterations + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("iterations %d accepted; libsignal refuses it", n)
				}
			}()
			NewFingerprint(n, 2, nil, k, nil, k)
		}()
	}
}

// FuzzCompareScannable checks that the scannable decoder never panics, that
// a decoded fingerprint compares against its mirror image, and that an
// error is never paired with true.
func FuzzCompareScannable(f *testing.F) {
	vectors := loadFingerprintVectors(f)
	for _, c := range vectors.Compare {
		f.Add(unhex(f, c.Theirs))
	}
	for _, v := range vectors.Fingerprints {
		f.Add(unhex(f, v.LocalScannable))
	}
	ours := unhex(f, vectors.Fingerprints[0].LocalScannable)
	f.Fuzz(func(t *testing.T, theirs []byte) {
		ok, err := CompareScannable(ours, theirs)
		if err != nil && ok {
			t.Fatal("true returned with an error")
		}
		// Whatever decodes as ours must also decode as theirs; a
		// complete fingerprint matches the one with the halves swapped.
		s, err := parseScannable(theirs)
		if err != nil || !s.hasVersion || !s.hasLocal || !s.hasRemote {
			return
		}
		if _, err := CompareScannable(theirs, theirs); err != nil {
			t.Fatalf("complete fingerprint refused as theirs: %v", err)
		}
		mirror := (&scannableFields{s.version, s.remote, s.local}).encode()
		if ok, err := CompareScannable(theirs, mirror); err != nil || !ok {
			t.Fatalf("mirror image = %v, %v", ok, err)
		}
	})
}

// scannableFields encodes arbitrary-length contents, unlike Scannable, so
// the fuzz target can build mirror images of what it decodes.
type scannableFields struct {
	version       uint32
	local, remote []byte
}

func (s *scannableFields) encode() []byte {
	b := []byte{0x08} // version, varint
	b = protowire.AppendVarint(b, uint64(s.version))
	for i, c := range [][]byte{s.local, s.remote} {
		inner := protowire.AppendVarint([]byte{0x0a}, uint64(len(c)))
		inner = append(inner, c...)
		b = append(b, byte(0x12+8*i)) // field 2 or 3, bytes
		b = protowire.AppendVarint(b, uint64(len(inner)))
		b = append(b, inner...)
	}
	return b
}

func TestScannableEncoding(t *testing.T) {
	// libsignal's fingerprint_encodings test: fixed contents, version 2.
	f := &Fingerprint{version: 2}
	for i := range f.local {
		f.local[i], f.remote[i] = 0x12, 0xba
	}
	want := "080212220a20" + strings.Repeat("12", 32) + "1a220a20" + strings.Repeat("ba", 32)
	if got := hex.EncodeToString(f.Scannable()); got != want {
		t.Fatalf("Scannable = %s\nwant %s", got, want)
	}
	// A version needing a multi-byte varint.
	f.version = 300
	got := f.Scannable()
	if !bytes.HasPrefix(got, []byte{0x08, 0xac, 0x02, 0x12, 0x22}) {
		t.Fatalf("Scannable with version 300 = %x", got)
	}
	if !bytes.Equal(got, (&scannableFields{300, f.local[:], f.remote[:]}).encode()) {
		t.Fatal("fuzz helper encoding disagrees with Scannable")
	}
}

func BenchmarkFingerprint(b *testing.B) {
	k1, _ := GenerateKey(rand.Reader)
	k2, _ := GenerateKey(rand.Reader)
	id1, id2 := []byte("+14152222222"), []byte("+14153333333")
	for b.Loop() {
		NewFingerprint(5200, 2, id1, k1.PublicKey(), id2, k2.PublicKey())
	}
}
