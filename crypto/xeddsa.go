package crypto

import (
	"errors"
	"io"
)

// SignatureSize is the length of an XEdDSA signature.
const SignatureSize = 64

// Sign makes an XEdDSA signature of msg with p, drawing 64 bytes of nonce
// randomness from rand. (Placeholder until XEdDSA lands.)
func (p *PrivateKey) Sign(rand io.Reader, msg []byte) ([]byte, error) {
	return nil, errors.New("crypto: XEdDSA not implemented yet")
}

// Verify reports whether sig is a valid XEdDSA signature of msg by k.
func (k PublicKey) Verify(msg, sig []byte) bool { return false }
