package attach

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

var roundTripSizes = []uint64{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3 * ChunkSize, 3*ChunkSize + 5, 3 << 20}

func randomBytes(t testing.TB, n uint64) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func seal(t testing.TB, plain []byte) ([]byte, Sealed) {
	t.Helper()
	var ct bytes.Buffer
	s, err := Encrypt(&ct, bytes.NewReader(plain), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return ct.Bytes(), s
}

func TestRoundTrip(t *testing.T) {
	for _, size := range roundTripSizes {
		plain := randomBytes(t, size)
		var ct bytes.Buffer
		// HalfReader makes every read short, as a network stream does.
		s, err := Encrypt(&ct, iotest.HalfReader(bytes.NewReader(plain)), rand.Reader)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if s.Size != size || uint64(ct.Len()) != CiphertextSize(size) {
			t.Fatalf("size %d: got size %d, ciphertext %d", size, s.Size, ct.Len())
		}
		var out bytes.Buffer
		if err := Decrypt(&out, iotest.HalfReader(&ct), s.Key, s.Size, s.Digest); err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if !bytes.Equal(out.Bytes(), plain) {
			t.Fatalf("size %d: plaintext differs", size)
		}
	}
}

func TestFreshKeyEachTime(t *testing.T) {
	_, a := seal(t, []byte("same"))
	_, b := seal(t, []byte("same"))
	if a.Key.Equal(&b.Key) || a.Digest.Equal(&b.Digest) {
		t.Fatal("two encryptions share a key or digest")
	}
}

// webCryptoSeal stands in for the browser: AES-256-GCM from the AES key
// and nonce alone, outside ChunkCipher, as crypto.subtle.encrypt runs it.
func webCryptoGCM(t testing.TB, k AESKey) cipher.AEAD {
	block, err := aes.NewCipher(k[:])
	if err != nil {
		t.Fatal(err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestSealerBrowserPath seals as the browser will (AES-GCM and SHA-256
// outside, key, nonces and digest from the Sealer) and as Go does, and
// checks both give Encrypt's bytes and digest.
func TestSealerBrowserPath(t *testing.T) {
	for _, size := range roundTripSizes {
		plain := randomBytes(t, size)
		keyBytes := randomBytes(t, 32)
		var want bytes.Buffer
		sealed, err := Encrypt(&want, bytes.NewReader(plain), bytes.NewReader(keyBytes))
		if err != nil {
			t.Fatal(err)
		}

		browser, err := NewSealer(bytes.NewReader(keyBytes), size)
		if err != nil {
			t.Fatal(err)
		}
		native, _ := NewSealer(bytes.NewReader(keyBytes), size)
		gcm := webCryptoGCM(t, browser.AESKey())
		var got, gotNative []byte
		off := 0
		for i := uint64(0); i < browser.NumChunks(); i++ {
			n := browser.ChunkLen(i)
			nonce, err := browser.Nonce(i)
			if err != nil {
				t.Fatal(err)
			}
			c := gcm.Seal(nil, nonce[:], plain[off:off+n], nil)
			if err := browser.AddSealedHash(sha256.Sum256(c)); err != nil {
				t.Fatal(err)
			}
			got = append(got, c...)
			if gotNative, err = native.Seal(gotNative, plain[off:off+n]); err != nil {
				t.Fatal(err)
			}
			off += n
		}
		if err := browser.AddSealedHash([32]byte{}); !errors.Is(err, ErrOrder) {
			t.Fatalf("a chunk past the last: %v", err)
		}
		d1, err1 := browser.Finish()
		d2, err2 := native.Finish()
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !bytes.Equal(got, want.Bytes()) || !bytes.Equal(gotNative, want.Bytes()) {
			t.Fatalf("size %d: ciphertexts differ", size)
		}
		if !d1.Equal(&sealed.Digest) || !d2.Equal(&sealed.Digest) {
			t.Fatalf("size %d: digests differ", size)
		}
		k := browser.Key()
		if !k.Equal(&sealed.Key) {
			t.Fatal("keys differ")
		}
	}
}

func TestSealerOrder(t *testing.T) {
	s, err := NewSealer(rand.Reader, ChunkSize+1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Finish(); !errors.Is(err, ErrOrder) {
		t.Fatalf("Finish before the chunks: %v", err)
	}
	if _, err := s.Seal(nil, make([]byte, 1)); !errors.Is(err, ErrOrder) {
		t.Fatalf("short first chunk: %v", err)
	}
	if _, err := s.Nonce(2); !errors.Is(err, ErrOrder) {
		t.Fatalf("nonce past the end: %v", err)
	}
	if _, err := NewSealer(rand.Reader, MaxSize+1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over MaxSize: %v", err)
	}
}

// TestOpenerBrowserPath opens as the browser will and checks the digest.
func TestOpenerBrowserPath(t *testing.T) {
	plain := randomBytes(t, 3*ChunkSize+7)
	ct, s := seal(t, plain)
	o, err := NewOpener(s.Key, s.Size, s.Digest)
	if err != nil {
		t.Fatal(err)
	}
	gcm := webCryptoGCM(t, o.AESKey())
	var got []byte
	off := 0
	for i := uint64(0); i < o.NumChunks(); i++ {
		c := ct[off : off+o.SealedLen(i)]
		nonce, _ := o.Nonce(i)
		p, err := gcm.Open(nil, nonce[:], c, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.AddSealedHash(sha256.Sum256(c)); err != nil {
			t.Fatal(err)
		}
		got = append(got, p...)
		off += len(c)
	}
	if err := o.Finish(); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("browser path: %v", err)
	}
}

// TestFailedOpenChangesNothing: a chunk that fails leaves dst and the
// Opener as they were, so the right chunk still opens after it.
func TestFailedOpenChangesNothing(t *testing.T) {
	ct, s := seal(t, randomBytes(t, 2*ChunkSize))
	o, _ := NewOpener(s.Key, s.Size, s.Digest)
	bad := append([]byte(nil), ct[:SealedChunkSize]...)
	bad[100] ^= 0x80
	dst := []byte("kept")
	out, err := o.Open(dst, bad)
	if !errors.Is(err, ErrTampered) || string(out) != "kept" {
		t.Fatalf("tampered chunk: %v %q", err, out)
	}
	if err := o.Finish(); !errors.Is(err, ErrTruncated) {
		t.Fatalf("Finish after a failed chunk: %v", err)
	}
	for i := 0; i < 2; i++ {
		if _, err := o.Open(nil, ct[i*SealedChunkSize:(i+1)*SealedChunkSize]); err != nil {
			t.Fatalf("chunk %d: %v", i, err)
		}
	}
	if err := o.Finish(); err != nil {
		t.Fatal(err)
	}
}

type hideLen struct{ r io.Reader }

func (h hideLen) Read(p []byte) (int, error) { return h.r.Read(p) }

// TestTampering names each attack on a four-chunk file and its error.
func TestTampering(t *testing.T) {
	plain := randomBytes(t, 3*ChunkSize+100)
	ct, s := seal(t, plain)
	chunk := func(i int) []byte {
		end := min((i+1)*SealedChunkSize, len(ct))
		return ct[i*SealedChunkSize : end]
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	flipped := append([]byte(nil), ct...)
	flipped[SealedChunkSize+5] ^= 4
	otherKey, otherDigest := s.Key, s.Digest
	otherKey[0] ^= 1
	otherDigest[31] ^= 1
	extra, _ := NewChunkCipher(s.Key).Seal(nil, make([]byte, 10), 4, true)

	cases := []struct {
		name   string
		ct     []byte
		key    Key
		size   uint64
		digest Digest
		want   error
	}{
		{"flip a bit in a chunk", flipped, s.Key, s.Size, s.Digest, ErrTampered},
		{"swap two chunks", cat(chunk(1), chunk(0), chunk(2), chunk(3)), s.Key, s.Size, s.Digest, ErrTampered},
		{"drop the last chunk", cat(chunk(0), chunk(1), chunk(2)), s.Key, s.Size, s.Digest, ErrTruncated},
		{"drop the last chunk, size to match", cat(chunk(0), chunk(1), chunk(2)), s.Key, 3 * ChunkSize, s.Digest, ErrTampered},
		{"append a chunk", cat(ct, extra), s.Key, s.Size, s.Digest, ErrTampered},
		{"append a byte", cat(ct, []byte{0}), s.Key, s.Size, s.Digest, ErrTampered},
		{"cut inside a chunk", ct[:len(ct)-50], s.Key, s.Size, s.Digest, ErrTruncated},
		{"empty download", nil, s.Key, s.Size, s.Digest, ErrTruncated},
		{"size larger", ct, s.Key, s.Size + 1, s.Digest, ErrTruncated},
		{"size smaller", ct, s.Key, s.Size - 1, s.Digest, ErrTampered},
		{"wrong key", ct, otherKey, s.Size, s.Digest, ErrTampered},
		{"wrong digest", ct, s.Key, s.Size, otherDigest, ErrTampered},
		{"size over the cap", ct, s.Key, MaxSize + 1, s.Digest, ErrTooLarge},
	}
	for _, c := range cases {
		for _, src := range []io.Reader{bytes.NewReader(c.ct), hideLen{bytes.NewReader(c.ct)}} {
			var out bytes.Buffer
			if err := Decrypt(&out, src, c.key, c.size, c.digest); !errors.Is(err, c.want) {
				t.Errorf("%s (%T): got %v, want %v", c.name, src, err, c.want)
			}
		}
	}
}

// TestDecryptLengthCheckedFirst: with a known length, a wrong ciphertext
// size fails before a byte is written.
func TestDecryptLengthCheckedFirst(t *testing.T) {
	ct, s := seal(t, randomBytes(t, 2*ChunkSize))
	var out bytes.Buffer
	if err := Decrypt(&out, bytes.NewReader(ct[:len(ct)-1]), s.Key, s.Size, s.Digest); !errors.Is(err, ErrTruncated) || out.Len() != 0 {
		t.Fatalf("got %v and %d bytes", err, out.Len())
	}
}

// TestWrongDigestWritesOnlyAuthenticChunks documents that output before
// the final check is authentic but provisional.
func TestWrongDigestWritesOnlyAuthenticChunks(t *testing.T) {
	plain := randomBytes(t, 2*ChunkSize)
	ct, s := seal(t, plain)
	s.Digest[0] ^= 1
	var out bytes.Buffer
	err := Decrypt(&out, bytes.NewReader(ct), s.Key, s.Size, s.Digest)
	if !errors.Is(err, ErrTampered) || !bytes.Equal(out.Bytes(), plain[:out.Len()]) {
		t.Fatalf("got %v", err)
	}
}

type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), z.n))
	clear(p[:n])
	z.n -= int64(n)
	return n, nil
}

func TestEncryptOverCap(t *testing.T) {
	if testing.Short() || runtime.GOARCH == "wasm" {
		t.Skip("encrypts 2 GiB")
	}
	_, err := Encrypt(io.Discard, &zeros{MaxSize + 1}, rand.Reader)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v", err)
	}
}

// TestChunkRange checks ChunkRange against a byte-by-byte count and by
// decrypting the range it names.
func TestChunkRange(t *testing.T) {
	for _, size := range []uint64{1, 10, ChunkSize, ChunkSize + 1, 3*ChunkSize + 100} {
		plain := randomBytes(t, size)
		ct, s := seal(t, plain)
		c := NewChunkCipher(s.Key)
		points := []uint64{0, 1, 9, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2*ChunkSize - 1, 2 * ChunkSize, 3 * ChunkSize, size - 1, size}
		for _, off := range points {
			for _, end := range points {
				if off >= size || end <= off || end > size {
					if _, err := ChunkRange(size, off, end-off); !errors.Is(err, ErrRange) {
						t.Fatalf("size %d [%d,%d): want ErrRange, got %v", size, off, end, err)
					}
					continue
				}
				r, err := ChunkRange(size, off, end-off)
				if err != nil {
					t.Fatal(err)
				}
				first, last := ^uint64(0), uint64(0)
				for b := off; b < end; b++ {
					first, last = min(first, b/ChunkSize), max(last, b/ChunkSize)
				}
				cstart, cend := uint64(0), uint64(0)
				for i := uint64(0); i <= last; i++ {
					l := uint64(chunkLen(size, i)) + TagSize
					if i < first {
						cstart += l
					}
					cend += l
				}
				if r.FirstChunk != first || r.LastChunk != last || r.CipherStart != cstart || r.CipherEnd != cend {
					t.Fatalf("size %d [%d,%d): got %+v, want chunks %d-%d bytes %d-%d", size, off, end, r, first, last, cstart, cend)
				}
				var got []byte
				part := ct[r.CipherStart:r.CipherEnd]
				for i := r.FirstChunk; i <= r.LastChunk; i++ {
					n := min(uint64(len(part)), SealedChunkSize)
					got, err = c.Open(got, part[:n], i, i+1 == NumChunks(size))
					if err != nil {
						t.Fatalf("chunk %d: %v", i, err)
					}
					part = part[n:]
				}
				if !bytes.Equal(got[r.Skip:r.Skip+end-off], plain[off:end]) {
					t.Fatalf("size %d [%d,%d): range plaintext differs", size, off, end)
				}
			}
		}
	}
	if _, err := ChunkRange(MaxSize+1, 0, 1); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
}

// TestChunkCipherBounds: the nonce counter and chunk sizes are enforced.
func TestChunkCipherBounds(t *testing.T) {
	c := NewChunkCipher(Key{})
	if _, err := c.Nonce(maxChunks, true); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
	if _, err := c.Seal(nil, make([]byte, ChunkSize+1), 0, true); !errors.Is(err, ErrOrder) {
		t.Fatal(err)
	}
	if _, err := c.Open(nil, make([]byte, 3), 0, true); !errors.Is(err, ErrTampered) {
		t.Fatal(err)
	}
	// The same chunk under the other flag does not open.
	sealed, _ := c.Seal(nil, make([]byte, ChunkSize), 0, false)
	if _, err := c.Open(nil, sealed, 0, true); !errors.Is(err, ErrTampered) {
		t.Fatal(err)
	}
	if k := (Key{1}); k.String() != "[redacted]" || c.AESKey().String() != "[redacted]" {
		t.Fatal("a key prints")
	}
}

// TestFinishTwice: a second Finish gives the same answer, not a digest
// with the size hashed in twice.
func TestFinishTwice(t *testing.T) {
	plain := randomBytes(t, 10)
	s, _ := NewSealer(rand.Reader, 10)
	ct, err := s.Seal(nil, plain)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := s.Finish()
	d2, _ := s.Finish()
	if !d1.Equal(&d2) {
		t.Fatal("second Finish changed the digest")
	}
	o, _ := NewOpener(s.Key(), 10, d1)
	if _, err := o.Open(nil, ct); err != nil {
		t.Fatal(err)
	}
	if o.Finish() != nil || o.Finish() != nil {
		t.Fatal("second Finish failed")
	}
}
