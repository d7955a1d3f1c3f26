package attach

import (
	"bytes"
	"crypto/rand"
	"io"
	"testing"
)

// benchSize is 16 MiB: large enough that per-file setup does not count,
// small enough for wasm under node.
const benchSize = 16 << 20

func BenchmarkEncrypt(b *testing.B) {
	plain := make([]byte, benchSize)
	b.SetBytes(benchSize)
	for b.Loop() {
		if _, err := Encrypt(io.Discard, bytes.NewReader(plain), rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	plain := make([]byte, benchSize)
	var ct bytes.Buffer
	s, err := Encrypt(&ct, bytes.NewReader(plain), rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(benchSize)
	for b.Loop() {
		if err := Decrypt(io.Discard, bytes.NewReader(ct.Bytes()), s.Key, s.Size, s.Digest); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDigestOnly is the Go share of the browser path: WebCrypto does
// AES-GCM and the chunk SHA-256, Go folds 32 bytes per 64 KiB chunk.
func BenchmarkDigestOnly(b *testing.B) {
	var h [HashSize]byte
	b.SetBytes(benchSize)
	for b.Loop() {
		s, err := NewSealer(rand.Reader, benchSize)
		if err != nil {
			b.Fatal(err)
		}
		for i := uint64(0); i < s.NumChunks(); i++ {
			if _, err := s.Nonce(i); err != nil {
				b.Fatal(err)
			}
			if err := s.AddSealedHash(h); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := s.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChunkSHA256 is SHA-256 of sealed chunks in Go, the cost the
// browser avoids by hashing in WebCrypto.
func BenchmarkChunkSHA256(b *testing.B) {
	chunk := make([]byte, SealedChunkSize)
	d := NewDigester()
	b.SetBytes(SealedChunkSize)
	for b.Loop() {
		d.AddChunk(chunk)
	}
}
