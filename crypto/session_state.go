package crypto

// sessionState is one Double Ratchet session with one remote device: what
// libsignal calls a SessionState (libsignal-node: a SessionEntry).
type sessionState struct {
	localIdentity        PublicKey // our identity key when the session was made: the MAC binds it
	remoteIdentity       PublicKey
	localRegistrationID  uint32 // sent in PreKeySignalMessages
	remoteRegistrationID uint32

	// baseKey is Alice's X3DH ephemeral key: it names the session. initiator
	// says whether it is ours (we are Alice) or theirs.
	baseKey   PublicKey
	initiator bool

	rootKey rootKey

	// The sending chain: our current ratchet key pair, its chain key and the
	// counter of the next message we send on it.
	sendRatchet keyPair
	sendChain   chainKey
	sendIndex   uint32
	// previousCounter is the last counter we sent on the previous sending
	// chain, as libsignal-node computes it (it fills keys up to and including
	// it); 0 if there was none.
	previousCounter uint32

	// receivers are the receiving chains, oldest first, at most
	// MaxReceiverChains.
	receivers []receiverChain

	// pending, while non-nil, makes Encrypt wrap every message in a
	// PreKeySignalMessage: we are Alice and Bob has not answered yet.
	pending *pendingPreKey
}

// fmt does not call the String methods of unexported fields, so the
// containers of secrets redact themselves whole.
func (sessionState) String() string    { return "[redacted]" }
func (sessionState) GoString() string  { return "[redacted]" }
func (receiverChain) String() string   { return "[redacted]" }
func (receiverChain) GoString() string { return "[redacted]" }
func (skippedKey) String() string      { return "[redacted]" }
func (skippedKey) GoString() string    { return "[redacted]" }

// pendingPreKey is what Alice repeats in each PreKeySignalMessage until Bob
// answers.
type pendingPreKey struct {
	preKeyID       uint32
	hasPreKeyID    bool
	signedPreKeyID uint32
}

// receiverChain is one receiving chain: the peer's ratchet key, the chain
// key of the next message on it, and the keys of messages skipped on it.
type receiverChain struct {
	ratchetKey PublicKey
	key        chainKey
	index      uint32       // counter of the next message key to derive
	skipped    []skippedKey // ascending counters, at most MaxSkippedKeysPerChain
}

// skippedKey is the message key seed of a message not yet received.
type skippedKey struct {
	index uint32
	seed  messageKeySeed
}

// findReceiver returns the index of the receiving chain for ratchetKey, or
// -1.
func (s *sessionState) findReceiver(ratchetKey *PublicKey) int {
	for i := len(s.receivers) - 1; i >= 0; i-- {
		if s.receivers[i].ratchetKey == *ratchetKey {
			return i
		}
	}
	return -1
}

// skippedTotal counts the skipped keys of all receiving chains.
func (s *sessionState) skippedTotal() int {
	n := 0
	for i := range s.receivers {
		n += len(s.receivers[i].skipped)
	}
	return n
}

// enforceLimits drops the oldest receiving chains and the oldest skipped
// keys beyond the bounds in limits.go.
func (s *sessionState) enforceLimits() {
	if extra := len(s.receivers) - MaxReceiverChains; extra > 0 {
		for i := 0; i < extra; i++ {
			s.receivers[i] = receiverChain{}
		}
		s.receivers = append(s.receivers[:0], s.receivers[extra:]...)
	}
	for i := range s.receivers {
		c := &s.receivers[i]
		if extra := len(c.skipped) - MaxSkippedKeysPerChain; extra > 0 {
			c.skipped = append(c.skipped[:0], c.skipped[extra:]...)
		}
	}
	total := s.skippedTotal()
	for i := 0; total > MaxSkippedKeysPerSession && i < len(s.receivers); i++ {
		c := &s.receivers[i]
		drop := min(total-MaxSkippedKeysPerSession, len(c.skipped))
		c.skipped = append(c.skipped[:0], c.skipped[drop:]...)
		total -= drop
	}
}
