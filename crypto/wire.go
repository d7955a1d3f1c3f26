package crypto

// The two ciphertext formats of Signal message version 3, as libsignal
// serialises them: a version byte, a protobuf, and (SignalMessage only) a
// truncated MAC.

const (
	// messageVersion is the Signal ciphertext version this package speaks.
	messageVersion = 3
	// versionByte is (current version << 4 | current version), the first
	// byte of every message we send.
	versionByte = messageVersion<<4 | messageVersion
)

// SignalMessage protobuf fields (libsignal WhisperTextProtocol.proto).
const (
	fieldRatchetKey      = 1
	fieldCounter         = 2
	fieldPreviousCounter = 3
	fieldCiphertext      = 4
)

// PreKeySignalMessage protobuf fields.
const (
	fieldPreKeyID       = 1
	fieldBaseKey        = 2
	fieldIdentityKey    = 3
	fieldMessage        = 4
	fieldRegistrationID = 5
	fieldSignedPreKeyID = 6
)

// signalMessage is a parsed SignalMessage (libsignal-node: WhisperMessage).
type signalMessage struct {
	ratchetKey      PublicKey
	counter         uint32
	previousCounter uint32
	ciphertext      []byte // aliases the input
	macInput        []byte // version byte and protobuf: what the MAC covers
	mac             []byte // the last macSize bytes
}

// signalMessageSize is the serialised length of a SignalMessage.
func signalMessageSize(counter, previousCounter uint32, ciphertextLen int) int {
	return 1 + bytesFieldSize(PublicKeySize) + uint32FieldSize(counter) +
		uint32FieldSize(previousCounter) + bytesFieldSize(ciphertextLen) + macSize
}

// appendSignalMessageBody appends the version byte and the protobuf of a
// SignalMessage in libsignal's field order, with every field present as
// libsignal writes it. The caller appends the MAC.
func appendSignalMessageBody(b []byte, ratchetKey *PublicKey, counter, previousCounter uint32, ciphertext []byte) []byte {
	b = append(b, versionByte)
	b = appendKeyField(b, fieldRatchetKey, ratchetKey)
	b = appendUint32Field(b, fieldCounter, counter)
	b = appendUint32Field(b, fieldPreviousCounter, previousCounter)
	return appendBytesField(b, fieldCiphertext, ciphertext)
}

// checkVersion accepts a version byte whose message version (high nibble) is
// 3, as libsignal does; the low nibble names the sender's newest version.
func checkVersion(b byte) bool { return b>>4 == messageVersion }

// parseSignalMessage decodes a serialised SignalMessage. Every failure is
// ErrInvalidMessage. The result aliases b.
func parseSignalMessage(b []byte) (*signalMessage, error) {
	m := new(signalMessage)
	if err := m.parse(b); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *signalMessage) parse(b []byte) error {
	if len(b) < 1+macSize || !checkVersion(b[0]) {
		return ErrInvalidMessage
	}
	m.macInput = b[:len(b)-macSize]
	m.mac = b[len(b)-macSize:]
	r := protoReader{b: m.macInput[1:]}
	required := uint64(1<<fieldRatchetKey | 1<<fieldCounter | 1<<fieldCiphertext)
	err := r.readFields(required, func(field, wire int) (err error) {
		switch field {
		case fieldRatchetKey:
			m.ratchetKey, err = r.key(wire)
		case fieldCounter:
			m.counter, err = r.uint32(wire)
		case fieldPreviousCounter:
			m.previousCounter, err = r.uint32(wire)
		case fieldCiphertext:
			m.ciphertext, err = r.bytes(wire)
		default:
			err = r.skip(wire)
		}
		return err
	})
	if err != nil {
		return ErrInvalidMessage
	}
	return nil
}

// preKeySignalMessage is a parsed PreKeySignalMessage (libsignal-node:
// PreKeyWhisperMessage): the first messages of a session, carrying what the
// responder needs for X3DH.
type preKeySignalMessage struct {
	registrationID uint32
	preKeyID       uint32
	hasPreKeyID    bool
	signedPreKeyID uint32
	baseKey        PublicKey
	identityKey    PublicKey
	message        []byte // the serialised SignalMessage; aliases the input
}

// appendPreKeySignalMessage appends the serialised message in libsignal's
// field order: preKeyId only when a one-time prekey was used.
func appendPreKeySignalMessage(b []byte, m *preKeySignalMessage) []byte {
	b = append(b, versionByte)
	if m.hasPreKeyID {
		b = appendUint32Field(b, fieldPreKeyID, m.preKeyID)
	}
	b = appendKeyField(b, fieldBaseKey, &m.baseKey)
	b = appendKeyField(b, fieldIdentityKey, &m.identityKey)
	b = appendBytesField(b, fieldMessage, m.message)
	b = appendUint32Field(b, fieldRegistrationID, m.registrationID)
	return appendUint32Field(b, fieldSignedPreKeyID, m.signedPreKeyID)
}

// preKeySignalMessageSize is the serialised length of m.
func preKeySignalMessageSize(m *preKeySignalMessage) int {
	n := 1 + 2*bytesFieldSize(PublicKeySize) + bytesFieldSize(len(m.message)) +
		uint32FieldSize(m.registrationID) + uint32FieldSize(m.signedPreKeyID)
	if m.hasPreKeyID {
		n += uint32FieldSize(m.preKeyID)
	}
	return n
}

// parsePreKeySignalMessage decodes a serialised PreKeySignalMessage. Every
// failure is ErrInvalidMessage. The inner message is not parsed here. The
// result aliases b.
func parsePreKeySignalMessage(b []byte) (*preKeySignalMessage, error) {
	if len(b) < 1 || !checkVersion(b[0]) {
		return nil, ErrInvalidMessage
	}
	m := new(preKeySignalMessage)
	r := protoReader{b: b[1:]}
	required := uint64(1<<fieldSignedPreKeyID | 1<<fieldBaseKey | 1<<fieldIdentityKey | 1<<fieldMessage)
	err := r.readFields(required, func(field, wire int) (err error) {
		switch field {
		case fieldPreKeyID:
			m.preKeyID, err = r.uint32(wire)
			m.hasPreKeyID = true
		case fieldBaseKey:
			m.baseKey, err = r.key(wire)
		case fieldIdentityKey:
			m.identityKey, err = r.key(wire)
		case fieldMessage:
			m.message, err = r.bytes(wire)
		case fieldRegistrationID:
			m.registrationID, err = r.uint32(wire)
		case fieldSignedPreKeyID:
			m.signedPreKeyID, err = r.uint32(wire)
		default:
			err = r.skip(wire)
		}
		return err
	})
	if err != nil {
		return nil, ErrInvalidMessage
	}
	return m, nil
}
