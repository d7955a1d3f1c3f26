package crypto

// chainKey is a sending or receiving chain key (CK) of the Double Ratchet.
type chainKey [32]byte

func (chainKey) String() string   { return "[redacted]" }
func (chainKey) GoString() string { return "[redacted]" }

// Inputs of KDF_CK, as libsignal defines them.
const (
	messageKeySeedInput = 0x01 // HMAC(CK, 0x01) seeds the message keys
	chainKeyStepInput   = 0x02 // HMAC(CK, 0x02) is the next chain key
)

// messageKeySeed is HMAC(CK, 0x01): the input to deriveMessageKeys. Skipped
// messages keep only this, not the 80 derived bytes.
type messageKeySeed [32]byte

func (messageKeySeed) String() string   { return "[redacted]" }
func (messageKeySeed) GoString() string { return "[redacted]" }

// step is the Double Ratchet's KDF_CK: the seed of this index's message keys
// and the chain key of the next index.
func (ck *chainKey) step(k *kdf) (seed messageKeySeed, next chainKey) {
	k.h.setKey(ck[:])
	in := [1]byte{messageKeySeedInput}
	k.h.sum((*[32]byte)(&seed), in[:])
	in[0] = chainKeyStepInput
	k.h.sum((*[32]byte)(&next), in[:])
	return seed, next
}

// next is the chain key of the next index, when this index's seed is not
// needed (a skipped message beyond what we keep).
func (ck *chainKey) next(k *kdf) (next chainKey) {
	k.h.setKey(ck[:])
	in := [1]byte{chainKeyStepInput}
	k.h.sum((*[32]byte)(&next), in[:])
	return next
}
