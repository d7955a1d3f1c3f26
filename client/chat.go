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
// devices (a fetch of their bundles takes one one-time prekey of each). A contact's
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
	// A lookup names the person; its bundles carry no one-time prekey (the
	// relay hands those out only to a bundle fetch, so lookups cannot
	// drain them). The sessions start from a fetch of the person's
	// devices, which also brings their full device list.
	if err := c.applyLookup(ctx, &wire.Lookup{PersonID: lk.PersonID, Identities: lk.Identities}, string(a.Kind), false); err != nil {
		return Contact{}, err
	}
	if err := c.fetchBundles(ctx, need{lk.PersonID: nil}); err != nil {
		return Contact{}, err
	}
	cr, err := c.contact(ctx, lk.PersonID)
	if err != nil {
		return Contact{}, err
	}
	return cr.public(), nil
}

// contact returns person's contact record as this device knows it. Records
// are never changed in place, so it may be read without the lock.
func (c *Client) contact(ctx context.Context, person string) (*contactRecord, error) {
	var out *contactRecord
	err := c.view(ctx, []string{contactKey(person)}, func(t *tx) error {
		cr, err := t.contact(person)
		out = cr
		return err
	})
	return out, err
}

// resolve returns the person id of a person id or an address, looking the
// address up when this device does not know it.
func (c *Client) resolve(ctx context.Context, address string) (string, error) {
	if wire.ValidPersonID(address) {
		cr, err := c.contact(ctx, address)
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
	key := a.String()
	c.mu.Lock()
	person, ok := c.addrs[key]
	c.mu.Unlock()
	if ok {
		return person, nil
	}
	err = c.view(ctx, []string{addrKey(key)}, func(t *tx) error {
		p, ok, err := t.get(addrKey(key))
		if ok && wire.ValidPersonID(string(p)) {
			person = string(p)
			c.addrs[key] = person
		}
		return err
	})
	if err != nil || person != "" {
		return person, err
	}
	ct, err := c.Lookup(ctx, key)
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
	a, err := c.signedIn()
	c.mu.Unlock()
	if err != nil {
		return Message{}, err
	}
	person, err := c.resolve(ctx, address)
	if err != nil {
		return Message{}, err
	}
	var m Message
	b, err := c.update(ctx, []string{contactKey(person), contactKey(a.PersonID)}, func(t *tx) error {
		a, err := c.signedIn()
		if err != nil {
			return err
		}
		_, id, ts, err := t.stampTo(person)
		if err != nil {
			return err
		}
		m = Message{
			ID: id, ConversationID: person, From: a.PersonID, Outgoing: true, Text: text,
			SentAt: ts, Order: orderKey(ts, id), Status: StatusPending,
		}
		ct := &Content{Kind: KindText, ID: id, TS: ts, To: person, Text: text}
		if pointer != nil {
			ct.Kind, ct.File = KindFile, pointer
			if err := m.setPointer(pointer); err != nil {
				return ErrBadInput.with(err)
			}
		}
		if err := t.putMessage(&m); err != nil {
			return err
		}
		if err := t.enqueue(person, ct); err != nil {
			return err
		}
		if err := t.sealPending(); err != nil {
			return err
		}
		t.emit(MessageEvent{Message: m}, ConversationEvent{})
		return nil
	})
	if err != nil {
		return Message{}, err
	}
	if err := b.wait(ctx); err != nil {
		return Message{}, err
	}
	return m, nil
}

// stamp returns a new content id and the time to send it at. Under c.mu.
// Timestamps strictly increase on a device, so a burst of messages keeps
// its order in every history (the id only breaks ties between senders).
func (c *Client) stamp() (string, int64, error) {
	id, err := c.newID()
	if err != nil {
		return "", 0, err
	}
	c.lastTS = max(c.nowMillis(), c.lastTS+1)
	return id, c.lastTS, nil
}

// stampTo stamps new content for person, once it may go there: not while
// person's keys changed and the user has not accepted them. It returns
// person's contact too.
func (t *tx) stampTo(person string) (cr *contactRecord, id string, ts int64, err error) {
	if cr, err = t.contact(person); err != nil {
		return nil, "", 0, err
	}
	if cr.identityChanged() {
		return nil, "", 0, ErrIdentityChanged
	}
	id, ts, err = t.c.stamp()
	return cr, id, ts, err
}

// Typing tells the peer of a conversation that the user started or
// stopped typing. It is sent only when online and only to devices with a
// session, never stored and never retried: a lost one does not matter.
func (c *Client) Typing(ctx context.Context, conversationID string, typing bool) error {
	var lc *liveConn
	var f *wire.SendFrame
	b, err := c.update(ctx, []string{contactKey(conversationID)}, func(t *tx) error {
		a, err := c.signedIn()
		if err != nil {
			return err
		}
		lc, f = c.live, nil
		if lc == nil {
			return ErrOffline
		}
		if !wire.ValidPersonID(conversationID) || conversationID == a.PersonID {
			return ErrUnknownConversation
		}
		id, err := c.newID()
		if err != nil {
			return err
		}
		now := c.nowMillis()
		plain, err := encodeContent(&Content{Kind: KindTyping, ID: id, TS: now, To: conversationID, Typing: typing})
		if err != nil {
			return err
		}
		sf, n, err := t.seal(&outboxItem{To: conversationID, ID: id, TS: now, Plain: plain})
		if err != nil || n != nil || len(sf.Envelopes) == 0 {
			return err // a device without a session: the indicator is skipped
		}
		c.reqSeq++
		sf.ID = "t" + strconv.FormatUint(c.reqSeq, 16)
		f = sf
		return nil
	})
	if err != nil || f == nil {
		return err
	}
	// The sessions this advanced are durable before the ciphertexts leave.
	if b != nil {
		if err := b.wait(ctx); err != nil {
			return err
		}
	}
	wb, err := wire.Encode(f)
	if err != nil {
		return err
	}
	return lc.write(ctx, wb)
}

// AcceptIdentity accepts the current keys of a contact whose identity
// changed; messages waiting for it go out.
func (c *Client) AcceptIdentity(ctx context.Context, conversationID string) error {
	return c.commit(ctx, []string{contactKey(conversationID)}, func(t *tx) error {
		if _, err := c.signedIn(); err != nil {
			return err
		}
		cr, err := t.editContact(conversationID)
		if err != nil {
			return err
		}
		for i := range cr.Devices {
			if cr.Devices[i].Key != nil {
				cr.Devices[i].Accepted = true
			}
		}
		t.emit(ConversationEvent{})
		t.after = append(t.after, c.wake) // texts that waited go out
		return nil
	})
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
	var sn SafetyNumber
	err := c.view(ctx, []string{contactKey(conversationID)}, func(t *tx) error {
		a, err := c.signedIn()
		if err != nil {
			return err
		}
		cr, err := t.contact(conversationID)
		if err != nil {
			return err
		}
		own, err := t.contact(a.PersonID)
		if err != nil {
			return err
		}
		theirs := deviceKeys(cr, 0, crypto.PublicKey{})
		if len(theirs) == 0 || conversationID == a.PersonID {
			return ErrUnknownConversation
		}
		ours := deviceKeys(own, a.DeviceID, c.identity.PublicKey())
		fp := crypto.NewFingerprint(fingerprintIterations, fingerprintVersion,
			[]byte(a.PersonID), personKey(ours), []byte(conversationID), personKey(theirs))
		sn = SafetyNumber{Displayable: fp.Displayable(), Scannable: fp.Scannable()}
		return nil
	})
	return sn, err
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
