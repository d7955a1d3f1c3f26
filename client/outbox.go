package client

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"sambung/crypto"
	"sambung/internal/jsonw"
	"sambung/wire"
)

// outboxItem is one content on its way to one person's devices and this
// person's other devices. It is stored under outbox/<seq> before it is
// encrypted; the ciphertexts (Sealed) are stored with the session records
// that made them, so a resend after a crash or a lost answer sends the
// very same envelopes and the relay drops the copy (envelope id = content
// id). It leaves the outbox when the relay answers "sent".
type outboxItem struct {
	Seq    uint64   `json:"seq"`
	To     string   `json:"to"`
	ID     string   `json:"id"` // content id, used as envelope id
	Kind   string   `json:"kind"`
	Plain  []byte   `json:"plain"` // padded Content
	TS     int64    `json:"ts"`
	Sealed []sealed `json:"sealed,omitempty"`

	// Not stored: the state of delivery on this run.
	inflight  bool
	attempts  int
	notBefore time.Time
	mismatch  *wire.Error // a device_mismatch to resolve before the next try
}

// sealed is the ciphertext of an outbox item for one device.
type sealed struct {
	Person string `json:"p"`
	Device uint32 `json:"d"`
	Type   int    `json:"t"`
	Body   []byte `json:"b"`
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

// sealPending encrypts the outbox item this tx added last for every
// device it goes to, so that its ciphertexts reach Storage in the same
// Apply as the item itself: one durable write where the flusher's prepare
// would make a second. It does so only when every device is known and has
// a session and nothing blocks the item; otherwise it leaves the item to
// prepare, which fetches what is missing. The relay still gets the item
// only after commit, and a resend sends these very ciphertexts.
func (t *tx) sealPending() error {
	if len(t.pending) == 0 {
		return nil
	}
	it := t.pending[len(t.pending)-1]
	if it.Kind == KindText {
		cr, err := t.contact(it.To)
		if err != nil || cr.identityChanged() {
			return err
		}
	}
	targets, fetch, err := t.targets(it.To)
	if err != nil || len(fetch) > 0 {
		return err
	}
	peer := false
	for _, tg := range targets {
		peer = peer || !tg.self
		if ok, err := t.hasSession(tg.addr); err != nil || !ok {
			return err
		}
	}
	if !peer {
		return nil // prepare decides what an item with no peer device becomes
	}
	out := make([]sealed, 0, len(targets))
	for _, tg := range targets {
		typ, body, err := crypto.Encrypt(t.ctx, t.store(), tg.addr, it.Plain)
		if err != nil {
			return err
		}
		out = append(out, sealed{Person: tg.addr.Name, Device: tg.addr.DeviceID, Type: int(typ), Body: body})
	}
	it.Sealed = out
	t.putJSON(outboxKey(it.Seq), it)
	return nil
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

// errBlocked says an item waits for AcceptIdentity.
var errBlocked = errors.New("waits for the user to accept a changed identity")

// need lists devices whose bundles an item needs, by person; an empty
// list means the whole device list.
type need map[string][]uint32

// prepare encrypts it for every device that has no ciphertext yet and
// builds its send frame. It returns the bundles to fetch first instead
// when a session is missing. Under c.mu.
func (c *Client) prepare(ctx context.Context, it *outboxItem) (*wire.SendFrame, need, error) {
	t := c.newTx(ctx)
	me := c.acct
	if it.Kind == KindText {
		cr, err := t.contact(it.To)
		if err != nil {
			return nil, nil, err
		}
		if cr.identityChanged() {
			return nil, nil, errBlocked
		}
	}
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
	// Keep the ciphertexts of devices still there; find the missing ones.
	var keep []sealed
	var todo []target
	n := need{}
	for _, tg := range targets {
		i := slices.IndexFunc(it.Sealed, func(s sealed) bool {
			return s.Person == tg.addr.Name && s.Device == tg.addr.DeviceID
		})
		if i >= 0 {
			keep = append(keep, it.Sealed[i])
			continue
		}
		ok, err := t.hasSession(tg.addr)
		if err != nil {
			t.discard()
			return nil, nil, err
		}
		if !ok {
			n[tg.addr.Name] = append(n[tg.addr.Name], tg.addr.DeviceID)
		}
		todo = append(todo, tg)
	}
	if len(n) > 0 {
		t.discard()
		return nil, n, nil
	}
	changed := len(keep) != len(it.Sealed)
	for _, tg := range todo {
		typ, body, err := crypto.Encrypt(t.ctx, t.store(), tg.addr, it.Plain)
		if err != nil {
			t.discard()
			return nil, nil, err
		}
		keep = append(keep, sealed{Person: tg.addr.Name, Device: tg.addr.DeviceID, Type: int(typ), Body: body})
		changed = true
	}
	if changed {
		next := *it
		next.Sealed = keep
		t.putJSON(outboxKey(it.Seq), &next)
		if err := t.commit(); err != nil {
			return nil, nil, err
		}
		it.Sealed = keep
	} else {
		t.discard()
	}
	f := &wire.SendFrame{ID: requestID(it.Seq), To: it.To}
	for _, s := range it.Sealed {
		e := wire.OutgoingEnvelope{ID: it.ID, Device: s.Device, Type: s.Type, Body: s.Body, TS: it.TS}
		if s.Person == it.To {
			f.Envelopes = append(f.Envelopes, e)
		} else {
			f.Self = append(f.Self, e)
		}
	}
	if len(f.Envelopes) == 0 {
		if it.To == me.PersonID {
			// A note to self on a person's only device: nothing to send.
			return nil, nil, c.completeLocked(ctx, it)
		}
		// The relay lists no device we know of: ask it again.
		return nil, need{it.To: nil}, nil
	}
	return f, nil, nil
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
