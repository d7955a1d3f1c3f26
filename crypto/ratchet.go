package crypto

import (
	"errors"
	"io"
	"math"
)

// errCounterExhausted reports a sending chain that has used every uint32
// counter; it cannot happen in practice (the peer would have answered).
var errCounterExhausted = errors.New("crypto: sending chain exhausted")

// encrypt is the Double Ratchet's RatchetEncrypt on the sending chain: it
// returns the serialised message (a PreKeySignalMessage while pending) and
// advances the chain. It changes s only when it returns no error.
func (s *sessionState) encrypt(k *kdf, plaintext []byte) (MessageType, []byte, error) {
	if s.sendIndex == math.MaxUint32 {
		return 0, nil, errCounterExhausted
	}
	seed, next := s.sendChain.step(k)
	keys := deriveMessageKeys(k, &seed)

	ctLen := ciphertextSize(len(plaintext))
	innerLen := signalMessageSize(s.sendIndex, s.previousCounter, ctLen)
	var pre preKeySignalMessage
	var out []byte
	if s.pending != nil {
		pre = preKeySignalMessage{
			registrationID: s.localRegistrationID,
			preKeyID:       s.pending.preKeyID,
			hasPreKeyID:    s.pending.hasPreKeyID,
			signedPreKeyID: s.pending.signedPreKeyID,
			baseKey:        s.baseKey,
			identityKey:    s.localIdentity,
		}
		// Write the wrapper's fields up to the inner message's length and
		// build the inner message in place, so the whole thing is one
		// allocation.
		outerLen := preKeySignalMessageSize(&pre) + bytesFieldSize(innerLen)
		out = make([]byte, 0, outerLen)
		out = append(out, versionByte)
		if pre.hasPreKeyID {
			out = appendUint32Field(out, fieldPreKeyID, pre.preKeyID)
		}
		out = appendKeyField(out, fieldBaseKey, &pre.baseKey)
		out = appendKeyField(out, fieldIdentityKey, &pre.identityKey)
		out = appendTag(out, fieldMessage, wireBytes)
		out = appendVarint(out, uint64(innerLen))
	} else {
		out = make([]byte, 0, innerLen)
	}
	start := len(out)
	ratchetPub := s.sendRatchet.pub
	out = append(out, versionByte)
	out = appendKeyField(out, fieldRatchetKey, &ratchetPub)
	out = appendUint32Field(out, fieldCounter, s.sendIndex)
	out = appendUint32Field(out, fieldPreviousCounter, s.previousCounter)
	out = appendTag(out, fieldCiphertext, wireBytes)
	out = appendVarint(out, uint64(ctLen))
	out = keys.encrypt(out, plaintext)
	mac := keys.mac(k, &s.localIdentity, &s.remoteIdentity, out[start:])
	out = append(out, mac[:]...)

	t := MessageTypeSignal
	if s.pending != nil {
		out = appendUint32Field(out, fieldRegistrationID, pre.registrationID)
		out = appendUint32Field(out, fieldSignedPreKeyID, pre.signedPreKeyID)
		t = MessageTypePreKey
	}
	s.sendChain = next
	s.sendIndex++
	return t, out, nil
}

// candidate is the state change one decrypt would make, computed without
// touching the session (the Double Ratchet's RatchetDecrypt, split so that
// nothing is written before the MAC has verified).
type candidate struct {
	ratchetKey PublicKey
	chain      int     // index into receivers, or -1 for a new chain (a DH ratchet step)
	newRoot    rootKey // the root key after the receiving half of the step
	key        chainKey
	index      uint32
	usedSkip   int // index into the chain's skipped keys used, or -1
	newSkipped []skippedKey
}

// decrypt authenticates and decrypts m against s without changing s. On
// success it returns the plaintext and the change to apply with commit.
func (s *sessionState) decrypt(k *kdf, m *signalMessage) ([]byte, candidate, error) {
	c := candidate{ratchetKey: m.ratchetKey, chain: s.findReceiver(&m.ratchetKey), usedSkip: -1}
	var seed messageKeySeed
	var ck chainKey
	var next uint32
	if c.chain >= 0 {
		ch := &s.receivers[c.chain]
		if m.counter < ch.index {
			for i := range ch.skipped {
				if ch.skipped[i].index == m.counter {
					c.usedSkip = i
					break
				}
			}
			if c.usedSkip < 0 {
				return nil, c, ErrDuplicateMessage
			}
			return s.open(k, m, &ch.skipped[c.usedSkip].seed, c)
		}
		ck, next = ch.key, ch.index
	} else {
		// DH ratchet step, receiving half: a new chain from the peer's new
		// ratchet key and our current one.
		dh, err := s.sendRatchet.dh(m.ratchetKey)
		if err != nil {
			return nil, c, ErrInvalidMessage
		}
		c.newRoot, ck = s.rootKey.step(k, &dh)
	}
	if m.counter-next > MaxForwardJump {
		return nil, c, ErrTooFarInFuture
	}
	if m.counter == math.MaxUint32 {
		// The chain's next index would wrap to 0 and reopen old counters.
		return nil, c, ErrInvalidMessage
	}
	// Keys of the messages skipped over; only the newest
	// MaxSkippedKeysPerChain are worth keeping.
	keepFrom := uint32(0)
	if m.counter > MaxSkippedKeysPerChain {
		keepFrom = m.counter - MaxSkippedKeysPerChain
	}
	if next < m.counter {
		c.newSkipped = make([]skippedKey, 0, m.counter-max(next, keepFrom))
	}
	for ; next < m.counter; next++ {
		if next < keepFrom {
			ck = ck.next(k)
			continue
		}
		var sk skippedKey
		sk.index = next
		sk.seed, ck = ck.step(k)
		c.newSkipped = append(c.newSkipped, sk)
	}
	seed, c.key = ck.step(k)
	c.index = next + 1
	return s.open(k, m, &seed, c)
}

// open checks the MAC with the message keys from seed and decrypts.
func (s *sessionState) open(k *kdf, m *signalMessage, seed *messageKeySeed, c candidate) ([]byte, candidate, error) {
	keys := deriveMessageKeys(k, seed)
	if !keys.verifyMAC(k, &s.remoteIdentity, &s.localIdentity, m.macInput, m.mac) {
		return nil, c, ErrInvalidMessage
	}
	pt, err := keys.decrypt(m.ciphertext)
	if err != nil {
		return nil, c, err
	}
	return pt, c, nil
}

// commit applies a verified candidate. A DH ratchet step also needs the
// sending half: a fresh ratchet key pair and a new sending chain, made
// before anything is written so that a failure of rand changes nothing.
func (s *sessionState) commit(k *kdf, c *candidate, rand io.Reader) error {
	if c.chain < 0 {
		ratchet, err := generateKeyPair(rand)
		if err != nil {
			return err
		}
		dh, err := ratchet.dh(c.ratchetKey)
		if err != nil {
			return ErrInvalidMessage
		}
		root, send := c.newRoot.step(k, &dh)
		if s.sendIndex > 0 {
			s.previousCounter = s.sendIndex - 1
		} else {
			s.previousCounter = 0
		}
		s.rootKey = root
		s.sendRatchet = ratchet
		s.sendChain = send
		s.sendIndex = 0
		s.receivers = append(s.receivers, receiverChain{
			ratchetKey: c.ratchetKey,
			key:        c.key,
			index:      c.index,
			skipped:    c.newSkipped,
		})
	} else {
		ch := &s.receivers[c.chain]
		if c.usedSkip >= 0 {
			ch.skipped = append(ch.skipped[:c.usedSkip], ch.skipped[c.usedSkip+1:]...)
		} else {
			ch.key = c.key
			ch.index = c.index
			ch.skipped = append(ch.skipped, c.newSkipped...)
		}
	}
	s.enforceLimits()
	// Any message from the peer in this session means Bob has the session.
	s.pending = nil
	return nil
}
