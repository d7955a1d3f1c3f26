package crypto

// rootKey is the Double Ratchet root key (RK).
type rootKey [32]byte

func (rootKey) String() string { return "[redacted]" }

// step is the Double Ratchet's KDF_RK: HKDF(dh, salt = rk, "WhisperRatchet")
// gives 64 bytes, the next root key and the new chain key.
func (rk *rootKey) step(dh *[32]byte) (rootKey, chainKey) {
	var out [64]byte
	hkdfSHA256(out[:], dh[:], rk[:], labelRatchet)
	var r rootKey
	var c chainKey
	copy(r[:], out[:32])
	copy(c[:], out[32:])
	return r, c
}
