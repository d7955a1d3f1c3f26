package client

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"sambung/crypto"
	"sambung/internal/jsonw"
	"sambung/wire"
)

// outboxItem is one content on its way to one person's devices and this
// person's other devices. It is stored under outbox/<seq> before it is
// encrypted; the ciphertexts (Envelopes for person To's devices, Self for
// this person's other devices, as the send frame carries them) are stored
// with the session records
// that made them, so a resend after a crash or a lost answer sends the
// very same envelopes and the relay drops the copy (envelope id = content
// id). It leaves the outbox when the relay answers "sent".
type outboxItem struct {
	Seq   uint64 `json:"seq"`
	To    string `json:"to"`
	ID    string `json:"id"` // content id, used as envelope id
	Kind  string `json:"kind"`
	Plain []byte `json:"plain"` // padded Content
	TS    int64  `json:"ts"`

	Envelopes []wire.Envelope `json:"envelopes,omitempty"`
	Self      []wire.Envelope `json:"self,omitempty"`

	// Not stored: the state of delivery on this run.
	gen       uint64 // the batch that last wrote the item: sent only once durable
	inflight  bool
	attempts  int
	notBefore int64       // Unix nanoseconds before which it is not sent; 0: due. Not a time.Time, whose methods would follow outboxItem into the wasm module.
	mismatch  *wire.Error // a device_mismatch to resolve before the next try
}

const (
	// maxInflight caps sends awaiting the relay's answer on a connection:
	// enough to keep a link busy, few enough that a reconnect resends
	// little.
	maxInflight = 64
	// maxMismatchRounds caps how often one flush re-fetches devices for an
	// item before backing off, in case the devices keep changing.
	maxMismatchRounds = 3
)

// loadOutbox reads the outbox at New.
func (c *Client) loadOutbox(ctx context.Context) error {
	kvs, err := c.cfg.Storage.Scan(ctx, prefixOutbox, "", 0, false)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		it := new(outboxItem)
		if err := jsonw.Unmarshal(kv.Value, it); err != nil || outboxKey(it.Seq) != kv.Key {
			return ErrCorruptState.with(err)
		}
		c.outbox[it.Seq] = it
		c.lastSeq = max(c.lastSeq, it.Seq)
	}
	if b, ok, err := c.cfg.Storage.Get(ctx, keyOutboxSeq); err != nil {
		return err
	} else if ok {
		n, err := strconv.ParseUint(string(b), 10, 64)
		if err != nil {
			return ErrCorruptState.with(err)
		}
		c.lastSeq = max(c.lastSeq, n)
	}
	return nil
}

// readSealed reads the ciphertexts of an item stored before it held
// wire.Envelope, as "sealed": [{"p": person, "d": device, "t": type,
// "b": body}, …], into Envelopes and Self. Those records have to, id and
// ts before sealed, so they are known here.
func (it *outboxItem) readSealed(d *jsonw.Decoder) error {
	return d.Array(func() error {
		var person string
		var typ uint32
		e := wire.Envelope{ID: it.ID, TS: it.TS}
		err := d.Object(func(key string) error {
			switch key {
			case "p":
				return d.String(&person)
			case "d":
				return d.Uint32(&e.Device)
			case "t":
				return d.Uint32(&typ)
			case "b":
				return d.Base64(&e.Body)
			}
			return d.Unknown()
		})
		e.Type = wire.MessageKind(typ)
		if person == it.To {
			it.Envelopes = append(it.Envelopes, e)
		} else {
			it.Self = append(it.Self, e)
		}
		return err
	})
}

// enqueue adds content for person to the outbox in t.
func (t *tx) enqueue(to string, ct *Content) error {
	plain, err := encodeContent(ct)
	if err != nil {
		return err
	}
	seq := t.c.lastSeq + 1
	for _, it := range t.pending {
		seq = max(seq, it.Seq+1)
	}
	it := &outboxItem{Seq: seq, To: to, ID: ct.ID, Kind: ct.Kind, Plain: plain, TS: ct.TS}
	t.putJSON(outboxKey(seq), it)
	t.put(keyOutboxSeq, []byte(strconv.FormatUint(seq, 10)))
	t.pending = append(t.pending, it)
	return nil
}

// sealPending encrypts the outbox items this tx added for every device
// they go to, so that their ciphertexts reach Storage in the same Apply
// as the items themselves: one durable write where the flusher would make
// a second. It seals an item only when every device is known and has a
// session and nothing blocks the item; otherwise it leaves the item to the
// flusher, which fetches what is missing. The relay still gets an item
// only once it is durable, and a resend sends these very ciphertexts.
func (t *tx) sealPending() error {
	for _, it := range t.pending {
		if it.Envelopes != nil {
			continue
		}
		if blocked, err := t.blocked(it); err != nil || blocked {
			return err
		}
		f, n, err := t.seal(it)
		if err != nil {
			return err
		}
		if n != nil || len(f.Envelopes) == 0 {
			continue // the flusher fetches devices, or decides what the item becomes
		}
		it.Envelopes, it.Self = f.Envelopes, f.Self
		t.putJSON(outboxKey(it.Seq), it)
	}
	return nil
}

// blocked reports whether it waits for the user to accept a contact's
// changed identity: texts and files do, receipts and calls do not (a call
// checks when it starts).
func (t *tx) blocked(it *outboxItem) (bool, error) {
	if it.Kind != KindText && it.Kind != KindFile {
		return false, nil
	}
	cr, err := t.contact(it.To)
	if err != nil {
		return false, err
	}
	return cr.identityChanged(), nil
}

// enqueueReceipts sends a receipt for ids to person, in as many contents
// as the id cap needs. Receipts to this person's own conversation are not
// sent.
func (t *tx) enqueueReceipts(person string, status Status, ids []string) error {
	if person == t.c.acct.PersonID {
		return nil
	}
	for len(ids) > 0 {
		n := min(len(ids), maxReceiptIDs)
		id, err := t.c.newID()
		if err != nil {
			return err
		}
		ct := &Content{Kind: KindReceipt, ID: id, TS: t.c.nowMillis(), To: person,
			Receipt: &ReceiptContent{Status: status, IDs: slices.Clone(ids[:n])}}
		if err := t.enqueue(person, ct); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// target is a device an outbox item goes to.
type target struct {
	addr crypto.Address
	self bool // one of this person's other devices
}

// targets lists the devices content for person goes to, and the persons
// whose device list must be fetched first (not known yet).
func (t *tx) targets(person string) ([]target, []string, error) {
	me := t.c.acct
	cr, err := t.contact(person)
	if err != nil {
		return nil, nil, err
	}
	var out []target
	var fetch []string
	add := func(cr *contactRecord, self bool) {
		if !cr.Known {
			fetch = append(fetch, cr.PersonID)
		}
		for _, d := range cr.Devices {
			if cr.PersonID == me.PersonID && d.ID == me.DeviceID {
				continue
			}
			out = append(out, target{crypto.Address{Name: cr.PersonID, DeviceID: d.ID}, self})
		}
	}
	add(cr, false)
	if person != me.PersonID {
		own, err := t.contact(me.PersonID)
		if err != nil {
			return nil, nil, err
		}
		add(own, true)
	}
	return out, fetch, nil
}

// need lists devices whose bundles an item needs, by person; an empty
// list means the whole device list.
type need map[string][]uint32

func (n need) add(o need) {
	for p, ds := range o {
		if cur, ok := n[p]; ok && (cur == nil || ds == nil) {
			n[p] = nil // the whole list
		} else {
			n[p] = append(cur, ds...)
		}
	}
}

// seal is the one way content is encrypted for a person's devices and
// this person's other devices: it keeps the item's ciphertexts of devices
// still targeted, and encrypts its Plain for every other target. It
// returns the item's send frame, but for the request id. When a target
// has no session, or a person's device list was never fetched, it
// encrypts nothing and returns what to fetch first. Sends, receipts,
// calls and typing indicators all go through it.
func (t *tx) seal(it *outboxItem) (*wire.SendFrame, need, error) {
	targets, fetch, err := t.targets(it.To)
	if err != nil {
		return nil, nil, err
	}
	if len(fetch) > 0 {
		n := need{}
		for _, p := range fetch {
			n[p] = nil
		}
		return nil, n, nil
	}
	f := &wire.SendFrame{To: it.To}
	var todo []target
	n := need{}
	for _, tg := range targets {
		have, out := it.Envelopes, &f.Envelopes
		if tg.self {
			have, out = it.Self, &f.Self
		}
		if i := envelopeFor(have, tg.addr.DeviceID); i >= 0 {
			*out = append(*out, have[i])
			continue
		}
		ok, err := t.hasSession(tg.addr)
		if err != nil {
			return nil, nil, err
		}
		if !ok {
			n[tg.addr.Name] = append(n[tg.addr.Name], tg.addr.DeviceID)
		}
		todo = append(todo, tg)
	}
	if len(n) > 0 {
		return nil, n, nil
	}
	for _, tg := range todo {
		typ, body, err := crypto.Encrypt(noIO, t.store(), tg.addr, it.Plain)
		if err != nil {
			return nil, nil, err
		}
		e := wire.Envelope{ID: it.ID, Device: tg.addr.DeviceID, Type: wire.MessageKind(typ), Body: body, TS: it.TS}
		if tg.self {
			f.Self = append(f.Self, e)
		} else {
			f.Envelopes = append(f.Envelopes, e)
		}
	}
	return f, nil, nil
}

// prepare encrypts it for every device that has no ciphertext yet, in t.
// It returns the item's send frame when the item can go out as it is
// stored; nil and resealed when t changed its ciphertexts (it goes out
// once t is durable); the bundles to fetch first when a session is
// missing; or complete when there is nothing to send (a note to self on
// a person's only device).
func (t *tx) prepare(it *outboxItem) (f *wire.SendFrame, n need, resealed, complete bool, err error) {
	f, n, err = t.seal(it)
	if err != nil || n != nil {
		return nil, n, false, false, err
	}
	if len(f.Envelopes) == 0 {
		if it.To == t.c.acct.PersonID {
			return nil, nil, false, true, nil
		}
		// The relay lists no device we know of: ask it again.
		return nil, need{it.To: nil}, false, false, nil
	}
	if !sameDevices(f.Envelopes, it.Envelopes) || !sameDevices(f.Self, it.Self) {
		next := *it
		next.Envelopes, next.Self = f.Envelopes, f.Self
		t.putJSON(outboxKey(it.Seq), &next)
		t.staged = append(t.staged, func() { it.Envelopes, it.Self = next.Envelopes, next.Self })
		t.resealed = append(t.resealed, it)
		return nil, nil, true, false, nil
	}
	return it.frame(), nil, false, false, nil
}

// sameDevices reports whether a and b hold ciphertexts for the same
// devices in the same order: seal keeps the item's order.
func sameDevices(a, b []wire.Envelope) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Device != b[i].Device {
			return false
		}
	}
	return true
}

// envelopeFor is the index in es of the ciphertext for device, -1 if
// none. A loop, not slices.IndexFunc: each generic instance over a struct
// costs the wasm module a function and a long name.
func envelopeFor(es []wire.Envelope, device uint32) int {
	for i := range es {
		if es[i].Device == device {
			return i
		}
	}
	return -1
}

// frame is the send frame of a sealed item.
func (it *outboxItem) frame() *wire.SendFrame {
	return &wire.SendFrame{ID: requestID(it.Seq), To: it.To, Envelopes: it.Envelopes, Self: it.Self}
}

// requestID names the send frame of outbox item seq; "o" keeps it apart
// from other requests.
func requestID(seq uint64) string { return "o" + strconv.FormatUint(seq, 16) }

func parseRequestID(id string) (uint64, bool) {
	s, ok := strings.CutPrefix(id, "o")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 16, 64)
	return n, err == nil
}
