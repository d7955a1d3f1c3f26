package attach

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"hash"
)

// labelDigest starts the digest's hash input.
const labelDigest = "Sambung attachment digest v1"

// HashSize is the size of a chunk hash and of the digest.
const HashSize = sha256.Size

// Digest commits to a whole ciphertext: SHA-256(labelDigest ||
// SHA-256(sealed chunk 0) || ... || SHA-256(sealed chunk n-1) || uint64
// big-endian plaintext size). Each chunk hash is one-shot, so a browser
// computes it natively with crypto.subtle.digest, which has no incremental
// hashing; the outer hash over 32 bytes a chunk runs here.
type Digest [HashSize]byte

// Equal compares in constant time.
func (d *Digest) Equal(o *Digest) bool { return subtle.ConstantTimeCompare(d[:], o[:]) == 1 }

// Digester computes a Digest chunk by chunk as sealed chunks go past.
type Digester struct {
	h      hash.Hash
	chunks uint64
	sum    *Digest // set by the first Sum
}

// NewDigester starts a digest.
func NewDigester() *Digester {
	d := &Digester{h: sha256.New()}
	d.h.Write([]byte(labelDigest))
	return d
}

// AddChunk hashes the next sealed chunk here.
func (d *Digester) AddChunk(sealed []byte) {
	h := sha256.Sum256(sealed)
	d.AddChunkHash(h)
}

// AddChunkHash takes the SHA-256 of the next sealed chunk, computed
// elsewhere (WebCrypto).
func (d *Digester) AddChunkHash(h [HashSize]byte) {
	d.h.Write(h[:])
	d.chunks++
}

// Chunks is how many chunks went in.
func (d *Digester) Chunks() uint64 { return d.chunks }

// Sum finishes the digest for a plaintext of size bytes. Later calls
// return the first result; chunks added after it do not count.
func (d *Digester) Sum(size uint64) Digest {
	if d.sum != nil {
		return *d.sum
	}
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], size)
	d.h.Write(s[:])
	var out Digest
	d.h.Sum(out[:0])
	d.sum = &out
	return out
}
