package crypto

// PreKeyBundle is what a device publishes so others can start a session
// with it while it is offline (X3DH section 3.2).
type PreKeyBundle struct {
	RegistrationID        uint32
	DeviceID              uint32
	IdentityKey           PublicKey
	SignedPreKeyID        uint32
	SignedPreKey          PublicKey
	SignedPreKeySignature []byte
	PreKeyID              uint32     // meaningful only when PreKey != nil
	PreKey                *PublicKey // nil: bundle without a one-time prekey
}

// discontinuityBytes is the number of 0xFF bytes libsignal puts in front of
// the DH outputs (X3DH section 2.2: F, for curve X25519), so the KDF input
// can never be mistaken for an XEdDSA-related one.
const discontinuityBytes = 32

// x3dhSecret assembles F || DH1 || DH2 || DH3 [|| DH4] and derives the first
// root key and chain key: HKDF(secret, salt = 32 zero bytes, "WhisperText").
// dhs are DH1..DH3 or DH1..DH4 in X3DH's order.
func x3dhSecret(k *kdf, dhs ...*[32]byte) (rootKey, chainKey) {
	var secret [discontinuityBytes + 4*32]byte
	for i := 0; i < discontinuityBytes; i++ {
		secret[i] = 0xFF
	}
	n := discontinuityBytes
	for _, dh := range dhs {
		n += copy(secret[n:], dh[:])
	}
	var out [64]byte
	k.hkdf(out[:], secret[:n], nil, labelText)
	var rk rootKey
	var ck chainKey
	copy(rk[:], out[:32])
	copy(ck[:], out[32:])
	return rk, ck
}

// x3dhInitiator is X3DH section 3.3 for Alice: identity IK_A, ephemeral
// (base) key EK_A, and Bob's bundle.
//
//	DH1 = DH(IK_A, SPK_B)  DH2 = DH(EK_A, IK_B)  DH3 = DH(EK_A, SPK_B)
//	DH4 = DH(EK_A, OPK_B)  when the bundle has a one-time prekey
func x3dhInitiator(k *kdf, identity *PrivateKey, base *keyPair, b *PreKeyBundle) (rootKey, error) {
	dh1, err := identity.DH(b.SignedPreKey)
	if err != nil {
		return rootKey{}, err
	}
	dh2, err := base.dh(b.IdentityKey)
	if err != nil {
		return rootKey{}, err
	}
	dh3, err := base.dh(b.SignedPreKey)
	if err != nil {
		return rootKey{}, err
	}
	if b.PreKey == nil {
		rk, _ := x3dhSecret(k, &dh1, &dh2, &dh3)
		return rk, nil
	}
	dh4, err := base.dh(*b.PreKey)
	if err != nil {
		return rootKey{}, err
	}
	rk, _ := x3dhSecret(k, &dh1, &dh2, &dh3, &dh4)
	return rk, nil
}

// x3dhResponder is X3DH section 3.4 for Bob: the same four DH values from
// his side. oneTime is nil when Alice used no one-time prekey.
func x3dhResponder(k *kdf, identity, signed, oneTime *PrivateKey, theirIdentity, theirBase PublicKey) (rootKey, error) {
	dh1, err := signed.DH(theirIdentity)
	if err != nil {
		return rootKey{}, err
	}
	dh2, err := identity.DH(theirBase)
	if err != nil {
		return rootKey{}, err
	}
	dh3, err := signed.DH(theirBase)
	if err != nil {
		return rootKey{}, err
	}
	if oneTime == nil {
		rk, _ := x3dhSecret(k, &dh1, &dh2, &dh3)
		return rk, nil
	}
	dh4, err := oneTime.DH(theirBase)
	if err != nil {
		return rootKey{}, err
	}
	rk, _ := x3dhSecret(k, &dh1, &dh2, &dh3, &dh4)
	return rk, nil
}
