package crypto

import (
	"crypto/sha512"
	"crypto/subtle"
	"io"

	"filippo.io/edwards25519"
	"filippo.io/edwards25519/field"
)

// SignatureSize is the length of an XEdDSA signature: R (32) then s (32).
const SignatureSize = 64

// hash1Prefix is the XEdDSA spec's domain separation for hash_1: the 32-byte
// little-endian encoding of 2^256 - 1 - 1, so the nonce hash can never
// collide with the challenge hash, whose input starts with a point R.
var hash1Prefix = [32]byte{
	0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
}

// nonceSize is the length of Z, the per-signature randomness: the spec asks
// for 64 bytes so the nonce stays secret even with a weak private key hash.
const nonceSize = 64

// signBit is the top bit of the last byte of an encoded Edwards point (the
// sign of x) and of a signature (where libsignal carries that sign, since a
// reduced s never uses bit 255).
const signBit = 0x80

// Sign makes an XEdDSA signature of msg with p, drawing the 64 bytes of Z
// from rand.
//
// It follows the XEdDSA specification (and Signal's reference xed25519_sign):
// the Edwards key pair is the one whose public key has sign bit 0, so the
// signature's top bit is always 0. libsignal-client and libsignal-node carry
// the signer's sign bit there instead and accept either, so they verify these
// signatures; so does any verifier that follows the specification. For a key
// whose Edwards sign bit is 0 the result is byte for byte what libsignal
// produces from the same Z.
func (p *PrivateKey) Sign(rand io.Reader, msg []byte) ([]byte, error) {
	var z [nonceSize]byte
	if _, err := io.ReadFull(rand, z[:]); err != nil {
		return nil, err
	}
	sig := p.sign(msg, &z)
	return sig[:], nil
}

// sign is xeddsa_sign(k, M, Z) from the XEdDSA specification, section 2.3.
func (p *PrivateKey) sign(msg []byte, z *[nonceSize]byte) [SignatureSize]byte {
	aBytes, pubA := p.calculateKeyPair()
	// SetCanonicalBytes would refuse the unreduced clamped key, so reduce
	// it, zero-extended, in constant time.
	var aWide [64]byte
	copy(aWide[:], aBytes[:])
	a, err := new(edwards25519.Scalar).SetUniformBytes(aWide[:])
	if err != nil {
		panic("crypto: 64-byte scalar input rejected") // cannot happen: the input is 64 bytes
	}
	clear(aWide[:])

	// r = hash1(a || M || Z) (mod q)
	h1 := sha512.New()
	h1.Write(hash1Prefix[:])
	h1.Write(aBytes[:])
	h1.Write(msg)
	h1.Write(z[:])
	var digest [sha512.Size]byte
	r, err := new(edwards25519.Scalar).SetUniformBytes(h1.Sum(digest[:0]))
	if err != nil {
		panic("crypto: 64-byte scalar input rejected")
	}
	clear(aBytes[:])
	clear(digest[:])

	// R = rB
	var sig [SignatureSize]byte
	rB := basepointMul(r)
	copy(sig[:32], rB[:])

	// h = hash(R || A || M) (mod q); s = r + ha (mod q)
	h := challenge(sig[:32], pubA[:], msg)
	s := new(edwards25519.Scalar).MultiplyAdd(h, a, r)
	copy(sig[32:], s.Bytes())
	return sig
}

// calculateKeyPair is calculate_key_pair(k) from the XEdDSA specification,
// section 2.3: the Edwards public key A with sign bit 0 and the matching
// private scalar a, negated in constant time when kB has sign bit 1. a is
// returned as the 32 bytes that go into hash1: the clamped key itself when it
// is not negated (as libsignal and the reference code hash it) and -k mod q
// otherwise.
func (p *PrivateKey) calculateKeyPair() (a [32]byte, pubA [32]byte) {
	k := p.key.Bytes() // already clamped by NewPrivateKey
	ks, err := new(edwards25519.Scalar).SetBytesWithClamping(k)
	if err != nil {
		panic("crypto: private key is not 32 bytes") // cannot happen: NewPrivateKey checked it
	}
	pubA = basepointMul(ks)
	negative := int(pubA[31] >> 7)
	pubA[31] &^= signBit // the encoding of -E when E's sign bit was 1

	copy(a[:], k)
	subtle.ConstantTimeCopy(negative, a[:], new(edwards25519.Scalar).Negate(ks).Bytes())
	clear(k)
	return a, pubA
}

// Verify reports whether sig is a valid XEdDSA signature of msg by k.
//
// It is xeddsa_verify from the XEdDSA specification, section 2.3, with the one
// change libsignal makes: the sign bit of the Edwards public key is read from
// the top bit of sig[63] (0 in signatures that follow the specification), so
// signatures from libsignal-client and libsignal-node verify. It is stricter
// than libsignal in two places, both as the specification says: a key u >= p
// (libsignal drops bit 255 and reduces) and an s >= q (libsignal accepts s up
// to 2^253, which makes signatures malleable) are rejected. Honest signers
// never produce either.
func (k PublicKey) Verify(msg, sig []byte) bool {
	var s edwards25519.Scalar
	if !signatureScalar(&s, sig) {
		return false
	}
	return k.verifyEquation(msg, sig[:32], sig[63]&signBit, &s)
}

// signatureScalar sets s to the second half of sig without libsignal's sign
// bit. It refuses a sig that is not SignatureSize bytes and an s >= q.
func signatureScalar(s *edwards25519.Scalar, sig []byte) bool {
	if len(sig) != SignatureSize {
		return false
	}
	var sBytes [32]byte
	copy(sBytes[:], sig[32:])
	sBytes[31] &^= signBit
	_, err := s.SetCanonicalBytes(sBytes[:])
	return err == nil
}

// verifyEquationEdwards25519 is the rest of Verify with
// filippo.io/edwards25519: A from k and the sign bit (0 or signBit), then
// whether R = sB - hA. The platform picks it or verifyEquationField
// (xeddsa_js.go, xeddsa_native.go).
func (k PublicKey) verifyEquationEdwards25519(msg, r []byte, sign byte, s *edwards25519.Scalar) bool {
	pubA, ok := k.edwards(sign)
	if !ok {
		return false
	}
	h := challenge(r, pubA.Bytes(), msg)

	// Rcheck = sB - hA; everything here is public, so variable time is fine.
	minusA := new(edwards25519.Point).Negate(pubA)
	check := new(edwards25519.Point).VarTimeDoubleScalarBaseMult(h, minusA, s)
	return subtle.ConstantTimeCompare(check.Bytes(), r) == 1
}

// edwards is convert_mont(u) from the XEdDSA specification, section 2.2, with
// the sign bit supplied (0 or signBit): y = (u - 1) / (u + 1). It refuses
// u >= p, u = -1 (where y is undefined) and a y that is not on the curve.
func (k PublicKey) edwards(sign byte) (*edwards25519.Point, bool) {
	u, err := new(field.Element).SetBytes(k[:])
	if err != nil || subtle.ConstantTimeCompare(u.Bytes(), k[:]) != 1 {
		return nil, false // SetBytes drops bit 255 and reduces: this catches u >= p
	}
	one := new(field.Element).One()
	den := new(field.Element).Add(u, one)
	if den.Equal(new(field.Element).Zero()) == 1 {
		return nil, false
	}
	y := new(field.Element).Subtract(u, one)
	y.Multiply(y, den.Invert(den))
	yBytes := y.Bytes()
	yBytes[31] |= sign
	pubA, err := new(edwards25519.Point).SetBytes(yBytes)
	if err != nil {
		return nil, false
	}
	return pubA, true
}

// challenge is h = hash(R || A || M) (mod q), shared by signing and
// verification.
func challenge(r, pubA, msg []byte) *edwards25519.Scalar {
	d := sha512.New()
	d.Write(r)
	d.Write(pubA)
	d.Write(msg)
	var digest [sha512.Size]byte
	h, err := new(edwards25519.Scalar).SetUniformBytes(d.Sum(digest[:0]))
	if err != nil {
		panic("crypto: 64-byte scalar input rejected") // cannot happen: SHA-512 gives 64 bytes
	}
	return h
}
