//go:build !(js && wasm)

package crypto

import "io"

// Natively, crypto/ecdh's X25519 (64-bit limbs, assembly where there is
// some) is the fastest there is: use the parsed *PrivateKey throughout.

// generateKeyPair draws 32 bytes from rand, exactly as GenerateKey does.
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

// dhLongTerm computes X25519 of a long-lived key and pub.
func dhLongTerm(p *PrivateKey, pub PublicKey) ([32]byte, error) { return p.DH(pub) }
