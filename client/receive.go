package client

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"sambung/crypto"
	"sambung/wire"
)

// receive decrypts and stores a batch of envelopes in one tx, with the
// session records they advanced and the delivery receipts they call for
// (sealed in the same tx when the sessions allow), and returns the staged
// batch and the seqs to acknowledge once it is durable. Only then does
// the relay hear of them, so a crash loses nothing; a redelivery is
// dropped by envelope (seen/) and by message id.
//
// An envelope that does not decrypt is stored as an undecryptable
// placeholder and acknowledged: one bad envelope must not wedge the
// mailbox. Its failed decryption changed no state.
func (c *Client) receive(ctx context.Context, envs []wire.Envelope) (*batch, []uint64, error) {
	acks := make([]uint64, 0, len(envs))
	for i := range envs {
		acks = append(acks, envs[i].Seq)
	}
	b, err := c.update(ctx, c.receiveKeys(envs), func(t *tx) error {
		if _, err := c.signedIn(); err != nil {
			return err
		}
		r := &receiving{t: t, delivered: map[string][]string{}}
		missed := false
		for i := range envs {
			err := r.envelope(&envs[i])
			if errors.Is(err, errMiss) {
				missed = true // go on: one fetch brings every envelope's misses
				continue
			}
			if err != nil {
				return err
			}
		}
		if missed {
			return errMiss
		}
		for person, ids := range r.delivered {
			if err := t.enqueueReceipts(person, StatusDelivered, ids); err != nil {
				return err
			}
		}
		if err := t.sealPending(); err != nil {
			return err
		}
		return nil
	})
	return b, acks, err
}

// receiveKeys lists the keys a batch of envelopes will read: whether each
// was seen, whether its message is stored, and its sender's contact and
// session. One read brings them all in, instead of one per key.
func (c *Client) receiveKeys(envs []wire.Envelope) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.acct == nil {
		return nil
	}
	keys := make([]string, 0, 4*len(envs))
	for i := range envs {
		e := &envs[i]
		if !wire.ValidPersonID(e.From) || e.FromDevice == 0 || !validID(e.ID) {
			continue
		}
		conv := e.From
		if e.From == c.acct.PersonID {
			conv = e.Dest
		}
		// Repeats cost nothing: they are read in the same round trip.
		keys = append(keys, seenKey(e.From, e.FromDevice, e.ID), msgIDKey(conv, e.ID), contactKey(e.From),
			sessionKey(crypto.Address{Name: e.From, DeviceID: e.FromDevice}))
	}
	return keys
}

// receiving is the state of one receive batch.
type receiving struct {
	t *tx
	// delivered holds, per sender, the ids of texts stored in this batch:
	// each sender gets one delivery receipt for them.
	delivered map[string][]string
}

// envelope handles one envelope. Errors are storage errors only.
func (r *receiving) envelope(e *wire.Envelope) error {
	t := r.t
	me := t.c.acct.PersonID
	if !wire.ValidPersonID(e.From) || e.FromDevice == 0 || !validID(e.ID) {
		return nil // the relay never sends these; nothing to key it by
	}
	missedBefore := len(t.missing)
	seen := seenKey(e.From, e.FromDevice, e.ID)
	if _, ok, err := t.get(seen); err != nil || ok {
		return err
	}
	now := t.c.nowMillis()
	t.put(seen, []byte(strconv.FormatInt(now, 10)))
	t.put(seenAtKey(now, seen), nil)
	if e.From == me && e.FromDevice == t.c.acct.DeviceID {
		return nil
	}
	addr := crypto.Address{Name: e.From, DeviceID: e.FromDevice}
	pt, err := crypto.Decrypt(noIO, t.store(), addr, crypto.MessageType(e.Type), e.Body, t.c.cfg.Rand)
	if len(t.missing) > missedBefore {
		return errMiss // update fetches what the tx missed, and runs again
	}
	if stateError(err) {
		return err
	}
	if errors.Is(err, crypto.ErrDuplicateMessage) {
		return nil // decrypted and stored before
	}
	if err != nil {
		return r.placeholder(e)
	}
	ct, err := decodeContent(pt)
	if err != nil {
		return r.placeholder(e)
	}
	if e.From == me {
		return r.fromSelf(e, ct)
	}
	return r.fromPeer(e, ct)
}

// fromPeer handles content a contact sent.
func (r *receiving) fromPeer(e *wire.Envelope, ct *Content) error {
	t := r.t
	conv := e.From
	switch ct.Kind {
	case KindText, KindFile:
		stored, err := r.storeContent(e, ct, conv, false)
		if err != nil || !stored {
			return err
		}
		r.delivered[conv] = append(r.delivered[conv], ct.ID)
	case KindReceipt:
		return t.advanceStatus(conv, ct.Receipt.IDs, ct.Receipt.Status)
	case KindTyping:
		t.emit(TypingEvent{ConversationID: conv, Typing: ct.Typing})
	case KindCall:
		return r.receiveCall(conv, e.FromDevice, ct, false)
	}
	return nil
}

// fromSelf handles a copy of what another device of this person sent.
func (r *receiving) fromSelf(e *wire.Envelope, ct *Content) error {
	t := r.t
	conv := ct.To
	switch ct.Kind {
	case KindText, KindFile:
		if _, err := r.storeContent(e, ct, conv, true); err != nil {
			return err
		}
	case KindReceipt:
		// The other device showed these messages: they are read here too.
		if ct.Receipt.Status == StatusRead {
			_, err := t.markRead(conv, ct.Receipt.IDs, nil, "")
			return err
		}
	case KindCall:
		return r.receiveCall(conv, e.FromDevice, ct, true)
	}
	return nil
}

// placeholder stores a visible "could not decrypt" entry for e.
func (r *receiving) placeholder(e *wire.Envelope) error {
	t := r.t
	me := t.c.acct.PersonID
	conv, outgoing := e.From, false
	if e.From == me {
		if !wire.ValidPersonID(e.Dest) {
			return nil
		}
		conv, outgoing = e.Dest, true
	}
	ts := e.TS
	if ts <= 0 || ts > maxTimestamp {
		ts = e.ServerTS
	}
	if ts <= 0 || ts > maxTimestamp {
		ts = t.c.nowMillis()
	}
	m := &Message{
		ID: e.ID, ConversationID: conv, From: e.From, Outgoing: outgoing,
		SentAt: ts, Order: orderKey(ts, e.ID), Status: StatusDelivered, Undecryptable: true,
	}
	if outgoing {
		m.Status = StatusSent
	}
	_, err := t.addMessage(m)
	return err
}

// storeContent adds a text or file content to conversation conv's
// history; outgoing when another device of this person sent it.
func (r *receiving) storeContent(e *wire.Envelope, ct *Content, conv string, outgoing bool) (bool, error) {
	m := &Message{
		ID: ct.ID, ConversationID: conv, From: e.From, Outgoing: outgoing, Text: ct.Text,
		SentAt: ct.TS, Order: orderKey(ct.TS, ct.ID), Status: StatusDelivered,
	}
	if outgoing {
		m.Status = StatusSent
	}
	if ct.File != nil {
		if err := m.setPointer(ct.File); err != nil {
			return false, r.placeholder(e) // cannot happen: decodeContent checked it
		}
	}
	return r.t.addMessage(m)
}

// seenRetention is how long an envelope id is remembered. The relay pushes
// an envelope again only until it hears the ack, and even a redelivery
// after that finds its message keys used (crypto.ErrDuplicateMessage) and
// its message id stored; a month covers a lost ack and a long absence.
const seenRetention = 30 * 24 * time.Hour

// pruneSeen forgets envelope ids older than seenRetention, oldest first,
// a batch at a time.
func (c *Client) pruneSeen(ctx context.Context) error {
	cutoff := seenAtKey(c.now().Add(-seenRetention).UnixMilli(), "")
	for {
		kvs, err := c.scan(ctx, prefixSeenAt, "", 512, false)
		if err != nil {
			return err
		}
		var dels []string
		for _, kv := range kvs {
			if kv.Key >= cutoff {
				break
			}
			_, seen, _ := strings.Cut(strings.TrimPrefix(kv.Key, prefixSeenAt), "/")
			dels = append(dels, kv.Key, seen)
		}
		if len(dels) == 0 {
			return nil
		}
		err = c.commit(ctx, nil, func(t *tx) error {
			for _, k := range dels {
				t.del(k)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}
