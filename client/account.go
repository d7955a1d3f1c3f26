package client

import (
	"context"
	"encoding/binary"
	"strconv"
	"time"

	"sambung/crypto"
	"sambung/internal/jsonw"
	"sambung/wire"
)

// account is this device's registration, stored under keyAccount once the
// relay has accepted the device. The identity key and the prekeys are
// stored before the relay sees their public halves (under
// keyPendingAccount), so a crash in between never leaves the relay with a
// device whose keys are lost.
type account struct {
	PersonID       string `json:"personId,omitempty"`
	DeviceID       uint32 `json:"deviceId,omitempty"`
	Token          []byte `json:"token,omitempty"`
	RegistrationID uint32 `json:"registrationId"`
	IdentityKey    []byte `json:"identityKey"` // private, 32 bytes
	SignedPreKeyID uint32 `json:"signedPreKeyId"`
	// SignedPreKeyAt is when the signed prekey was made (Unix ms);
	// PrevSignedPreKeyID is the one before it, kept for PreKey messages
	// still in flight.
	SignedPreKeyAt     int64    `json:"signedPreKeyAt,omitempty"`
	PrevSignedPreKeyID uint32   `json:"prevSignedPreKeyId,omitempty"`
	NextPreKeyID       uint32   `json:"nextPreKeyId"`
	Identities         []string `json:"identities,omitempty"`
}

const keyPendingAccount = "account-pending"

const (
	// PreKeyBatch is how many one-time prekeys a device uploads at sign-in
	// and at each top-up: libsignal's batch, the relay's per-request cap.
	PreKeyBatch = wire.MaxPreKeysPerUpload
	// maxPreKeyID is libsignal's 24-bit prekey id space; ids wrap to 1.
	maxPreKeyID = 0xFFFFFF
)

// loadAccount reads the stored account at New.
func (c *Client) loadAccount(ctx context.Context) error {
	b, ok, err := c.cfg.Storage.Get(ctx, keyAccount)
	if err != nil || !ok {
		return err
	}
	var a account
	if err := jsonw.Unmarshal(b, &a); err != nil || a.PersonID == "" {
		return ErrCorruptState.with(err)
	}
	k, err := crypto.NewPrivateKey(a.IdentityKey)
	if err != nil {
		return ErrCorruptState.with(err)
	}
	c.acct, c.identity = &a, k
	return nil
}

// signedIn returns the account or ErrNotSignedIn. Under c.mu.
func (c *Client) signedIn() (*account, error) {
	if c.closed {
		return nil, ErrClosed
	}
	if c.acct == nil {
		return nil, ErrNotSignedIn
	}
	return c.acct, nil
}

// newPreKeys generates n one-time prekeys from id first on, for storage
// (private) and upload (public).
func (c *Client) newPreKeys(first uint32, n int) ([]KV, []wire.PreKey, uint32, error) {
	puts := make([]KV, 0, n)
	pub := make([]wire.PreKey, 0, n)
	id := first
	for i := 0; i < n; i++ {
		if id == 0 || id > maxPreKeyID {
			id = 1
		}
		k, err := crypto.GenerateKey(c.cfg.Rand)
		if err != nil {
			return nil, nil, 0, err
		}
		puts = append(puts, KV{preKeyKey(id), k.Bytes()})
		pub = append(pub, wire.PreKey{ID: id, PublicKey: k.PublicKey().Bytes()})
		id++
	}
	return puts, pub, id, nil
}

// register creates this device on the relay with fresh keys: every
// sign-up and sign-in does. send makes the relay request.
func (c *Client) register(ctx context.Context, send func(wire.DeviceKeys) (*wire.Session, error)) error {
	c.regMu.Lock()
	defer c.regMu.Unlock()
	c.mu.Lock()
	closed, signed := c.closed, c.acct != nil
	c.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if signed {
		return ErrSignedIn
	}

	identity, err := crypto.GenerateKey(c.cfg.Rand)
	if err != nil {
		return err
	}
	var rb [2]byte
	if _, err := c.cfg.Rand.Read(rb[:]); err != nil {
		return err
	}
	regID := uint32(binary.BigEndian.Uint16(rb[:]))%wire.MaxRegistrationID + 1
	const signedID = 1
	spk, err := crypto.GenerateKey(c.cfg.Rand)
	if err != nil {
		return err
	}
	sig, err := identity.Sign(c.cfg.Rand, spk.PublicKey().Bytes())
	if err != nil {
		return err
	}
	puts, pub, next, err := c.newPreKeys(1, PreKeyBatch)
	if err != nil {
		return err
	}
	pending := account{
		RegistrationID: regID,
		IdentityKey:    identity.Bytes(),
		SignedPreKeyID: signedID,
		SignedPreKeyAt: c.nowMillis(),
		NextPreKeyID:   next,
	}
	pb := jsonw.Marshal(&pending)
	puts = append(puts, KV{signedKey(signedID), spk.Bytes()}, KV{keyPendingAccount, pb})
	if err := c.cfg.Storage.Apply(ctx, puts, nil); err != nil {
		return err
	}

	name := c.cfg.DeviceName
	if len(name) > wire.MaxDeviceName {
		name = name[:wire.MaxDeviceName]
	}
	sess, err := send(wire.DeviceKeys{
		RegistrationID: regID,
		IdentityKey:    identity.PublicKey().Bytes(),
		SignedPreKey: wire.SignedPreKey{
			ID: signedID, PublicKey: spk.PublicKey().Bytes(), Signature: sig,
		},
		OneTimePreKeys: pub,
		Name:           name,
	})
	if err != nil {
		return err
	}
	if !wire.ValidPersonID(sess.PersonID) || sess.DeviceID == 0 || len(sess.Token) != wire.TokenSize {
		return &wire.Error{Code: wire.CodeInternal, Message: "the relay's session does not look right"}
	}
	a := pending
	a.PersonID, a.DeviceID, a.Token = sess.PersonID, sess.DeviceID, sess.Token
	ab := jsonw.Marshal(&a)
	if err := c.cfg.Storage.Apply(ctx, []KV{{keyAccount, ab}}, []string{keyPendingAccount}); err != nil {
		return err
	}
	c.mu.Lock()
	c.acct, c.identity = &a, identity
	c.signed[signedID] = spk
	c.mu.Unlock()
	select {
	case c.signedInKick <- struct{}{}:
	default:
	}
	// The identities come with /v1/me; a failure here is not the sign-in's.
	_ = c.refreshMe(ctx)
	return nil
}

// refreshMe stores the person's identities as the relay has them.
func (c *Client) refreshMe(ctx context.Context) error {
	c.mu.Lock()
	asked := c.identitiesSet
	c.mu.Unlock()
	var me wire.Me
	if err := c.call(ctx, "GET", wire.PathMe, true, nil, &me); err != nil {
		return err
	}
	return c.setIdentities(ctx, me.Identities, asked)
}

// always makes setIdentities store the answer of a link, which is newer
// than any identities stored before it.
const always = -1

// setIdentities stores the person's identities from a relay answer, unless
// identities were stored since the request was made (since, from
// identitiesSet): a link that finished meanwhile is newer than the answer.
func (c *Client) setIdentities(ctx context.Context, ids []wire.Address, since int) error {
	return c.commit(ctx, nil, func(t *tx) error {
		if c.acct == nil {
			return ErrNotSignedIn
		}
		if since != always && c.identitiesSet != since {
			return nil
		}
		t.staged = append(t.staged, func() { c.identitiesSet++ })
		a := *c.acct
		a.Identities = make([]string, len(ids))
		for i, id := range ids {
			a.Identities[i] = id.String()
		}
		t.setAccount(&a)
		return nil
	})
}

// setAccount stores a and makes it current when the tx is staged.
func (t *tx) setAccount(a *account) {
	t.putJSON(keyAccount, a)
	t.staged = append(t.staged, func() { t.c.acct = a })
}

// RequestPhoneCode asks the relay to send a sign-in code to phone.
func (c *Client) RequestPhoneCode(ctx context.Context, phone string) error {
	var resp wire.PhoneCodeResponse
	return c.call(ctx, "POST", wire.PathPhoneCode, false, &wire.PhoneCodeRequest{Phone: phone}, &resp)
}

// VerifyPhone signs up or signs in by phone with the code the relay sent:
// a new number creates the person, a known one adds this device.
func (c *Client) VerifyPhone(ctx context.Context, phone, code string) error {
	return c.register(ctx, func(dk wire.DeviceKeys) (*wire.Session, error) {
		var s wire.Session
		err := c.call(ctx, "POST", wire.PathPhoneVerify, false,
			&wire.PhoneVerifyRequest{Phone: phone, Code: code, Device: dk}, &s)
		return &s, err
	})
}

// SignUpAccount creates a person with an account ID and password, and
// this device.
func (c *Client) SignUpAccount(ctx context.Context, accountID, password string) error {
	return c.accountRequest(ctx, wire.PathAccountSignUp, accountID, password)
}

// SignInAccount adds this device to the person with the account ID.
func (c *Client) SignInAccount(ctx context.Context, accountID, password string) error {
	return c.accountRequest(ctx, wire.PathAccountSignIn, accountID, password)
}

func (c *Client) accountRequest(ctx context.Context, path, accountID, password string) error {
	return c.register(ctx, func(dk wire.DeviceKeys) (*wire.Session, error) {
		var s wire.Session
		err := c.call(ctx, "POST", path, false,
			&wire.AccountRequest{AccountID: accountID, Password: password, Device: dk}, &s)
		return &s, err
	})
}

// LinkPhoneCode asks for a code to link phone to the signed-in person.
func (c *Client) LinkPhoneCode(ctx context.Context, phone string) error {
	return c.RequestPhoneCode(ctx, phone)
}

// LinkPhone links phone, proven by code, to the signed-in person.
func (c *Client) LinkPhone(ctx context.Context, phone, code string) error {
	var me wire.Me
	if err := c.call(ctx, "POST", wire.PathMePhone, true, &wire.LinkPhoneRequest{Phone: phone, Code: code}, &me); err != nil {
		return err
	}
	return c.setIdentities(ctx, me.Identities, always)
}

// LinkAccount links an account ID and password to the signed-in person.
func (c *Client) LinkAccount(ctx context.Context, accountID, password string) error {
	var me wire.Me
	if err := c.call(ctx, "POST", wire.PathMeAccount, true, &wire.LinkAccountRequest{AccountID: accountID, Password: password}, &me); err != nil {
		return err
	}
	return c.setIdentities(ctx, me.Identities, always)
}

// Me returns the signed-in person as this device knows them, without
// asking the relay; Profile.SignedIn is false when no one is.
func (c *Client) Me(ctx context.Context) (Profile, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return Profile{}, ErrClosed
	}
	if c.acct == nil {
		return Profile{Identities: []string{}}, nil
	}
	return Profile{
		SignedIn:   true,
		PersonID:   c.acct.PersonID,
		DeviceID:   c.acct.DeviceID,
		Identities: nonNil(append([]string(nil), c.acct.Identities...)),
	}, nil
}

// Devices lists the signed-in person's devices.
func (c *Client) Devices(ctx context.Context) ([]Device, error) {
	var list wire.DeviceList
	if err := c.call(ctx, "GET", wire.PathMeDevices, true, nil, &list); err != nil {
		return nil, err
	}
	c.mu.Lock()
	self := uint32(0)
	if c.acct != nil {
		self = c.acct.DeviceID
	}
	c.mu.Unlock()
	out := make([]Device, len(list.Devices))
	for i, d := range list.Devices {
		out[i] = Device{ID: d.ID, Name: d.Name, Created: d.Created, LastSeen: d.LastSeen, Current: d.ID == self}
	}
	return out, nil
}

// RemoveDevice removes a device of the signed-in person; removing this
// device is SignOut.
func (c *Client) RemoveDevice(ctx context.Context, id uint32) error {
	c.mu.Lock()
	a, err := c.signedIn()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	if id == a.DeviceID {
		return c.SignOut(ctx)
	}
	var list wire.DeviceList
	path := pathParam(wire.PathMeDevice, strconv.FormatUint(uint64(id), 10))
	if err := c.call(ctx, "DELETE", path, true, nil, &list); err != nil {
		return err
	}
	return c.commit(ctx, nil, func(t *tx) error {
		cr, err := t.editContact(a.PersonID)
		if err != nil {
			return err
		}
		cr.removeDevice(id)
		t.dropSession(crypto.Address{Name: a.PersonID, DeviceID: id})
		return nil
	})
}

// SignOut removes this device from the relay and deletes everything this
// device stored: keys, sessions, history, outbox.
func (c *Client) SignOut(ctx context.Context) error {
	c.mu.Lock()
	a, err := c.signedIn()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	path := pathParam(wire.PathMeDevice, strconv.FormatUint(uint64(a.DeviceID), 10))
	err = c.call(ctx, "DELETE", path, true, nil, nil)
	if err != nil && ErrorCode(err) != string(wire.CodeUnauthorized) && ErrorCode(err) != string(wire.CodeUnknownDevice) {
		return err
	}
	return c.wipe(ctx)
}

// wipe deletes every key of the storage and forgets the account: the
// device is gone from the relay.
func (c *Client) wipe(ctx context.Context) error {
	c.mu.Lock()
	c.dropConnLocked()
	c.acct = nil // nothing new is staged from here on
	c.mu.Unlock()
	if err := c.idle(ctx); err != nil {
		return err
	}
	for {
		kvs, err := c.cfg.Storage.Scan(ctx, "", "", 512, false)
		if err != nil {
			return err
		}
		if len(kvs) == 0 {
			break
		}
		dels := make([]string, len(kvs))
		for i, kv := range kvs {
			dels[i] = kv.Key
		}
		if err := c.cfg.Storage.Apply(ctx, nil, dels); err != nil {
			return err
		}
	}
	c.mu.Lock()
	c.resetLocked()
	c.overlay = make(map[string]overlayEntry)
	c.staged = nil
	c.recent = recentCache{}
	c.mu.Unlock()
	c.events.push(StatusEvent{State: StateOffline, Err: ErrNotSignedIn.Message},
		ConversationEvent{})
	return nil
}

// topUpPreKeys uploads a batch of one-time prekeys when the relay holds
// fewer than wire.PreKeysLow of them (have).
func (c *Client) topUpPreKeys(ctx context.Context, have int) error {
	n := min(PreKeyBatch, wire.MaxStoredPreKeys-have)
	if n <= 0 {
		return nil
	}
	var pub []wire.PreKey
	err := c.commit(ctx, nil, func(t *tx) error {
		a, err := c.signedIn()
		if err != nil {
			return err
		}
		puts, keys, next, err := c.newPreKeys(a.NextPreKeyID, n)
		if err != nil {
			return err
		}
		for _, kv := range puts {
			t.put(kv.Key, kv.Value)
		}
		na := *a
		na.NextPreKeyID = next
		t.setAccount(&na)
		pub = keys
		return nil
	})
	if err != nil {
		return err
	}
	var st wire.KeyStatus
	return c.call(ctx, "POST", wire.PathKeysPreKeys, true, &wire.PreKeyUpload{OneTimePreKeys: pub}, &st)
}

// signedPreKeyLifetime is how long a signed prekey is used before a new
// one replaces it. Signal rotates every few days; a week bounds how long
// a compromised signed prekey helps an attacker while costing one upload
// a week.
const signedPreKeyLifetime = 7 * 24 * time.Hour

// rotateSignedPreKey replaces the signed prekey when it is older than
// signedPreKeyLifetime. The new private key is stored before the relay
// sees it; the account switches to it only after the relay took it; the
// previous one stays for PreKey messages made with it, the one before
// that is deleted.
func (c *Client) rotateSignedPreKey(ctx context.Context) error {
	c.mu.Lock()
	a, err := c.signedIn()
	c.mu.Unlock()
	if err != nil || c.now().Sub(time.UnixMilli(a.SignedPreKeyAt)) < signedPreKeyLifetime {
		return err
	}
	id := a.SignedPreKeyID%maxPreKeyID + 1
	k, err := crypto.GenerateKey(c.cfg.Rand)
	if err != nil {
		return err
	}
	sig, err := c.identity.Sign(c.cfg.Rand, k.PublicKey().Bytes())
	if err != nil {
		return err
	}
	err = c.commit(ctx, nil, func(t *tx) error {
		t.put(signedKey(id), k.Bytes())
		return nil
	})
	if err != nil {
		return err
	}
	up := &wire.SignedPreKeyUpload{SignedPreKey: wire.SignedPreKey{ID: id, PublicKey: k.PublicKey().Bytes(), Signature: sig}}
	var st wire.KeyStatus
	if err := c.call(ctx, "PUT", wire.PathKeysSigned, true, up, &st); err != nil {
		return err
	}
	return c.commit(ctx, nil, func(t *tx) error {
		if c.acct == nil || c.acct.SignedPreKeyID != a.SignedPreKeyID {
			return nil // signed out, or rotated meanwhile
		}
		na := *c.acct
		old := na.PrevSignedPreKeyID
		na.PrevSignedPreKeyID, na.SignedPreKeyID, na.SignedPreKeyAt = na.SignedPreKeyID, id, c.nowMillis()
		t.setAccount(&na)
		if old != 0 && old != id {
			t.del(signedKey(old))
			t.staged = append(t.staged, func() { delete(c.signed, old) })
		}
		t.staged = append(t.staged, func() { c.signed[id] = k })
		return nil
	})
}
