package crypto

import (
	"encoding/binary"
	"errors"
	"math"
)

// SessionRecord is the state for one remote address: the current session
// plus up to MaxPreviousSessions previous ones (most recent first), so that
// messages still in flight for a replaced session decrypt, as libsignal
// keeps them. The zero value is an empty record.
type SessionRecord struct {
	current  *sessionState
	previous []*sessionState
	// kdf is scratch hashing state, never serialised.
	kdf kdf
}

// String keeps the record's keys out of logs.
func (SessionRecord) String() string { return "crypto.SessionRecord{[redacted]}" }

// GoString keeps the record's keys out of %#v output too.
func (SessionRecord) GoString() string { return "crypto.SessionRecord{[redacted]}" }

// HasCurrentSession reports whether Encrypt can use this record.
func (r *SessionRecord) HasCurrentSession() bool { return r != nil && r.current != nil }

// RemoteRegistrationID returns the peer's registration id in the current
// session, or 0 without one.
func (r *SessionRecord) RemoteRegistrationID() uint32 {
	if r == nil || r.current == nil {
		return 0
	}
	return r.current.remoteRegistrationID
}

// makeCurrent makes st the current session, archiving the one it replaces:
// st is new (a session just set up) or a previous one that decrypted a
// message (the peer is using it again).
func (r *SessionRecord) makeCurrent(st *sessionState) {
	if r.current == st {
		return
	}
	for i, p := range r.previous {
		if p == st {
			r.previous = append(r.previous[:i], r.previous[i+1:]...)
			break
		}
	}
	if r.current != nil {
		r.archive(r.current)
	}
	r.current = st
}

// archive puts st first among the previous sessions, dropping the oldest
// beyond MaxPreviousSessions.
func (r *SessionRecord) archive(st *sessionState) {
	if len(r.previous) < MaxPreviousSessions {
		r.previous = append(r.previous, nil)
	} else {
		r.previous[len(r.previous)-1] = nil
	}
	copy(r.previous[1:], r.previous)
	r.previous[0] = st
}

// findResponderSession returns the session set up by the PreKeySignalMessage
// with baseKey, current or previous, or nil.
func (r *SessionRecord) findResponderSession(baseKey *PublicKey) *sessionState {
	if r.current != nil && !r.current.initiator && r.current.baseKey == *baseKey {
		return r.current
	}
	for _, st := range r.previous {
		if !st.initiator && st.baseKey == *baseKey {
			return st
		}
	}
	return nil
}

// Serialised form (all integers are canonical unsigned LEB128 varints that
// fit in 32 bits unless said otherwise; keys are 32 raw bytes):
//
//	record   = version(1 byte, recordVersion) has-current(1 byte, 0 or 1)
//	           [state] count(previous, ≤ MaxPreviousSessions) state*
//	state    = flags(1 byte: 1 initiator, 2 pending, 4 pending has prekey id)
//	           localIdentity remoteIdentity localRegistrationID
//	           remoteRegistrationID baseKey rootKey sendRatchetPrivate
//	           sendRatchetPublic sendChainKey sendIndex previousCounter
//	           [pendingPreKeyID pendingSignedPreKeyID]   if pending
//	           count(receivers, ≤ MaxReceiverChains) receiver*
//	receiver = ratchetKey chainKey index count(skipped) skipped*
//	skipped  = index seed
//
// Every accepted input re-encodes to the same bytes: decoding refuses
// trailing bytes, unknown flags, overlong varints, unclamped private keys,
// and skipped keys out of order or over the limits.
const recordVersion = 1

// State flags.
const (
	flagInitiator   = 1
	flagPending     = 2
	flagHasPreKeyID = 4
	knownFlags      = flagInitiator | flagPending | flagHasPreKeyID
)

// ErrBadRecord reports bytes that UnmarshalBinary cannot decode.
var ErrBadRecord = errors.New("crypto: bad session record")

// MarshalBinary serialises the record for storage. The bytes hold secret
// keys.
func (r *SessionRecord) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, r.marshalSize())
	b = append(b, recordVersion)
	if r.current != nil {
		b = append(b, 1)
		b = r.current.appendBinary(b)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(r.previous)))
	for _, st := range r.previous {
		b = st.appendBinary(b)
	}
	return b, nil
}

// marshalSize is an upper bound of the serialised size, to allocate once.
func (r *SessionRecord) marshalSize() int {
	n := 8
	for _, st := range r.allStates() {
		n += 1 + 7*32 + 6*5 + 2*5 + 1
		for _, c := range st.receivers {
			n += 2*32 + 2*5 + len(c.skipped)*(5+32)
		}
	}
	return n
}

func (r *SessionRecord) allStates() []*sessionState {
	all := make([]*sessionState, 0, 1+len(r.previous))
	if r.current != nil {
		all = append(all, r.current)
	}
	return append(all, r.previous...)
}

func (s *sessionState) appendBinary(b []byte) []byte {
	var flags byte
	if s.initiator {
		flags |= flagInitiator
	}
	if s.pending != nil {
		flags |= flagPending
		if s.pending.hasPreKeyID {
			flags |= flagHasPreKeyID
		}
	}
	b = append(b, flags)
	b = append(b, s.localIdentity[:]...)
	b = append(b, s.remoteIdentity[:]...)
	b = binary.AppendUvarint(b, uint64(s.localRegistrationID))
	b = binary.AppendUvarint(b, uint64(s.remoteRegistrationID))
	b = append(b, s.baseKey[:]...)
	b = append(b, s.rootKey[:]...)
	b = append(b, s.sendRatchet.scalar[:]...)
	b = append(b, s.sendRatchet.pub[:]...)
	b = append(b, s.sendChain[:]...)
	b = binary.AppendUvarint(b, uint64(s.sendIndex))
	b = binary.AppendUvarint(b, uint64(s.previousCounter))
	if s.pending != nil {
		b = binary.AppendUvarint(b, uint64(s.pending.preKeyID))
		b = binary.AppendUvarint(b, uint64(s.pending.signedPreKeyID))
	}
	b = binary.AppendUvarint(b, uint64(len(s.receivers)))
	for i := range s.receivers {
		c := &s.receivers[i]
		b = append(b, c.ratchetKey[:]...)
		b = append(b, c.key[:]...)
		b = binary.AppendUvarint(b, uint64(c.index))
		b = binary.AppendUvarint(b, uint64(len(c.skipped)))
		for _, k := range c.skipped {
			b = binary.AppendUvarint(b, uint64(k.index))
			b = append(b, k.seed[:]...)
		}
	}
	return b
}

// UnmarshalBinary replaces r with the record serialised in b. On error r is
// unchanged.
func (r *SessionRecord) UnmarshalBinary(b []byte) error {
	d := recordDecoder{b: b}
	if d.byte() != recordVersion {
		return ErrBadRecord
	}
	var nr SessionRecord
	switch d.byte() {
	case 0:
	case 1:
		nr.current = d.state()
	default:
		return ErrBadRecord
	}
	n := d.count(MaxPreviousSessions)
	for i := 0; i < n && d.err == nil; i++ {
		nr.previous = append(nr.previous, d.state())
	}
	if d.err != nil || len(d.b) != 0 {
		return ErrBadRecord
	}
	r.current, r.previous = nr.current, nr.previous
	return nil
}

// recordDecoder reads the serialised form; the first error sticks.
type recordDecoder struct {
	b   []byte
	err error
}

func (d *recordDecoder) fail() { d.err = ErrBadRecord; d.b = nil }

func (d *recordDecoder) byte() byte {
	if d.err != nil || len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *recordDecoder) key(dst *[32]byte) {
	if d.err != nil || len(d.b) < 32 {
		d.fail()
		return
	}
	copy(dst[:], d.b[:32])
	d.b = d.b[32:]
}

func (d *recordDecoder) uint32() uint32 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 || v > math.MaxUint32 || n != varintSize(v) {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return uint32(v)
}

func (d *recordDecoder) count(limit int) int {
	v := d.uint32()
	if v > uint32(limit) {
		d.fail()
		return 0
	}
	return int(v)
}

func (d *recordDecoder) state() *sessionState {
	s := new(sessionState)
	flags := d.byte()
	if flags&^knownFlags != 0 || flags&flagHasPreKeyID != 0 && flags&flagPending == 0 {
		d.fail()
		return nil
	}
	s.initiator = flags&flagInitiator != 0
	d.key((*[32]byte)(&s.localIdentity))
	d.key((*[32]byte)(&s.remoteIdentity))
	s.localRegistrationID = d.uint32()
	s.remoteRegistrationID = d.uint32()
	d.key((*[32]byte)(&s.baseKey))
	d.key((*[32]byte)(&s.rootKey))
	// The public key is stored too, so that loading a record needs no
	// scalar multiplication; only clamped scalars re-encode to the same
	// bytes.
	d.key(&s.sendRatchet.scalar)
	d.key((*[32]byte)(&s.sendRatchet.pub))
	if d.err == nil && !isClamped(&s.sendRatchet.scalar) {
		d.fail()
		return nil
	}
	d.key((*[32]byte)(&s.sendChain))
	s.sendIndex = d.uint32()
	s.previousCounter = d.uint32()
	if flags&flagPending != 0 {
		s.pending = &pendingPreKey{hasPreKeyID: flags&flagHasPreKeyID != 0}
		s.pending.preKeyID = d.uint32()
		s.pending.signedPreKeyID = d.uint32()
	}
	n := d.count(MaxReceiverChains)
	total := 0
	for i := 0; i < n && d.err == nil; i++ {
		var c receiverChain
		d.key((*[32]byte)(&c.ratchetKey))
		d.key((*[32]byte)(&c.key))
		c.index = d.uint32()
		m := d.count(MaxSkippedKeysPerChain)
		total += m
		if total > MaxSkippedKeysPerSession {
			d.fail()
		}
		if m > 0 && d.err == nil {
			c.skipped = make([]skippedKey, m)
		}
		for j := 0; j < m && d.err == nil; j++ {
			k := &c.skipped[j]
			k.index = d.uint32()
			d.key((*[32]byte)(&k.seed))
			if k.index >= c.index || j > 0 && k.index <= c.skipped[j-1].index {
				d.fail()
			}
		}
		s.receivers = append(s.receivers, c)
	}
	if d.err != nil {
		return nil
	}
	return s
}
