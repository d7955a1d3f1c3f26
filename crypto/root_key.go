package crypto

// rootKey is the Double Ratchet root key (RK).
type rootKey [32]byte

func (rootKey) String() string   { return "[redacted]" }
func (rootKey) GoString() string { return "[redacted]" }

// step is the Double Ratchet's KDF_RK: HKDF(dh, salt = rk, "WhisperRatchet")
// gives 64 bytes, the next root key and the new chain key.
func (rk *rootKey) step(k *kdf, dh *[32]byte) (next rootKey, ck chainKey) {
	var out [64]byte
	k.hkdf(out[:], dh[:], rk[:], labelRatchet)
	copy(next[:], out[:32])
	copy(ck[:], out[32:])
	return next, ck
}
