package attach

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"io"
)

// labelKeys is the HKDF info that turns a file key into the AES key and
// the nonce prefix.
const labelKeys = "Sambung attachment v1"

const (
	// NonceSize is the AES-GCM nonce: prefix(7) || uint32 chunk index ||
	// last-chunk flag.
	NonceSize   = 12
	prefixSize  = 7
	aesKeySize  = 32
	flagLast    = 1
	flagNotLast = 0
)

// Key is a file key: 32 fresh random bytes for each attachment, carried
// only inside the Pointer. It prints as [redacted].
type Key [32]byte

func (Key) String() string   { return "[redacted]" }
func (Key) GoString() string { return "[redacted]" }

// Equal compares in constant time.
func (k *Key) Equal(o *Key) bool { return subtle.ConstantTimeCompare(k[:], o[:]) == 1 }

// NewKey draws a fresh file key from rand.
func NewKey(rand io.Reader) (Key, error) {
	var k Key
	if _, err := io.ReadFull(rand, k[:]); err != nil {
		return Key{}, err
	}
	return k, nil
}

// AESKey is the AES-256-GCM key derived from a file key, for a WebCrypto
// importKey. It is secret and prints as [redacted].
type AESKey [aesKeySize]byte

func (AESKey) String() string   { return "[redacted]" }
func (AESKey) GoString() string { return "[redacted]" }

// ChunkCipher seals and opens single chunks of one file at any index, for
// streaming and for range downloads. It does not check the digest: Opener
// and Decrypt do. It is not safe for concurrent use.
type ChunkCipher struct {
	aesKey AESKey
	prefix [prefixSize]byte
	aead   cipher.AEAD // nil until Seal or Open
}

// NewChunkCipher derives the AES key and nonce prefix from a file key
// (spec step "key schedule").
func NewChunkCipher(k Key) *ChunkCipher {
	out := hkdfSHA256(k[:], labelKeys, aesKeySize+prefixSize)
	c := &ChunkCipher{}
	copy(c.aesKey[:], out[:aesKeySize])
	copy(c.prefix[:], out[aesKeySize:])
	return c
}

// gcm builds the AES-GCM cipher on first use, so a browser build that
// leaves AES-GCM to WebCrypto links none of it.
func (c *ChunkCipher) gcm() cipher.AEAD {
	if c.aead == nil {
		block, err := aes.NewCipher(c.aesKey[:])
		if err != nil {
			panic("attach: aes: " + err.Error()) // cannot happen: the key is 32 bytes
		}
		c.aead, err = cipher.NewGCM(block)
		if err != nil {
			panic("attach: gcm: " + err.Error()) // cannot happen: standard nonce and tag sizes
		}
	}
	return c.aead
}

// AESKey returns the derived AES-256 key, for the browser to run AES-GCM in
// WebCrypto. It is the same for every chunk of the file.
func (c *ChunkCipher) AESKey() AESKey { return c.aesKey }

// Nonce is chunk i's nonce (spec step "chunk nonce"): the prefix, the index
// as uint32 big-endian, and 1 on the last chunk, else 0. The flag stops
// truncation and extension, the index stops reordering.
func (c *ChunkCipher) Nonce(i uint64, last bool) ([NonceSize]byte, error) {
	var n [NonceSize]byte
	if i >= maxChunks {
		return n, ErrTooLarge
	}
	copy(n[:], c.prefix[:])
	binary.BigEndian.PutUint32(n[prefixSize:], uint32(i))
	n[NonceSize-1] = flagNotLast
	if last {
		n[NonceSize-1] = flagLast
	}
	return n, nil
}

// Seal appends chunk i, sealed, to dst. plain must be ChunkSize bytes
// except on the last chunk, which may be shorter.
func (c *ChunkCipher) Seal(dst, plain []byte, i uint64, last bool) ([]byte, error) {
	if len(plain) > ChunkSize || (!last && len(plain) != ChunkSize) {
		return dst, ErrOrder
	}
	n, err := c.Nonce(i, last)
	if err != nil {
		return dst, err
	}
	return c.gcm().Seal(dst, n[:], plain, nil), nil
}

// Open appends the plaintext of sealed chunk i to dst, or returns
// ErrTampered and dst unchanged.
func (c *ChunkCipher) Open(dst, sealed []byte, i uint64, last bool) ([]byte, error) {
	if len(sealed) < TagSize || len(sealed) > SealedChunkSize || (!last && len(sealed) != SealedChunkSize) {
		return dst, ErrTampered
	}
	n, err := c.Nonce(i, last)
	if err != nil {
		return dst, err
	}
	out, err := c.gcm().Open(dst, n[:], sealed, nil)
	if err != nil {
		return dst, ErrTampered
	}
	return out, nil
}

// hkdfSHA256 is HKDF-SHA256 (RFC 5869) with no salt (32 zero bytes), for
// at most 64 bytes of output. It is written out on crypto/sha256 because
// crypto/hkdf would link crypto/sha3 and FIPS self-tests into the wasm
// module: 6 KB brotli against a budget with 15 KB left.
func hkdfSHA256(secret []byte, info string, n int) []byte {
	var salt [sha256.Size]byte
	prk := hmacSHA256(salt[:], secret)
	t1 := hmacSHA256(prk, []byte(info+"\x01"))
	t2 := hmacSHA256(prk, append(append(t1[:len(t1):len(t1)], info...), 2))
	return append(t1, t2...)[:n]
}

// hmacSHA256 is HMAC-SHA256 (RFC 2104) for keys of at most one block.
func hmacSHA256(key, msg []byte) []byte {
	var pad [sha256.BlockSize]byte
	copy(pad[:], key)
	for i := range pad {
		pad[i] ^= 0x36
	}
	h := sha256.New()
	h.Write(pad[:])
	h.Write(msg)
	inner := h.Sum(nil)
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	h.Reset()
	h.Write(pad[:])
	h.Write(inner)
	return h.Sum(nil)
}
