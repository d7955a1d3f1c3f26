package attach

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

type vectorFile struct {
	Cases []vectorCase `json:"cases"`
}

type vectorCase struct {
	Size             uint64     `json:"size"`
	FileKey          string     `json:"fileKey"`
	AESKey           string     `json:"aesKey"`
	NoncePrefix      string     `json:"noncePrefix"`
	CiphertextLength int        `json:"ciphertextLength"`
	CiphertextSha256 string     `json:"ciphertextSha256"`
	CiphertextHex    string     `json:"ciphertextHex"`
	Digest           string     `json:"digest"`
	Mutations        []mutation `json:"mutations"`
}

type mutation struct {
	Op     string `json:"op"`
	At     int    `json:"at"`
	Bytes  int    `json:"bytes"`
	Delta  int64  `json:"delta"`
	First  int    `json:"first"`
	Second int    `json:"second"`
	Expect string `json:"expect"`
}

func loadVectors(t testing.TB) []vectorCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Cases) == 0 {
		t.Fatal("no vectors")
	}
	return f.Cases
}

// vectorPlaintext is the generator's plaintext: byte j = (j*31+17) mod 251.
func vectorPlaintext(size uint64) []byte {
	p := make([]byte, size)
	for j := range p {
		p[j] = byte((j*31 + 17) % 251)
	}
	return p
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVectors checks Encrypt against ciphertext that WebCrypto produced,
// then every mutation against its stated error.
func TestVectors(t *testing.T) {
	for _, vc := range loadVectors(t) {
		fileKey := unhex(t, vc.FileKey)
		plain := vectorPlaintext(vc.Size)
		var ct bytes.Buffer
		s, err := Encrypt(&ct, bytes.NewReader(plain), bytes.NewReader(fileKey))
		if err != nil {
			t.Fatalf("size %d: %v", vc.Size, err)
		}
		c := NewChunkCipher(s.Key)
		aesKey := c.AESKey()
		nonce, _ := c.Nonce(0, false)
		sum := sha256.Sum256(ct.Bytes())
		switch {
		case hex.EncodeToString(aesKey[:]) != vc.AESKey:
			t.Errorf("size %d: AES key differs from WebCrypto's HKDF", vc.Size)
		case hex.EncodeToString(nonce[:prefixSize]) != vc.NoncePrefix:
			t.Errorf("size %d: nonce prefix differs", vc.Size)
		case ct.Len() != vc.CiphertextLength || uint64(ct.Len()) != CiphertextSize(vc.Size):
			t.Errorf("size %d: ciphertext length %d, want %d", vc.Size, ct.Len(), vc.CiphertextLength)
		case hex.EncodeToString(sum[:]) != vc.CiphertextSha256:
			t.Errorf("size %d: ciphertext differs from WebCrypto's", vc.Size)
		case vc.CiphertextHex != "" && hex.EncodeToString(ct.Bytes()) != vc.CiphertextHex:
			t.Errorf("size %d: ciphertext hex differs", vc.Size)
		case hex.EncodeToString(s.Digest[:]) != vc.Digest:
			t.Errorf("size %d: digest differs", vc.Size)
		case s.Size != vc.Size:
			t.Errorf("size %d: Encrypt reported size %d", vc.Size, s.Size)
		}
		var out bytes.Buffer
		if err := Decrypt(&out, bytes.NewReader(ct.Bytes()), s.Key, s.Size, s.Digest); err != nil || !bytes.Equal(out.Bytes(), plain) {
			t.Errorf("size %d: decrypt: %v", vc.Size, err)
		}
		for _, m := range vc.Mutations {
			checkMutation(t, vc, m, ct.Bytes(), s)
		}
	}
}

func checkMutation(t *testing.T, vc vectorCase, m mutation, ct []byte, s Sealed) {
	t.Helper()
	c := append([]byte(nil), ct...)
	key, size, digest := s.Key, s.Size, s.Digest
	switch m.Op {
	case "flip":
		c[m.At] ^= 1
	case "cut":
		c = c[:m.At]
	case "append":
		c = append(c, make([]byte, m.Bytes)...)
	case "size":
		size = uint64(int64(size) + m.Delta)
	case "digest":
		digest[0] ^= 1
	case "key":
		key[31] ^= 1
	case "swap":
		a, b := m.First*SealedChunkSize, m.Second*SealedChunkSize
		tmp := append([]byte(nil), c[a:a+SealedChunkSize]...)
		copy(c[a:], c[b:b+SealedChunkSize])
		copy(c[b:], tmp)
	default:
		t.Fatalf("unknown mutation %q", m.Op)
	}
	want := map[string]error{"tampered": ErrTampered, "truncated": ErrTruncated}[m.Expect]
	if want == nil {
		t.Fatalf("unknown expectation %q", m.Expect)
	}
	// Once with a length the decrypter can see up front, once as a bare
	// stream, as a download arrives.
	for _, src := range []func() interface{ Read([]byte) (int, error) }{
		func() interface{ Read([]byte) (int, error) } { return bytes.NewReader(c) },
		func() interface{ Read([]byte) (int, error) } { return struct{ *bytes.Reader }{bytes.NewReader(c)} },
	} {
		var out bytes.Buffer
		err := Decrypt(&out, src(), key, size, digest)
		if !errors.Is(err, want) {
			t.Errorf("size %d, %+v: got %v, want %v", vc.Size, m, err, want)
		}
	}
}
