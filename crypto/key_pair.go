package crypto

import "io"

// keyPair is a short-lived key pair of ours: a ratchet key, or Alice's X3DH
// base key. It keeps the clamped scalar and the public key, so a stored
// session loads without any scalar multiplication: the *PrivateKey is made
// on the first Diffie-Hellman.
type keyPair struct {
	scalar [PrivateKeySize]byte // clamped
	pub    PublicKey
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

// isClamped reports whether s is already clamped.
func isClamped(s *[32]byte) bool { return s[0]&7 == 0 && s[31]&0xC0 == 0x40 }

// generateKeyPair makes a fresh key pair, drawing from rand exactly what
// GenerateKey draws.
func generateKeyPair(rand io.Reader) (keyPair, error) {
	p, err := GenerateKey(rand)
	if err != nil {
		return keyPair{}, err
	}
	return keyPairOf(p), nil
}

// dh computes X25519 of k and pub.
func (k *keyPair) dh(pub PublicKey) ([32]byte, error) {
	if k.parsed == nil {
		p, err := NewPrivateKey(k.scalar[:])
		if err != nil {
			return [32]byte{}, err
		}
		k.parsed = p
	}
	return k.parsed.DH(pub)
}
