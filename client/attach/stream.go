package attach

import (
	"errors"
	"io"
)

// Sealer encrypts one file of known size chunk by chunk, in order. Go can
// seal each chunk (Seal), or the browser seals it in WebCrypto with
// AESKey and Nonce and hands back the SHA-256 of the sealed chunk
// (AddSealedHash). Either way the Sealer keeps the count and the digest.
type Sealer struct {
	key  Key
	c    *ChunkCipher
	d    *Digester
	size uint64
}

// NewSealer draws a fresh file key from rand for a plaintext of size bytes.
func NewSealer(rand io.Reader, size uint64) (*Sealer, error) {
	if size > MaxSize {
		return nil, ErrTooLarge
	}
	k, err := NewKey(rand)
	if err != nil {
		return nil, err
	}
	return &Sealer{key: k, c: NewChunkCipher(k), d: NewDigester(), size: size}, nil
}

// Key is the file key for the Pointer.
func (s *Sealer) Key() Key { return s.key }

// Size is the plaintext size the Sealer was made for.
func (s *Sealer) Size() uint64 { return s.size }

// AESKey is the derived AES-256-GCM key for WebCrypto.
func (s *Sealer) AESKey() AESKey { return s.c.AESKey() }

// NumChunks is how many chunks the file makes.
func (s *Sealer) NumChunks() uint64 { return NumChunks(s.size) }

// ChunkLen is the plaintext length of chunk i: ChunkSize but for the last.
func (s *Sealer) ChunkLen(i uint64) int { return chunkLen(s.size, i) }

// Nonce is chunk i's nonce, the last-chunk flag set from the file size.
func (s *Sealer) Nonce(i uint64) ([NonceSize]byte, error) {
	if i >= s.NumChunks() {
		return [NonceSize]byte{}, ErrOrder
	}
	return s.c.Nonce(i, i+1 == s.NumChunks())
}

// Seal appends the next chunk, sealed, to dst and adds it to the digest.
// plain must be ChunkLen bytes.
func (s *Sealer) Seal(dst, plain []byte) ([]byte, error) {
	i := s.d.Chunks()
	if i >= s.NumChunks() || len(plain) != s.ChunkLen(i) {
		return dst, ErrOrder
	}
	out, err := s.c.Seal(dst, plain, i, i+1 == s.NumChunks())
	if err != nil {
		return dst, err
	}
	s.d.AddChunk(out[len(dst):])
	return out, nil
}

// AddSealedHash takes the SHA-256 of the next sealed chunk, which the
// browser sealed itself.
func (s *Sealer) AddSealedHash(h [HashSize]byte) error {
	if s.d.Chunks() >= s.NumChunks() {
		return ErrOrder
	}
	s.d.AddChunkHash(h)
	return nil
}

// Finish returns the digest once every chunk went past, else ErrOrder.
// Call it once.
func (s *Sealer) Finish() (Digest, error) {
	if s.d.Chunks() != s.NumChunks() {
		return Digest{}, ErrOrder
	}
	return s.d.Sum(s.size), nil
}

// Opener decrypts one file chunk by chunk, in order, and checks the digest
// at the end. As with Sealer, Go may open each chunk (Open) or the browser
// opens it in WebCrypto and hands back the SHA-256 of the sealed chunk
// (AddSealedHash). Output is provisional until Finish returns nil.
type Opener struct {
	c      *ChunkCipher
	d      *Digester
	size   uint64
	digest Digest
}

// NewOpener starts decrypting a size-byte file under key, whose ciphertext
// must match digest.
func NewOpener(key Key, size uint64, digest Digest) (*Opener, error) {
	if size > MaxSize {
		return nil, ErrTooLarge
	}
	return &Opener{c: NewChunkCipher(key), d: NewDigester(), size: size, digest: digest}, nil
}

// AESKey is the derived AES-256-GCM key for WebCrypto.
func (o *Opener) AESKey() AESKey { return o.c.AESKey() }

// NumChunks is how many chunks the file makes.
func (o *Opener) NumChunks() uint64 { return NumChunks(o.size) }

// SealedLen is the ciphertext length of chunk i.
func (o *Opener) SealedLen(i uint64) int { return chunkLen(o.size, i) + TagSize }

// Nonce is chunk i's nonce, the last-chunk flag set from the file size.
func (o *Opener) Nonce(i uint64) ([NonceSize]byte, error) {
	if i >= o.NumChunks() {
		return [NonceSize]byte{}, ErrOrder
	}
	return o.c.Nonce(i, i+1 == o.NumChunks())
}

// Open appends the plaintext of the next sealed chunk to dst once its tag
// verifies, and adds the chunk to the digest; on ErrTampered dst and the
// Opener are unchanged.
func (o *Opener) Open(dst, sealed []byte) ([]byte, error) {
	i := o.d.Chunks()
	if i >= o.NumChunks() {
		return dst, ErrTampered // a chunk past the last: extension
	}
	if len(sealed) != o.SealedLen(i) {
		return dst, ErrTampered
	}
	out, err := o.c.Open(dst, sealed, i, i+1 == o.NumChunks())
	if err != nil {
		return dst, err
	}
	o.d.AddChunk(sealed)
	return out, nil
}

// AddSealedHash takes the SHA-256 of the next sealed chunk, which the
// browser opened itself with WebCrypto (whose tag check must have passed).
func (o *Opener) AddSealedHash(h [HashSize]byte) error {
	if o.d.Chunks() >= o.NumChunks() {
		return ErrTampered
	}
	o.d.AddChunkHash(h)
	return nil
}

// Finish checks that every chunk went past (else ErrTruncated) and that
// the digest matches (else ErrTampered). Only then is the output complete.
// Call it once.
func (o *Opener) Finish() error {
	if o.d.Chunks() != o.NumChunks() {
		return ErrTruncated
	}
	sum := o.d.Sum(o.size)
	if !sum.Equal(&o.digest) {
		return ErrTampered
	}
	return nil
}

// Sealed is what Encrypt learned: the file key, the digest and the
// plaintext size, all for the Pointer.
type Sealed struct {
	Key    Key
	Digest Digest
	Size   uint64
}

// Encrypt streams src through the chunked AEAD into dst under a fresh key
// drawn from rand, holding two chunks in memory whatever the file size. It
// reads one chunk ahead to know which chunk is last. A file over MaxSize
// fails with ErrTooLarge after part of it was written.
func Encrypt(dst io.Writer, src io.Reader, rand io.Reader) (Sealed, error) {
	key, err := NewKey(rand)
	if err != nil {
		return Sealed{}, err
	}
	c := NewChunkCipher(key)
	d := NewDigester()
	cur := make([]byte, ChunkSize)
	next := make([]byte, ChunkSize)
	out := make([]byte, 0, SealedChunkSize)
	n, err := readChunk(src, cur)
	if err != nil {
		return Sealed{}, err
	}
	cur = cur[:n]
	var size uint64
	for i := uint64(0); ; i++ {
		last := len(cur) < ChunkSize
		if !last {
			m, err := readChunk(src, next[:ChunkSize])
			if err != nil {
				return Sealed{}, err
			}
			next = next[:m]
			last = m == 0
		}
		size += uint64(len(cur))
		if size > MaxSize {
			return Sealed{}, ErrTooLarge
		}
		out, err = c.Seal(out[:0], cur, i, last)
		if err != nil {
			return Sealed{}, err
		}
		d.AddChunk(out)
		if _, err := dst.Write(out); err != nil {
			return Sealed{}, err
		}
		if last {
			return Sealed{Key: key, Digest: d.Sum(size), Size: size}, nil
		}
		cur, next = next, cur
	}
}

// readChunk fills buf as far as src goes; a short count means src ended.
func readChunk(src io.Reader, buf []byte) (int, error) {
	n, err := io.ReadFull(src, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return n, nil
	}
	return n, err
}

// Decrypt streams the ciphertext in src to plaintext in dst for a file of
// size bytes under key, checking every chunk's tag and, at the end, the
// digest. A chunk reaches dst only after its tag verified, but the whole
// output is provisional until Decrypt returns nil: on any error the caller
// must discard what was written and never show it as a complete file.
//
// Ciphertext that ends early is ErrTruncated; any other authentication
// failure, bytes after the last chunk included, is ErrTampered. If src
// reports its length (a Len() int method, as bytes.Reader has), a length
// other than CiphertextSize(size) fails before any output.
func Decrypt(dst io.Writer, src io.Reader, key Key, size uint64, digest Digest) error {
	o, err := NewOpener(key, size, digest)
	if err != nil {
		return err
	}
	if l, ok := src.(interface{ Len() int }); ok {
		switch n := uint64(l.Len()); {
		case n < CiphertextSize(size):
			return ErrTruncated
		case n > CiphertextSize(size):
			return ErrTampered
		}
	}
	sealed := make([]byte, SealedChunkSize)
	plain := make([]byte, 0, ChunkSize)
	for i := uint64(0); i < o.NumChunks(); i++ {
		buf := sealed[:o.SealedLen(i)]
		if _, err := io.ReadFull(src, buf); err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return ErrTruncated
			}
			return err
		}
		plain, err = o.Open(plain[:0], buf)
		if err != nil {
			return err
		}
		if _, err := dst.Write(plain); err != nil {
			return err
		}
	}
	var extra [1]byte
	switch n, err := io.ReadFull(src, extra[:]); {
	case n > 0:
		return ErrTampered
	case err != nil && !errors.Is(err, io.EOF):
		return err
	}
	return o.Finish()
}
