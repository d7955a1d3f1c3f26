package crypto

import "crypto/sha256"

// HKDF info labels, as libsignal spells them (message version 3).
const (
	// labelText derives the first root key from the X3DH shared secret.
	labelText = "WhisperText"
	// labelRatchet derives a new root key and chain key in a DH ratchet step.
	labelRatchet = "WhisperRatchet"
	// labelMessageKeys derives a message's cipher key, MAC key and IV.
	labelMessageKeys = "WhisperMessageKeys"
)

// maxLabel is the longest label; it sizes the expand buffer.
const maxLabel = len(labelMessageKeys)

// kdf holds the hashing state the key derivations reuse. A SessionRecord
// keeps one so the per-message path neither allocates nor recomputes the
// pads of HKDF's constant all-zero salt. The zero value is ready to use.
type kdf struct {
	h hmacSHA256
	// zeroSalt holds the HMAC pads of 32 zero bytes, set up on first use.
	zeroSalt      hmacSHA256
	zeroSaltReady bool
	prk           [sha256.Size]byte
	expandBuf     [sha256.Size + maxLabel + 1]byte
	block         [sha256.Size]byte
}

func (kdf) String() string   { return "[redacted]" }
func (kdf) GoString() string { return "[redacted]" }

// hkdf fills out (at most 96 bytes: libsignal never asks for more) with
// HKDF-SHA256(secret, salt, info) (RFC 5869). A nil salt means 32 zero
// bytes, whose pads are kept.
func (k *kdf) hkdf(out, secret, salt []byte, info string) {
	// Extract: PRK = HMAC(salt, secret).
	if salt == nil {
		if !k.zeroSaltReady {
			var zero [32]byte
			k.zeroSalt.setKey(zero[:])
			k.zeroSaltReady = true
		}
		k.zeroSalt.sum(&k.prk, secret)
	} else {
		k.h.setKey(salt)
		k.h.sum(&k.prk, secret)
	}
	// Expand: T(i) = HMAC(PRK, T(i-1) || info || i).
	k.h.setKey(k.prk[:])
	t := k.expandBuf[:0]
	for i := byte(1); len(out) > 0; i++ {
		t = append(t, info...)
		t = append(t, i)
		k.h.sum(&k.block, t)
		n := copy(out, k.block[:])
		out = out[n:]
		t = append(k.expandBuf[:0], k.block[:]...)
	}
}
