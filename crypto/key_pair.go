package crypto

// keyPair is a short-lived key pair of ours: a ratchet key, or Alice's X3DH
// base key. It keeps the clamped scalar and the public key, so a stored
// session loads without any scalar multiplication. How it generates keys
// and computes Diffie-Hellman depends on the platform (x25519_*.go).
type keyPair struct {
	scalar [PrivateKeySize]byte // clamped
	pub    PublicKey
	// parsed is the crypto/ecdh form, made on first use where that is
	// the faster path (native builds).
	parsed *PrivateKey
}

func (keyPair) String() string   { return "[redacted]" }
func (keyPair) GoString() string { return "[redacted]" }

// keyPairOf wraps a long-lived key (Bob's signed prekey, his first ratchet
// key).
func keyPairOf(p *PrivateKey) keyPair {
	k := keyPair{pub: p.PublicKey(), parsed: p}
	copy(k.scalar[:], p.Bytes())
	return k
}

// clampScalar applies X25519's clamping (RFC 7748 section 5).
func clampScalar(s *[32]byte) {
	s[0] &= 248
	s[31] &= 127
	s[31] |= 64
}

// isClamped reports whether s is already clamped.
func isClamped(s *[32]byte) bool { return s[0]&7 == 0 && s[31]&0xC0 == 0x40 }

// dhResult refuses the all-zero output of a low-order public key, as
// crypto/ecdh and libsignal-client do.
func dhResult(out *[32]byte) error {
	var acc byte
	for _, b := range out {
		acc |= b
	}
	if acc == 0 {
		return ErrBadKey
	}
	return nil
}
