package crypto

import (
	"crypto/hmac"
	"crypto/sha256"
)

// HKDF info labels, as libsignal spells them (message version 3).
const (
	// labelText derives the first root key from the X3DH shared secret.
	labelText = "WhisperText"
	// labelRatchet derives a new root key and chain key in a DH ratchet step.
	labelRatchet = "WhisperRatchet"
	// labelMessageKeys derives a message's cipher key, MAC key and IV.
	labelMessageKeys = "WhisperMessageKeys"
)

// hkdfSHA256 fills out with HKDF-SHA256(secret, salt, info) (RFC 5869):
// extract, then as many expand blocks as out needs (libsignal never asks for
// more than three).
func hkdfSHA256(out, secret, salt []byte, info string) {
	ext := hmac.New(sha256.New, salt)
	ext.Write(secret)
	prk := ext.Sum(nil)
	exp := hmac.New(sha256.New, prk)
	var t [sha256.Size]byte
	var prev []byte
	for i := byte(1); len(out) > 0; i++ {
		exp.Reset()
		exp.Write(prev)
		exp.Write([]byte(info))
		exp.Write([]byte{i})
		exp.Sum(t[:0])
		n := copy(out, t[:])
		out = out[n:]
		prev = t[:]
	}
}
