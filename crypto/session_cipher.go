package crypto

import (
	"context"
	"errors"
	"io"
	"strconv"
)

// MessageType says which of the two ciphertext formats a message is.
type MessageType uint8

// libsignal-client's numbers. libsignal-node (libsignal@6.0.0) reports 1 for
// a SignalMessage ("whisper") and 3 for a prekey message; Decrypt accepts
// messageTypeWhisper as MessageTypeSignal for that reason.
const (
	MessageTypeSignal MessageType = 2
	MessageTypePreKey MessageType = 3

	messageTypeWhisper MessageType = 1
)

// ProcessPreKeyBundle starts a session with addr as the initiator (X3DH
// section 3.3): it verifies the signed prekey's signature (ErrBadSignature),
// applies trust on first use to the bundle's identity key, and makes the new
// session current, archiving any previous one. Until the peer answers,
// Encrypt sends PreKeySignalMessages.
func ProcessPreKeyBundle(ctx context.Context, s Store, addr Address, b *PreKeyBundle, rand io.Reader) error {
	if b == nil {
		return errors.New("crypto: nil prekey bundle")
	}
	// The signature first: a forged bundle must not reach trust on first use.
	if !b.IdentityKey.Verify(b.SignedPreKey.Bytes(), b.SignedPreKeySignature) {
		return ErrBadSignature
	}
	if err := s.TrustIdentity(ctx, addr, b.IdentityKey); err != nil {
		return err
	}
	identity := s.IdentityKeyPair(ctx)
	if identity == nil {
		return errors.New("crypto: store has no identity key")
	}
	base, err := generateKeyPair(rand)
	if err != nil {
		return err
	}
	ratchet, err := generateKeyPair(rand)
	if err != nil {
		return err
	}
	var k kdf
	rk, err := x3dhInitiator(&k, identity, &base, b)
	if err != nil {
		return err
	}
	// Alice's first DH ratchet step, sending half, against Bob's signed
	// prekey (which serves as his first ratchet key).
	dh, err := ratchet.dh(b.SignedPreKey)
	if err != nil {
		return err
	}
	root, send := rk.step(&k, &dh)
	st := &sessionState{
		localIdentity:        identity.PublicKey(),
		remoteIdentity:       b.IdentityKey,
		localRegistrationID:  s.LocalRegistrationID(ctx),
		remoteRegistrationID: b.RegistrationID,
		baseKey:              base.pub,
		initiator:            true,
		rootKey:              root,
		sendRatchet:          ratchet,
		sendChain:            send,
		pending: &pendingPreKey{
			preKeyID:       b.PreKeyID,
			hasPreKeyID:    b.PreKey != nil,
			signedPreKeyID: b.SignedPreKeyID,
		},
	}
	rec, err := s.LoadSession(ctx, addr)
	if err != nil {
		return err
	}
	if rec == nil {
		rec = new(SessionRecord)
	}
	rec.makeCurrent(st)
	return s.StoreSession(ctx, addr, rec)
}

// Encrypt encrypts plaintext for addr with the current session: a
// PreKeySignalMessage until the peer has answered, then SignalMessages.
func Encrypt(ctx context.Context, s Store, addr Address, plaintext []byte) (MessageType, []byte, error) {
	if len(plaintext) > MaxPlaintextSize {
		return 0, nil, ErrMessageTooLarge
	}
	rec, err := s.LoadSession(ctx, addr)
	if err != nil {
		return 0, nil, err
	}
	if rec == nil || rec.current == nil {
		return 0, nil, ErrNoSession
	}
	st := rec.current
	if err := s.TrustIdentity(ctx, addr, st.remoteIdentity); err != nil {
		return 0, nil, err
	}
	t, out, err := st.encrypt(&rec.kdf, plaintext)
	if err != nil {
		return 0, nil, err
	}
	if err := s.StoreSession(ctx, addr, rec); err != nil {
		return 0, nil, err
	}
	return t, out, nil
}

// Decrypt decrypts a message from addr of either type. A
// PreKeySignalMessage for a new session runs X3DH as the responder (section
// 3.4), makes that session current and removes the one-time prekey it used.
// rand supplies the new ratchet key of a DH ratchet step. A message that
// fails to decrypt changes nothing: not the sessions, not the identities,
// not the prekeys.
func Decrypt(ctx context.Context, s Store, addr Address, t MessageType, ciphertext []byte, rand io.Reader) ([]byte, error) {
	if len(ciphertext) > MaxMessageSize {
		return nil, ErrMessageTooLarge
	}
	switch t {
	case MessageTypeSignal, messageTypeWhisper:
		return decryptSignal(ctx, s, addr, ciphertext, rand)
	case MessageTypePreKey:
		return decryptPreKey(ctx, s, addr, ciphertext, rand)
	}
	return nil, withDetail(ErrInvalidMessage, "unknown message type "+strconv.Itoa(int(t)))
}

// decryptSignal decrypts a SignalMessage with the current session or, failing
// that, a previous one, which then becomes current again.
func decryptSignal(ctx context.Context, s Store, addr Address, ciphertext []byte, rand io.Reader) ([]byte, error) {
	var m signalMessage
	if err := m.parse(ciphertext); err != nil {
		return nil, err
	}
	rec, err := s.LoadSession(ctx, addr)
	if err != nil {
		return nil, err
	}
	if rec == nil || rec.current == nil && len(rec.previous) == 0 {
		return nil, ErrNoSession
	}
	return decryptWithRecord(ctx, s, addr, rec, &m, rand)
}

// decryptWithRecord tries the current state, then the previous ones, as
// libsignal does; a duplicate is reported at once, and any other failure is
// ErrInvalidMessage unless the current session said ErrTooFarInFuture.
func decryptWithRecord(ctx context.Context, s Store, addr Address, rec *SessionRecord, m *signalMessage, rand io.Reader) ([]byte, error) {
	firstErr := ErrInvalidMessage
	for i := -1; i < len(rec.previous); i++ { // -1: the current session
		st := rec.current
		if i >= 0 {
			st = rec.previous[i]
		}
		if st == nil {
			continue
		}
		pt, c, err := st.decrypt(&rec.kdf, m)
		switch {
		case err == nil:
			if err := accept(ctx, s, addr, rec, st, &c, rand); err != nil {
				return nil, err
			}
			return pt, nil
		case errors.Is(err, ErrDuplicateMessage):
			return nil, err
		case i < 0 && errors.Is(err, ErrTooFarInFuture):
			firstErr = err
		}
	}
	return nil, firstErr
}

// decryptWith decrypts m with the one session st and accepts the result.
func decryptWith(ctx context.Context, s Store, addr Address, rec *SessionRecord, st *sessionState, m *signalMessage, rand io.Reader) ([]byte, error) {
	pt, c, err := st.decrypt(&rec.kdf, m)
	if err != nil {
		return nil, err
	}
	if err := accept(ctx, s, addr, rec, st, &c, rand); err != nil {
		return nil, err
	}
	return pt, nil
}

// accept makes a decrypt whose MAC verified durable: trust in the sender's
// identity (applied only now that the MAC has shown the sender holds that
// key, so a forged message cannot pin one), the candidate state, st as the
// current session, and the record, stored. Until it runs nothing has
// changed.
func accept(ctx context.Context, s Store, addr Address, rec *SessionRecord, st *sessionState, c *candidate, rand io.Reader) error {
	if err := s.TrustIdentity(ctx, addr, st.remoteIdentity); err != nil {
		return err
	}
	if err := st.commit(&rec.kdf, c, rand); err != nil {
		return err
	}
	rec.makeCurrent(st)
	return s.StoreSession(ctx, addr, rec)
}

// decryptPreKey handles a PreKeySignalMessage: with the session it names if
// we already have it (Alice keeps sending these until we answer, and a
// retransmitted first message must read as a duplicate), else by setting
// up that session as X3DH's responder.
func decryptPreKey(ctx context.Context, s Store, addr Address, ciphertext []byte, rand io.Reader) ([]byte, error) {
	pm, err := parsePreKeySignalMessage(ciphertext)
	if err != nil {
		return nil, err
	}
	var m signalMessage
	if err := m.parse(pm.message); err != nil {
		return nil, err
	}
	rec, err := s.LoadSession(ctx, addr)
	if err != nil {
		return nil, err
	}
	if rec != nil {
		if st := rec.findResponderSession(&pm.baseKey); st != nil {
			return decryptWith(ctx, s, addr, rec, st, &m, rand)
		}
	}

	signed, err := s.LoadSignedPreKey(ctx, pm.signedPreKeyID)
	if err != nil || signed == nil {
		return nil, unknownPreKey("signed prekey", pm.signedPreKeyID, err)
	}
	var oneTime *PrivateKey
	if pm.hasPreKeyID {
		oneTime, err = s.LoadPreKey(ctx, pm.preKeyID)
		if err != nil || oneTime == nil {
			return nil, unknownPreKey("one-time prekey", pm.preKeyID, err)
		}
	}
	identity := s.IdentityKeyPair(ctx)
	if identity == nil {
		return nil, errors.New("crypto: store has no identity key")
	}
	if rec == nil {
		rec = new(SessionRecord)
	}
	rk, err := x3dhResponder(&rec.kdf, identity, signed, oneTime, pm.identityKey, pm.baseKey)
	if err != nil {
		return nil, ErrInvalidMessage
	}
	st := &sessionState{
		localIdentity:        identity.PublicKey(),
		remoteIdentity:       pm.identityKey,
		localRegistrationID:  s.LocalRegistrationID(ctx),
		remoteRegistrationID: pm.registrationID,
		baseKey:              pm.baseKey,
		rootKey:              rk,
		// Bob's signed prekey is his first ratchet key; the first message
		// turns the ratchet at once.
		sendRatchet: keyPairOf(signed),
	}
	pt, err := decryptWith(ctx, s, addr, rec, st, &m, rand)
	if err != nil {
		return nil, err
	}
	if pm.hasPreKeyID {
		if err := s.RemovePreKey(ctx, pm.preKeyID); err != nil {
			return nil, err
		}
	}
	return pt, nil
}

// unknownPreKey wraps a prekey store's miss as ErrUnknownPreKey, keeping a
// store error that says something else.
func unknownPreKey(what string, id uint32, err error) error {
	if err == nil || errors.Is(err, ErrUnknownPreKey) {
		err = ErrUnknownPreKey
	}
	return &PreKeyError{What: what, ID: id, Err: err}
}
