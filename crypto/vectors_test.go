package crypto

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// testdata/kdf.json and testdata/wire.json come from gen/vectors.js: Node's
// crypto for the derivations, libsignal's protobuf classes for the encodings.

type kdfFile struct {
	RootSteps []struct {
		RootKey, OurRatchetPrivate, TheirRatchetPublic, DH, NewRootKey, ChainKey string
	}
	ChainSteps []struct {
		ChainKey, MessageKeySeed, NextChainKey string
	}
	MessageKeys []struct {
		Seed, CipherKey, MacKey, IV string
	}
	X3DH []struct {
		AliceIdentity, AliceBase, BobIdentity, BobSignedPreKey, BobOneTimePreKey, RootKey, ChainKey string
	}
	Macs []struct {
		MacKey, SenderIdentity, ReceiverIdentity, Body, Mac string
	}
	AESCBC []struct {
		Key, IV, Plaintext, Ciphertext string
	}
}

func loadJSON(tb testing.TB, name string, v any) {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatal(err)
	}
}

func to32(tb testing.TB, s string) [32]byte {
	tb.Helper()
	var k [32]byte
	if b := unhex(tb, s); len(b) != 32 || copy(k[:], b) != 32 {
		tb.Fatalf("not 32 bytes: %s", s)
	}
	return k
}

func TestKDFVectors(t *testing.T) {
	var v kdfFile
	loadJSON(t, "kdf.json", &v)
	if len(v.RootSteps) == 0 || len(v.ChainSteps) == 0 || len(v.MessageKeys) == 0 || len(v.X3DH) == 0 {
		t.Fatal("kdf.json lacks cases")
	}
	// One kdf for every case, as a SessionRecord uses it: state left over
	// from one derivation must not leak into the next.
	var k kdf
	for i, c := range v.RootSteps {
		ours := privFromHex(t, c.OurRatchetPrivate)
		dh, err := ours.DH(to32(t, c.TheirRatchetPublic))
		if err != nil || dh != to32(t, c.DH) {
			t.Fatalf("root step %d: DH %x (%v)", i, dh, err)
		}
		rk := rootKey(to32(t, c.RootKey))
		nr, ck := rk.step(&k, &dh)
		if nr != rootKey(to32(t, c.NewRootKey)) || ck != chainKey(to32(t, c.ChainKey)) {
			t.Fatalf("root step %d: wrong keys", i)
		}
	}
	for i, c := range v.ChainSteps {
		ck := chainKey(to32(t, c.ChainKey))
		seed, next := ck.step(&k)
		if seed != messageKeySeed(to32(t, c.MessageKeySeed)) || next != chainKey(to32(t, c.NextChainKey)) {
			t.Fatalf("chain step %d: wrong keys", i)
		}
		if ck.next(&k) != next {
			t.Fatalf("chain step %d: next differs from step", i)
		}
	}
	for i, c := range v.MessageKeys {
		seed := messageKeySeed(to32(t, c.Seed))
		mk := deriveMessageKeys(&k, &seed)
		if mk.cipherKey != to32(t, c.CipherKey) || mk.macKey != to32(t, c.MacKey) || !bytes.Equal(mk.iv[:], unhex(t, c.IV)) {
			t.Fatalf("message keys %d: wrong keys", i)
		}
	}
	for i, c := range v.X3DH {
		ika, eka := privFromHex(t, c.AliceIdentity), privFromHex(t, c.AliceBase)
		ikb, spkb := privFromHex(t, c.BobIdentity), privFromHex(t, c.BobSignedPreKey)
		var opkb *PrivateKey
		b := &PreKeyBundle{IdentityKey: ikb.PublicKey(), SignedPreKey: spkb.PublicKey()}
		if c.BobOneTimePreKey != "" {
			opkb = privFromHex(t, c.BobOneTimePreKey)
			b.PreKey = ptr(opkb.PublicKey())
		}
		ekaPair := keyPairOf(eka)
		ra, err := x3dhInitiator(&k, ika, &ekaPair, b)
		if err != nil {
			t.Fatal(err)
		}
		rb, err := x3dhResponder(&k, ikb, spkb, opkb, ika.PublicKey(), eka.PublicKey())
		if err != nil {
			t.Fatal(err)
		}
		if want := rootKey(to32(t, c.RootKey)); ra != want || rb != want {
			t.Fatalf("x3dh %d: root keys differ", i)
		}
	}
	for i, c := range v.Macs {
		mk := messageKeys{macKey: to32(t, c.MacKey)}
		s, r := PublicKey(to32(t, c.SenderIdentity)), PublicKey(to32(t, c.ReceiverIdentity))
		m := mk.mac(&k, &s, &r, unhex(t, c.Body))
		if !bytes.Equal(m[:], unhex(t, c.Mac)) || !mk.verifyMAC(&k, &s, &r, unhex(t, c.Body), unhex(t, c.Mac)) {
			t.Fatalf("mac %d: got %x", i, m)
		}
		if mk.verifyMAC(&k, &r, &s, unhex(t, c.Body), unhex(t, c.Mac)) {
			t.Fatalf("mac %d: identities swapped still verify", i)
		}
	}
	for i, c := range v.AESCBC {
		mk := messageKeys{cipherKey: to32(t, c.Key)}
		copy(mk.iv[:], unhex(t, c.IV))
		ct := mk.encrypt(nil, unhex(t, c.Plaintext))
		if !bytes.Equal(ct, unhex(t, c.Ciphertext)) {
			t.Fatalf("aes %d: got %x", i, ct)
		}
		pt, err := mk.decrypt(ct)
		if err != nil || !bytes.Equal(pt, unhex(t, c.Plaintext)) {
			t.Fatalf("aes %d: decrypt %x, %v", i, pt, err)
		}
	}
}

type wireCase struct {
	Kind      string          `json:"kind"`
	Hex       string          `json:"hex"`
	Outcome   string          `json:"outcome"`
	Why       string          `json:"why"`
	Canonical bool            `json:"canonical"`
	Fields    json.RawMessage `json:"fields"`
}

type signalFields struct {
	RatchetKey      string `json:"ratchetKey"`
	Counter         uint32 `json:"counter"`
	PreviousCounter uint32 `json:"previousCounter"`
	Ciphertext      string `json:"ciphertext"`
}

type preKeyFields struct {
	PreKeyID       uint32 `json:"preKeyId"`
	HasPreKeyID    bool   `json:"hasPreKeyId"`
	BaseKey        string `json:"baseKey"`
	IdentityKey    string `json:"identityKey"`
	Message        string `json:"message"`
	RegistrationID uint32 `json:"registrationId"`
	SignedPreKeyID uint32 `json:"signedPreKeyId"`
}

func loadWireCases(tb testing.TB) []wireCase {
	var f struct{ Cases []wireCase }
	loadJSON(tb, "wire.json", &f)
	if len(f.Cases) == 0 {
		tb.Fatal("wire.json has no cases")
	}
	return f.Cases
}

// wireFormat is one of the two ciphertext formats as the vector and fuzz
// tests drive it.
type wireFormat[M any] struct {
	parse  func([]byte) (M, error)
	encode func(M) []byte
	size   func(M) int
	equal  func(a, b M) bool
	// want is the message a vector's fields describe; b is its bytes.
	want func(t *testing.T, fields json.RawMessage, b []byte) M
}

var signalFormat = wireFormat[*signalMessage]{
	parse: parseSignalMessage,
	encode: func(m *signalMessage) []byte {
		re := appendSignalMessageBody(nil, &m.ratchetKey, m.counter, m.previousCounter, m.ciphertext)
		return append(re, m.mac...)
	},
	size: func(m *signalMessage) int { return signalMessageSize(m.counter, m.previousCounter, len(m.ciphertext)) },
	equal: func(a, b *signalMessage) bool {
		return a.ratchetKey == b.ratchetKey && a.counter == b.counter && a.previousCounter == b.previousCounter &&
			bytes.Equal(a.ciphertext, b.ciphertext) && bytes.Equal(a.mac, b.mac)
	},
	want: func(t *testing.T, fields json.RawMessage, b []byte) *signalMessage {
		var f signalFields
		if err := json.Unmarshal(fields, &f); err != nil {
			t.Fatal(err)
		}
		return &signalMessage{
			ratchetKey: to32(t, f.RatchetKey), counter: f.Counter, previousCounter: f.PreviousCounter,
			ciphertext: unhex(t, f.Ciphertext), mac: b[len(b)-macSize:],
		}
	},
}

var preKeyFormat = wireFormat[*preKeySignalMessage]{
	parse:  parsePreKeySignalMessage,
	encode: func(m *preKeySignalMessage) []byte { return appendPreKeySignalMessage(nil, m) },
	size:   preKeySignalMessageSize,
	equal: func(a, b *preKeySignalMessage) bool {
		return a.registrationID == b.registrationID && a.preKeyID == b.preKeyID &&
			a.hasPreKeyID == b.hasPreKeyID && a.signedPreKeyID == b.signedPreKeyID &&
			a.baseKey == b.baseKey && a.identityKey == b.identityKey && bytes.Equal(a.message, b.message)
	},
	want: func(t *testing.T, fields json.RawMessage, _ []byte) *preKeySignalMessage {
		var f preKeyFields
		if err := json.Unmarshal(fields, &f); err != nil {
			t.Fatal(err)
		}
		return &preKeySignalMessage{
			registrationID: f.RegistrationID, preKeyID: f.PreKeyID, hasPreKeyID: f.HasPreKeyID,
			signedPreKeyID: f.SignedPreKeyID, baseKey: to32(t, f.BaseKey),
			identityKey: to32(t, f.IdentityKey), message: unhex(t, f.Message),
		}
	},
}

// checkCase runs one vector: a failure case must fail to parse with
// ErrInvalidMessage; an ok case must parse to the fields it lists, re-encode
// to its bytes when it is canonical, and have the size size predicts.
func (w wireFormat[M]) checkCase(t *testing.T, i int, c wireCase) {
	t.Helper()
	b := unhex(t, c.Hex)
	m, err := w.parse(b)
	if c.Outcome != "ok" {
		if !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("case %d (%s): got %v, want ErrInvalidMessage", i, c.Why, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("case %d: %v", i, err)
	}
	if !w.equal(m, w.want(t, c.Fields, b)) {
		t.Fatalf("case %d: fields differ: %+v", i, m)
	}
	re := w.encode(m)
	if c.Canonical && !bytes.Equal(re, b) {
		t.Fatalf("case %d: re-encoded\n%x\nlibsignal\n%x", i, re, b)
	}
	if size := w.size(m); size != len(re) {
		t.Fatalf("case %d: size %d, re-encoded %d bytes", i, size, len(re))
	}
}

// fuzz checks that whatever parses re-encodes to bytes that parse to the
// same message, seeded with the vectors of kind.
func (w wireFormat[M]) fuzz(f *testing.F, kind string) {
	for _, c := range loadWireCases(f) {
		if c.Kind == kind {
			f.Add(unhex(f, c.Hex))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := w.parse(b)
		if err != nil {
			return
		}
		m2, err := w.parse(w.encode(m))
		if err != nil {
			t.Fatalf("re-encoding does not parse: %v", err)
		}
		if !w.equal(m, m2) {
			t.Fatal("re-encoding changed the message")
		}
	})
}

func TestWireVectors(t *testing.T) {
	for i, c := range loadWireCases(t) {
		switch c.Kind {
		case "signal":
			signalFormat.checkCase(t, i, c)
		case "prekey":
			preKeyFormat.checkCase(t, i, c)
		default:
			t.Fatalf("case %d: unknown kind %q", i, c.Kind)
		}
	}
}
