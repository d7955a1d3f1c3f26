package client

import (
	"context"
	"errors"

	"sambung/crypto"
)

// cryptoStore is the crypto.Store of one tx: reads come from the caches
// and the tx, writes are staged in the tx and reach Storage with the
// message they belong to. It does no I/O, so it ignores its contexts; a
// key that is not in memory is errMiss, and update fetches it and runs
// the operation again.
type cryptoStore struct{ t *tx }

var _ crypto.Store = cryptoStore{}

func (t *tx) store() cryptoStore { return cryptoStore{t} }

// IdentityKeyPair implements crypto.IdentityStore.
func (s cryptoStore) IdentityKeyPair(context.Context) *crypto.PrivateKey { return s.t.c.identity }

// LocalRegistrationID implements crypto.IdentityStore.
func (s cryptoStore) LocalRegistrationID(context.Context) uint32 {
	if s.t.c.acct == nil {
		return 0
	}
	return s.t.c.acct.RegistrationID
}

// TrustIdentity implements crypto.IdentityStore. It never refuses: the
// protocol runs, and the contact is flagged instead. A key for a device
// that is new or changed is accepted when it is this person's own device
// or the first device list of the contact (trust on first use); otherwise
// the contact is flagged identity-changed and user messages to them wait
// for AcceptIdentity, as Signal does.
func (s cryptoStore) TrustIdentity(_ context.Context, addr crypto.Address, key crypto.PublicKey) error {
	cr, err := s.t.contact(addr.Name)
	if err != nil {
		return err
	}
	d := cr.device(addr.DeviceID)
	if d != nil && d.hasKey(key) {
		return nil
	}
	accept := addr.Name == s.t.c.acct.PersonID || !cr.Known || s.t.trustAll[addr.Name]
	before := cr.identityChanged()
	cr, err = s.t.editContact(addr.Name)
	if err != nil {
		return err
	}
	cr.setDevice(addr.DeviceID, key, accept)
	if !before && cr.identityChanged() {
		s.t.emit(IdentityChangedEvent{ConversationID: addr.Name},
			ConversationEvent{})
	}
	return nil
}

// SaveIdentity implements crypto.IdentityStore: the key is accepted.
func (s cryptoStore) SaveIdentity(_ context.Context, addr crypto.Address, key crypto.PublicKey) error {
	cr, err := s.t.editContact(addr.Name)
	if err != nil {
		return err
	}
	cr.setDevice(addr.DeviceID, key, true)
	return nil
}

// LoadPreKey implements crypto.PreKeyStore.
func (s cryptoStore) LoadPreKey(_ context.Context, id uint32) (*crypto.PrivateKey, error) {
	return s.loadKey(preKeyKey(id), "one-time prekey", id)
}

// RemovePreKey implements crypto.PreKeyStore.
func (s cryptoStore) RemovePreKey(_ context.Context, id uint32) error {
	s.t.del(preKeyKey(id))
	return nil
}

// LoadSignedPreKey implements crypto.SignedPreKeyStore.
func (s cryptoStore) LoadSignedPreKey(_ context.Context, id uint32) (*crypto.PrivateKey, error) {
	if k := s.t.c.signed[id]; k != nil {
		return k, nil
	}
	k, err := s.loadKey(signedKey(id), "signed prekey", id)
	if err == nil {
		s.t.c.signed[id] = k
	}
	return k, err
}

func (s cryptoStore) loadKey(key, what string, id uint32) (*crypto.PrivateKey, error) {
	b, ok, err := s.t.get(key)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &crypto.PreKeyError{What: what, ID: id, Err: crypto.ErrUnknownPreKey}
	}
	k, err := crypto.NewPrivateKey(b)
	if err != nil {
		return nil, ErrCorruptState.with(err)
	}
	return k, nil
}

// LoadSession implements crypto.SessionStore from the cache, else from
// the staged or fetched state (and caches it).
func (s cryptoStore) LoadSession(_ context.Context, addr crypto.Address) (*crypto.SessionRecord, error) {
	t := s.t
	t.touched[addr] = true
	if r := t.fresh[addr]; r != nil {
		return r, nil
	}
	if r := t.c.sessions[addr]; r != nil {
		return r, nil
	}
	b, ok, err := t.get(sessionKey(addr))
	if err != nil || !ok {
		return nil, err
	}
	r := new(crypto.SessionRecord)
	if err := r.UnmarshalBinary(b); err != nil {
		return nil, ErrCorruptState.with(err)
	}
	t.c.sessions[addr] = r
	return r, nil
}

// StoreSession implements crypto.SessionStore: the record is written when
// the tx is staged.
func (s cryptoStore) StoreSession(_ context.Context, addr crypto.Address, r *crypto.SessionRecord) error {
	t := s.t
	t.touched[addr] = true
	t.dirty[addr] = true
	if t.c.sessions[addr] != r {
		t.fresh[addr] = r
	}
	return nil
}

// noIO is the context of calls into package crypto from a tx: its store
// does no I/O, so there is nothing to cancel.
var noIO = context.Background()

// dropSession deletes the session with addr (a removed device).
func (t *tx) dropSession(addr crypto.Address) {
	t.del(sessionKey(addr))
	delete(t.dirty, addr)
	delete(t.fresh, addr)
	t.touched[addr] = true
	t.staged = append(t.staged, func() { delete(t.c.sessions, addr) })
}

// hasSession reports whether Encrypt can use the session with addr.
func (t *tx) hasSession(addr crypto.Address) (bool, error) {
	r, err := t.store().LoadSession(noIO, addr)
	return r.HasCurrentSession(), err
}

// stateError reports an error that says the tx could not read or decode
// its state, as opposed to one about the message it handled: such an
// error ends the operation instead of marking a message undecryptable.
func stateError(err error) bool {
	return errors.Is(err, errMiss) || errors.Is(err, ErrCorruptState)
}
