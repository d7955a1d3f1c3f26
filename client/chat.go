package client

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"strconv"

	"sambung/crypto"
	"sambung/wire"
)

// Lookup finds the person with an address ("phone:+62…", "account:alice"),
// stores them as a contact and starts a session with each of their
// devices (the lookup takes one one-time prekey of each). A contact's
// first device list is trusted on first use; a device that appears later
// flags the contact identity-changed.
func (c *Client) Lookup(ctx context.Context, address string) (Contact, error) {
	a, err := wire.ParseAddress(address)
	if err != nil {
		return Contact{}, err
	}
	var lk wire.Lookup
	if err := c.call(ctx, "GET", pathParam(wire.PathLookup, a.String()), true, nil, &lk); err != nil {
		return Contact{}, err
	}
	if !wire.ValidPersonID(lk.PersonID) {
		return Contact{}, &wire.Error{Code: wire.CodeInternal, Message: "lookup answer has no person id"}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.applyLookupLocked(ctx, &lk, string(a.Kind), true); err != nil {
		return Contact{}, err
	}
	cr, err := c.loadContact(ctx, lk.PersonID)
	if err != nil {
		return Contact{}, err
	}
	return cr.public(), nil
}

// resolve returns the person id of a person id or an address, looking the
// address up when this device does not know it.
func (c *Client) resolve(ctx context.Context, address string) (string, error) {
	if wire.ValidPersonID(address) {
		c.mu.Lock()
		cr, err := c.loadContact(ctx, address)
		c.mu.Unlock()
		if err != nil {
			return "", err
		}
		if len(cr.Devices) == 0 && !cr.Known {
			if err := c.fetchBundles(ctx, need{address: nil}); err != nil {
				return "", err
			}
		}
		return address, nil
	}
	a, err := wire.ParseAddress(address)
	if err != nil {
		return "", err
	}
	if p, ok, err := c.cfg.Storage.Get(ctx, addrKey(a.String())); err != nil {
		return "", err
	} else if ok && wire.ValidPersonID(string(p)) {
		return string(p), nil
	}
	ct, err := c.Lookup(ctx, a.String())
	if err != nil {
		return "", err
	}
	return ct.PersonID, nil
}

// Send sends text to a person (an address or a person id). The message is
// stored in the outbox before anything else and comes back with status
// "pending"; ReceiptEvents move it to sent, delivered and read. Sending to
// a contact whose identity changed fails with ErrIdentityChanged until
// AcceptIdentity.
func (c *Client) Send(ctx context.Context, address, text string) (Message, error) {
	if text == "" {
		return Message{}, ErrBadInput.with(errors.New("empty message"))
	}
	if len(text) > MaxTextSize {
		return Message{}, ErrTextTooLong
	}
	return c.send(ctx, address, text, nil)
}

// send stores and queues a text, or a file when pointer (an encoded
// attach.Pointer) is set, with text as its caption.
func (c *Client) send(ctx context.Context, address, text string, pointer []byte) (Message, error) {
	c.mu.Lock()
	_, err := c.signedIn()
	c.mu.Unlock()
	if err != nil {
		return Message{}, err
	}
	person, err := c.resolve(ctx, address)
	if err != nil {
		return Message{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.signedIn()
	if err != nil {
		return Message{}, err
	}
	t := c.newTx(ctx)
	cr, err := t.contact(person)
	if err != nil {
		return Message{}, err
	}
	if cr.identityChanged() {
		return Message{}, ErrIdentityChanged
	}
	id, err := c.newID()
	if err != nil {
		return Message{}, err
	}
	// Timestamps strictly increase on a device, so a burst of messages
	// keeps its order in every history (the id only breaks ties between
	// senders).
	ts := max(c.nowMillis(), c.lastTS+1)
	c.lastTS = ts
	m := Message{
		ID: id, ConversationID: person, From: a.PersonID, Outgoing: true, Text: text,
		SentAt: ts, Order: orderKey(ts, id), Status: StatusPending,
	}
	ct := &Content{Kind: KindText, ID: id, TS: ts, To: person, Text: text}
	if pointer != nil {
		ct.Kind, ct.File = KindFile, pointer
		if err := m.setPointer(pointer); err != nil {
			return Message{}, ErrBadInput.with(err)
		}
	}
	if err := t.putMessage(&m); err != nil {
		return Message{}, err
	}
	if err := t.enqueue(person, ct); err != nil {
		return Message{}, err
	}
	if err := t.sealPending(); err != nil {
		t.discard()
		return Message{}, err
	}
	t.emit(MessageEvent{Type: EventMessage, Message: m}, ConversationEvent{Type: EventConversations})
	if err := t.commit(); err != nil {
		return Message{}, err
	}
	c.wake()
	return m, nil
}

// Typing tells the peer of a conversation that the user started or
// stopped typing. It is sent only when online and only to devices with a
// session, never stored and never retried: a lost one does not matter.
func (c *Client) Typing(ctx context.Context, conversationID string, typing bool) error {
	lc, b, err := c.typingFrame(ctx, conversationID, typing)
	if err != nil || b == nil {
		return err
	}
	return lc.write(ctx, b)
}

// typingFrame encrypts a typing indicator for every device of the
// conversation and this person's other devices; nil when some device has
// no session yet (the indicator is skipped).
func (c *Client) typingFrame(ctx context.Context, conversationID string, typing bool) (*liveConn, []byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.signedIn()
	if err != nil {
		return nil, nil, err
	}
	lc := c.live
	if lc == nil {
		return nil, nil, ErrOffline
	}
	if !wire.ValidPersonID(conversationID) || conversationID == a.PersonID {
		return nil, nil, ErrUnknownConversation
	}
	t := c.newTx(ctx)
	targets, fetch, err := t.targets(conversationID)
	if err != nil || len(fetch) > 0 {
		return nil, nil, err
	}
	id, err := c.newID()
	if err != nil {
		return nil, nil, err
	}
	now := c.nowMillis()
	plain, err := encodeContent(&Content{Kind: KindTyping, ID: id, TS: now, To: conversationID, Typing: typing})
	if err != nil {
		return nil, nil, err
	}
	c.reqSeq++
	f := &wire.SendFrame{ID: "t" + strconv.FormatUint(c.reqSeq, 16), To: conversationID}
	for _, tg := range targets {
		if ok, err := t.hasSession(tg.addr); err != nil || !ok {
			t.discard()
			return nil, nil, err
		}
		typ, body, err := crypto.Encrypt(t.ctx, t.store(), tg.addr, plain)
		if err != nil {
			t.discard()
			return nil, nil, err
		}
		e := wire.OutgoingEnvelope{ID: id, Device: tg.addr.DeviceID, Type: int(typ), Body: body, TS: now}
		if tg.self {
			f.Self = append(f.Self, e)
		} else {
			f.Envelopes = append(f.Envelopes, e)
		}
	}
	if len(f.Envelopes) == 0 {
		t.discard()
		return nil, nil, nil
	}
	if err := t.commit(); err != nil {
		return nil, nil, err
	}
	b, err := wire.Encode(f)
	return lc, b, err
}

// AcceptIdentity accepts the current keys of a contact whose identity
// changed; messages waiting for it go out.
func (c *Client) AcceptIdentity(ctx context.Context, conversationID string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.signedIn(); err != nil {
		return err
	}
	t := c.newTx(ctx)
	cr := t.editContact(conversationID)
	if cr == nil {
		return t.err
	}
	for i := range cr.Devices {
		if cr.Devices[i].Key != nil {
			cr.Devices[i].Accepted = true
		}
	}
	t.emit(ConversationEvent{Type: EventConversations})
	if err := t.commit(); err != nil {
		return err
	}
	c.wake()
	return nil
}

// Safety numbers.
const (
	// fingerprintIterations and fingerprintVersion are Signal's: 5200
	// rounds of SHA-512, scannable format version 2.
	fingerprintIterations = 5200
	fingerprintVersion    = 2
	// personKeyLabel separates the digest of a person's device keys from
	// any other use of SHA-256 over keys.
	personKeyLabel = "Sambung person identity keys v1"
)

// SafetyNumber returns the safety number of the conversation with a
// contact. A person here has a key per device, so the key that goes into
// Signal's fingerprint is a digest of all of a person's device keys
// (personKey), and the stable identifier is the person id (26 ASCII
// bytes), which never changes, unlike a phone number or an account ID
// that can be unlinked. Both sides show the same number once each knows
// the other's devices; a device added on either side changes it.
func (c *Client) SafetyNumber(ctx context.Context, conversationID string) (SafetyNumber, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.signedIn()
	if err != nil {
		return SafetyNumber{}, err
	}
	t := c.newTx(ctx)
	cr, err := t.contact(conversationID)
	if err != nil {
		return SafetyNumber{}, err
	}
	own, err := t.contact(a.PersonID)
	if err != nil {
		return SafetyNumber{}, err
	}
	theirs := deviceKeys(cr, 0, crypto.PublicKey{})
	if len(theirs) == 0 || conversationID == a.PersonID {
		return SafetyNumber{}, ErrUnknownConversation
	}
	ours := deviceKeys(own, a.DeviceID, c.identity.PublicKey())
	fp := crypto.NewFingerprint(fingerprintIterations, fingerprintVersion,
		[]byte(a.PersonID), personKey(ours), []byte(conversationID), personKey(theirs))
	return SafetyNumber{Displayable: fp.Displayable(), Scannable: fp.Scannable()}, nil
}

type deviceKey struct {
	id  uint32
	key crypto.PublicKey
}

// deviceKeys lists the known device keys of cr by device id, with this
// device's own key (self, key) when self is not 0.
func deviceKeys(cr *contactRecord, self uint32, key crypto.PublicKey) []deviceKey {
	var out []deviceKey
	added := self == 0
	for _, d := range cr.Devices {
		if !added && d.ID > self {
			out = append(out, deviceKey{self, key})
			added = true
		}
		if d.ID == self {
			continue
		}
		if k, err := crypto.ParsePublicKey(d.Key); err == nil {
			out = append(out, deviceKey{d.ID, k})
		}
	}
	if !added {
		out = append(out, deviceKey{self, key})
	}
	return out
}

// personKey digests a person's device keys, in device order, into the
// 32 bytes Signal's fingerprint takes as the identity key.
func personKey(keys []deviceKey) crypto.PublicKey {
	h := sha256.New()
	h.Write([]byte(personKeyLabel))
	for _, k := range keys {
		var id [4]byte
		binary.BigEndian.PutUint32(id[:], k.id)
		h.Write(id[:])
		h.Write(k.key.Bytes())
	}
	var out crypto.PublicKey
	copy(out[:], h.Sum(nil))
	return out
}
