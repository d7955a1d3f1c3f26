package crypto

import (
	"crypto/subtle"
	"errors"
	"io"
)

// DjbType is the type byte libsignal puts in front of every serialised
// Curve25519 public key.
const DjbType = 0x05

const (
	// PublicKeySize is the length of a serialised public key: type byte + 32.
	PublicKeySize = 33
	// PrivateKeySize is the length of a serialised private key.
	PrivateKeySize = 32
)

// ErrBadKey reports a key that does not decode, or a Diffie-Hellman result
// that is all zeros (a low-order point).
var ErrBadKey = errors.New("crypto: bad key")

// PublicKey is a Curve25519 (Montgomery u-coordinate) public key.
type PublicKey [32]byte

// ParsePublicKey decodes libsignal's 33-byte encoding: DjbType then 32 bytes.
func ParsePublicKey(b []byte) (PublicKey, error) {
	var k PublicKey
	if len(b) != PublicKeySize || b[0] != DjbType {
		return k, ErrBadKey
	}
	copy(k[:], b[1:])
	return k, nil
}

// Bytes returns the 33-byte libsignal encoding of k.
func (k PublicKey) Bytes() []byte {
	b := make([]byte, PublicKeySize)
	b[0] = DjbType
	copy(b[1:], k[:])
	return b
}

// Equal reports whether k and o are the same key, in constant time.
func (k PublicKey) Equal(o PublicKey) bool {
	return subtle.ConstantTimeCompare(k[:], o[:]) == 1
}

// PrivateKey is a Curve25519 private key. It keeps the key in the form this
// platform computes X25519 with fastest (x25519_key_*.go: crypto/ecdh
// natively, the scalar for the ten-limb ladder under js/wasm) and the public
// key, so each Diffie-Hellman costs one scalar multiplication.
type PrivateKey struct {
	key x25519Key
	pub PublicKey
}

// GenerateKey returns a fresh private key read from rand.
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	var b [PrivateKeySize]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return nil, err
	}
	return NewPrivateKey(b[:])
}

// NewPrivateKey decodes a 32-byte private key. The scalar is clamped, as
// libsignal does when it generates keys, so stored keys round-trip exactly.
func NewPrivateKey(b []byte) (*PrivateKey, error) {
	if len(b) != PrivateKeySize {
		return nil, ErrBadKey
	}
	var s [PrivateKeySize]byte
	copy(s[:], b)
	s[0] &= 248
	s[31] &= 127
	s[31] |= 64
	key, pub, err := newX25519Key(&s)
	clear(s[:])
	if err != nil {
		return nil, ErrBadKey
	}
	return &PrivateKey{key: key, pub: pub}, nil
}

// PublicKey returns the public half of p.
func (p *PrivateKey) PublicKey() PublicKey { return p.pub }

// Bytes returns the 32-byte clamped scalar, for storage only.
func (p *PrivateKey) Bytes() []byte { return p.key.Bytes() }

// String keeps private keys out of logs and error messages.
func (p *PrivateKey) String() string { return "[redacted]" }

// GoString keeps private keys out of %#v output too.
func (p *PrivateKey) GoString() string { return "[redacted]" }

// DH computes X25519(p, pub). A result of all zeros (pub of low order) is
// refused with ErrBadKey, as crypto/ecdh does.
func (p *PrivateKey) DH(pub PublicKey) ([32]byte, error) {
	return p.key.dh(&pub)
}
