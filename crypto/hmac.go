package crypto

import (
	"crypto/sha256"
	"encoding"
	"hash"
)

// hmacSHA256 is HMAC-SHA256 (RFC 2104) that keeps the SHA-256 states after
// the key's inner and outer pads, so one key serves several MACs (a chain
// step takes two, an HKDF expand three) at one compression each, and that
// reuses its digests so the per-message path does not allocate. SHA-256
// itself is the standard library's.
type hmacSHA256 struct {
	inner, outer           resumableHash
	innerState, outerState [sha256StateSize]byte
	innerSum               [sha256.Size]byte
}

// sha256StateSize is the size of crypto/sha256's marshalled digest state.
const sha256StateSize = 4 + 8*4 + sha256.BlockSize + 8

type resumableHash interface {
	hash.Hash
	encoding.BinaryAppender
	encoding.BinaryUnmarshaler
}

func newResumableSHA256() resumableHash {
	h, ok := sha256.New().(resumableHash)
	if !ok {
		panic("crypto: crypto/sha256 cannot save its state") // cannot happen
	}
	return h
}

// setKey absorbs the pads of key (at most one block, as every key here is).
func (h *hmacSHA256) setKey(key []byte) {
	if h.inner == nil {
		h.inner, h.outer = newResumableSHA256(), newResumableSHA256()
	}
	var pad [sha256.BlockSize]byte
	copy(pad[:], key)
	for i := range pad {
		pad[i] ^= 0x36
	}
	h.inner.Reset()
	h.inner.Write(pad[:])
	h.inner.AppendBinary(h.innerState[:0])
	for i := range pad {
		pad[i] ^= 0x36 ^ 0x5c
	}
	h.outer.Reset()
	h.outer.Write(pad[:])
	h.outer.AppendBinary(h.outerState[:0])
}

// begin starts a MAC under the current key.
func (h *hmacSHA256) begin() {
	if err := h.inner.UnmarshalBinary(h.innerState[:]); err != nil {
		panic("crypto: cannot restore a SHA-256 state") // cannot happen
	}
}

func (h *hmacSHA256) write(p []byte) { h.inner.Write(p) }

// finish writes the MAC of what was written since begin to dst.
func (h *hmacSHA256) finish(dst *[sha256.Size]byte) {
	h.inner.Sum(h.innerSum[:0])
	if err := h.outer.UnmarshalBinary(h.outerState[:]); err != nil {
		panic("crypto: cannot restore a SHA-256 state") // cannot happen
	}
	h.outer.Write(h.innerSum[:])
	h.outer.Sum(dst[:0])
}

// sum is begin, write(msg), finish.
func (h *hmacSHA256) sum(dst *[sha256.Size]byte, msg []byte) {
	h.begin()
	h.write(msg)
	h.finish(dst)
}
