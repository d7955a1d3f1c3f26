package client

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"sambung/crypto"
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
		if err := json.Unmarshal(kv.Value, it); err != nil || outboxKey(it.Seq) != kv.Key {
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
		typ, body, err := crypto.Encrypt(t.store(), tg.addr, it.Plain)
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

// fetchBundles fetches the bundles n names and starts sessions with them.
func (c *Client) fetchBundles(ctx context.Context, n need) error {
	for person, devices := range n {
		path := pathParam(wire.PathPerson, person)
		if len(devices) > 0 {
			ids := make([]string, len(devices))
			for i, d := range devices {
				ids[i] = strconv.FormatUint(uint64(d), 10)
			}
			path += "?devices=" + strings.Join(ids, ",")
		}
		var lk wire.Lookup
		if err := c.call(ctx, "GET", path, true, nil, &lk); err != nil {
			return err
		}
		if lk.PersonID != person {
			return &wire.Error{Code: wire.CodeInternal, Message: "lookup answered for another person"}
		}
		c.mu.Lock()
		err := c.applyLookupLocked(ctx, &lk, "", len(devices) == 0)
		c.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

// applyLookupLocked merges a lookup into the contact and starts sessions
// with its devices, in one commit.
func (c *Client) applyLookupLocked(ctx context.Context, lk *wire.Lookup, kind string, full bool) error {
	if _, err := c.signedIn(); err != nil {
		return err
	}
	t := c.newTx(ctx)
	if t.applyLookup(lk, kind, full) == nil {
		t.discard()
		return t.err
	}
	if err := t.processBundles(lk); err != nil {
		t.discard()
		return err
	}
	return t.commit()
}

// resolveMismatch brings the device lists in line with a device_mismatch
// answer and fetches the bundles of the devices that were missing.
func (c *Client) resolveMismatch(ctx context.Context, e *wire.Error) error {
	c.mu.Lock()
	if _, err := c.signedIn(); err != nil {
		c.mu.Unlock()
		return err
	}
	t := c.newTx(ctx)
	for _, pd := range e.Devices {
		cr := t.editContact(pd.Person)
		if cr == nil {
			break
		}
		for _, d := range slices.Clone(cr.Devices) {
			if !slices.Contains(pd.Devices, d.ID) {
				cr.removeDevice(d.ID)
				t.dropSession(crypto.Address{Name: pd.Person, DeviceID: d.ID})
			}
		}
	}
	for _, s := range e.Stale {
		if cr := t.editContact(s.Person); cr != nil {
			cr.removeDevice(s.Device)
			t.dropSession(crypto.Address{Name: s.Person, DeviceID: s.Device})
		}
	}
	n := need{}
	for _, m := range e.Missing {
		if cr := t.editContact(m.Person); cr != nil {
			cr.addDevice(m.Device)
			n[m.Person] = append(n[m.Person], m.Device)
		}
	}
	err := t.commit()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.fetchBundles(ctx, n)
}

// backoff returns the delay before try attempt (0-based): exponential
// from MinBackoff to MaxBackoff with full jitter in its upper half, so
// clients that failed together do not retry together.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.MinBackoff
	for i := 0; i < attempt && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	var b [8]byte
	if _, err := c.cfg.Rand.Read(b[:]); err != nil {
		return d
	}
	var r uint64
	for _, x := range b {
		r = r<<8 | uint64(x)
	}
	half := d / 2
	return half + time.Duration(r%uint64(half+1))
}

// retryLater schedules it after a backoff. Under c.mu.
func (c *Client) retryLater(it *outboxItem) {
	it.notBefore = c.now().Add(c.backoff(it.attempts))
	it.attempts++
}

// flush sends every outbox item that is due on lc, in outbox order, and
// returns when it is done or the window is full. It returns the time of
// the next retry, zero if none.
func (c *Client) flush(ctx context.Context, lc *liveConn) (time.Time, error) {
	c.mu.Lock()
	seqs := make([]uint64, 0, len(c.outbox))
	for s := range c.outbox {
		seqs = append(seqs, s)
	}
	c.mu.Unlock()
	slices.Sort(seqs)
	var next time.Time
	for _, seq := range seqs {
		if ctx.Err() != nil {
			return next, ctx.Err()
		}
		f, retryAt, err := c.flushOne(ctx, lc, seq)
		if err != nil {
			return next, err
		}
		if !retryAt.IsZero() && (next.IsZero() || retryAt.Before(next)) {
			next = retryAt
		}
		if f == nil {
			continue
		}
		b, err := wire.Encode(f)
		if err != nil {
			return next, err
		}
		if err := lc.write(ctx, b); err != nil {
			return next, err
		}
	}
	return next, nil
}

// flushOne prepares item seq for sending, fetching bundles and resolving
// a device mismatch on the way. It returns the frame to send, or nil and
// when to look again.
func (c *Client) flushOne(ctx context.Context, lc *liveConn, seq uint64) (*wire.SendFrame, time.Time, error) {
	for round := 0; ; round++ {
		c.mu.Lock()
		it := c.outbox[seq]
		if it == nil || it.inflight || c.live != lc || c.closed {
			c.mu.Unlock()
			return nil, time.Time{}, nil
		}
		if now := c.now(); it.notBefore.After(now) {
			c.mu.Unlock()
			return nil, it.notBefore, nil
		}
		if len(lc.inflight) >= maxInflight {
			c.mu.Unlock()
			return nil, time.Time{}, nil
		}
		if round >= maxMismatchRounds {
			c.retryLater(it)
			at := it.notBefore
			c.mu.Unlock()
			return nil, at, nil
		}
		if m := it.mismatch; m != nil {
			it.mismatch = nil
			c.mu.Unlock()
			if err := c.resolveMismatch(ctx, m); err != nil {
				return c.failedTry(seq, err)
			}
			continue
		}
		f, n, err := c.prepare(ctx, it)
		if err == nil && n == nil && f == nil {
			c.mu.Unlock()
			return nil, time.Time{}, nil
		}
		if err == nil && n == nil {
			it.inflight = true
			lc.inflight[f.ID] = seq
		}
		c.mu.Unlock()
		switch {
		case errors.Is(err, errBlocked):
			return nil, time.Time{}, nil
		case err != nil:
			return c.failedTry(seq, err)
		case n != nil:
			if err := c.fetchBundles(ctx, n); err != nil {
				return c.failedTry(seq, err)
			}
			continue
		}
		return f, time.Time{}, nil
	}
}

// failedTry schedules a retry of seq after an error that may pass, and
// gives up on the item for an error that will not.
func (c *Client) failedTry(seq uint64, err error) (*wire.SendFrame, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it := c.outbox[seq]
	if it == nil {
		return nil, time.Time{}, nil
	}
	if errors.Is(err, ErrNotSignedIn) || errors.Is(err, ErrClosed) {
		return nil, time.Time{}, err
	}
	if permanent(err) {
		return nil, time.Time{}, c.giveUpLocked(it)
	}
	c.retryLater(it)
	return nil, it.notBefore, nil
}

// permanent reports errors that a retry cannot fix.
func permanent(err error) bool {
	var we *wire.Error
	if errors.As(err, &we) {
		switch we.Code {
		case wire.CodeUnknownPerson, wire.CodeUnknownAddress, wire.CodeBadFrame, wire.CodeBadRequest,
			wire.CodeEnvelopeTooLarge, wire.CodeTooManyEnvelopes, wire.CodeBadKeys:
			return true
		}
		return false
	}
	return errors.Is(err, crypto.ErrBadSignature) || errors.Is(err, crypto.ErrBadKey) ||
		errors.Is(err, crypto.ErrMessageTooLarge)
}

// giveUpLocked drops an item the relay will never take; its message, if
// it is one, shows as failed.
func (c *Client) giveUpLocked(it *outboxItem) error {
	t := c.newTx(context.Background())
	t.del(outboxKey(it.Seq))
	if it.Kind == KindText {
		m, err := t.message(it.To, it.ID)
		if err != nil {
			return err
		}
		if m != nil && m.Status == StatusPending {
			m.Status = StatusFailed
			t.putJSON(msgKey(it.To, m.Order), m)
			t.emit(ReceiptEvent{Type: EventReceipt, ConversationID: it.To, MessageIDs: []string{it.ID}, Status: StatusFailed})
		}
	}
	if err := t.commit(); err != nil {
		return err
	}
	delete(c.outbox, it.Seq)
	return nil
}

// completeLocked takes an item the relay has stored out of the outbox;
// its message, if it is one, is sent ✓.
func (c *Client) completeLocked(ctx context.Context, it *outboxItem) error {
	t := c.newTx(ctx)
	t.del(outboxKey(it.Seq))
	if it.Kind == KindText {
		if err := t.advanceStatus(it.To, []string{it.ID}, StatusSent); err != nil {
			return err
		}
	}
	if err := t.commit(); err != nil {
		return err
	}
	delete(c.outbox, it.Seq)
	return nil
}

// onSent handles the relay's "sent" for a request of lc.
func (c *Client) onSent(ctx context.Context, lc *liveConn, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq, ok := lc.inflight[id]
	if !ok {
		return nil // a typing indicator, or an answer to a request of before
	}
	delete(lc.inflight, id)
	it := c.outbox[seq]
	if it == nil {
		return nil
	}
	it.inflight = false
	if err := c.completeLocked(ctx, it); err != nil {
		return err
	}
	c.wake()
	return nil
}

// onSendError handles an error answer to a request of lc.
func (c *Client) onSendError(lc *liveConn, id string, e *wire.Error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq, ok := lc.inflight[id]
	if !ok {
		return nil
	}
	delete(lc.inflight, id)
	it := c.outbox[seq]
	if it == nil {
		return nil
	}
	it.inflight = false
	defer c.wake()
	switch {
	case e.Code == wire.CodeDeviceMismatch:
		it.mismatch = e
		return nil
	case permanent(e):
		return c.giveUpLocked(it)
	}
	c.retryLater(it)
	if e.RetryAfter > 0 {
		if at := c.now().Add(time.Duration(e.RetryAfter) * time.Second); at.After(it.notBefore) {
			it.notBefore = at
		}
	}
	return nil
}
