package client

import (
	"context"
	"errors"
	"sort"
	"strings"

	"sambung/crypto"
)

// The state pipeline (docs/CLIENT.md, "Concurrency"). Every change to the
// client's state is made by one tx under c.mu, in memory only, and then
// staged: its writes enter the overlay and the commit queue, and the
// in-memory caches take the new state at once. The committer goroutine,
// which alone calls Storage.Apply, takes every staged batch queued while
// its previous Apply ran and writes them in one Apply, without c.mu. So
// no lock is held across storage I/O, work that arrives together commits
// together, and the next operation builds on the staged state while the
// previous one is being written.
//
// Nothing leaves the client before it is durable: a batch's events, its
// acks and the sends it sealed wait until the Apply that holds it
// returned. Reads happen outside c.mu too (fetch), and see staged writes
// through the overlay, which keeps each written key until every read that
// could have missed it is over.

// batch is the writes of one or more staged txs, in staging order, and
// what happens once they are durable.
type batch struct {
	gen    uint64 // staging order; durable once c.durableGen reaches it
	puts   []KV
	dels   []string
	events []Event
	after  []func() // run under c.mu once durable, before the events
	done   chan struct{}
	err    error // set before done closes
}

// wait returns once b is durable (nil) or failed (its error). A caller
// that stops waiting does not stop the commit.
func (b *batch) wait(ctx context.Context) error {
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// overlayEntry is a staged write as the overlay keeps it.
type overlayEntry struct {
	value []byte
	del   bool
	gen   uint64
}

// errMiss says a tx needs a key that is not in memory: the operation
// fetches the keys its tx missed, outside the lock, and runs again.
var errMiss = errors.New("client: state not in memory yet")

// startCommitter starts the goroutine that writes staged batches.
func (c *Client) startCommitter() {
	c.commitCond.L = &c.mu
	c.committerDone = make(chan struct{})
	go c.committer()
}

// committer writes the commit queue to Storage, everything queued in one
// Apply, until Close, after the queue is empty.
func (c *Client) committer() {
	defer close(c.committerDone)
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.commitCond.Wait()
		}
		if len(c.queue) == 0 {
			c.mu.Unlock()
			return
		}
		bs := c.queue
		c.queue = nil
		c.mu.Unlock()

		puts, dels := mergeBatches(bs)
		var err error
		if len(puts) > 0 || len(dels) > 0 {
			// Not the caller's context: the batch is shared, and a write
			// half done by one caller's cancel is still a failed write.
			err = c.cfg.Storage.Apply(context.Background(), puts, dels)
		}

		c.mu.Lock()
		if err != nil {
			c.failLocked(err, bs)
		} else {
			c.durableGen = bs[len(bs)-1].gen
			for _, b := range bs {
				for _, f := range b.after {
					f()
				}
				c.events.push(b.events...)
				close(b.done)
			}
			c.pruneOverlayLocked()
		}
		c.commitCond.Broadcast()
		c.mu.Unlock()
	}
}

// sortKVs sorts kvs by key. sort.Slice, not slices.SortFunc: the wasm
// module has it already, and each generic instance of a sort adds
// kilobytes (so do sort.Strings and slices.Sort: see sortStrings).
func sortKVs(kvs []KV, reverse bool) {
	sort.Slice(kvs, func(i, j int) bool {
		if reverse {
			return kvs[i].Key > kvs[j].Key
		}
		return kvs[i].Key < kvs[j].Key
	})
}

// sortStrings sorts s with sort.Slice, for the reason sortKVs gives.
func sortStrings(s []string) {
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
}

// mergeBatches folds batches into one Apply: a later write of a key wins.
func mergeBatches(bs []*batch) ([]KV, []string) {
	if len(bs) == 1 {
		return bs[0].puts, bs[0].dels
	}
	last := make(map[string]overlayEntry)
	for _, b := range bs {
		for _, k := range b.dels {
			last[k] = overlayEntry{del: true}
		}
		for _, kv := range b.puts {
			last[kv.Key] = overlayEntry{value: kv.Value}
		}
	}
	var puts []KV
	var dels []string
	for k, e := range last {
		if e.del {
			dels = append(dels, k)
		} else {
			puts = append(puts, KV{Key: k, Value: e.value})
		}
	}
	sortKVs(puts, false)
	sortStrings(dels)
	return puts, dels
}

// failLocked handles a failed Apply of bs: bs and every batch staged after
// them (built on their state) fail, the overlay and the caches are
// dropped, and the client refuses work with ErrStorage until recover has
// read the state again. The connection is closed: the relay pushes again
// what was not acked, and the outbox resends what was not answered.
func (c *Client) failLocked(err error, bs []*batch) {
	c.failed = ErrStorage.with(err)
	for _, b := range append(bs, c.queue...) {
		b.err = c.failed
		close(b.done)
	}
	c.queue = nil
	c.overlay = make(map[string]overlayEntry)
	c.staged = nil
	c.recent = recentCache{}
	c.durableGen = c.stagedGen
	c.sessions = make(map[crypto.Address]*crypto.SessionRecord)
	c.contacts = make(map[string]*contactRecord)
	c.contactsComplete = false
	c.resets++
	c.addrs = make(map[string]string)
	c.dropConnLocked()
}

// recover reads the account and the outbox again after a failed write,
// once nothing is queued. Callers hold no lock.
func (c *Client) recover(ctx context.Context) error {
	c.mu.Lock()
	if c.failed == nil {
		c.mu.Unlock()
		return nil
	}
	for len(c.queue) > 0 {
		c.commitCond.Wait()
	}
	failed := c.failed
	c.mu.Unlock()
	fresh := &Client{cfg: c.cfg}
	fresh.resetLocked()
	if err := fresh.loadAccount(ctx); err != nil {
		return err
	}
	if err := fresh.loadOutbox(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed != failed || len(c.queue) > 0 {
		return nil // another recover won, or work was staged since
	}
	c.acct, c.identity, c.signed = fresh.acct, fresh.identity, fresh.signed
	c.outbox, c.lastSeq = fresh.outbox, fresh.lastSeq
	c.failed = nil
	return nil
}

// stageLocked turns a finished tx into a batch on the commit queue. The
// caches already hold its state; the overlay holds its writes until every
// read that began before they were durable is over.
func (c *Client) stageLocked(puts []KV, dels []string, events []Event, after []func()) *batch {
	c.stagedGen++
	b := &batch{gen: c.stagedGen, puts: puts, dels: dels, events: events, after: after, done: make(chan struct{})}
	if c.closed {
		// The committer is gone or going: nothing staged now is written.
		b.err = ErrClosed
		close(b.done)
		return b
	}
	for _, k := range dels {
		c.overlay[k] = overlayEntry{del: true, gen: b.gen}
		c.recent.put(k, readResult{})
	}
	for _, kv := range puts {
		c.overlay[kv.Key] = overlayEntry{value: kv.Value, gen: b.gen}
		c.recent.put(kv.Key, readResult{kv.Value, true})
	}
	if len(puts) > 0 || len(dels) > 0 {
		c.staged = append(c.staged, b)
	}
	c.queue = append(c.queue, b)
	c.commitCond.Broadcast()
	return b
}

// pruneOverlayLocked drops overlay entries that every storage read now
// sees: durable, and older than the oldest read in flight.
func (c *Client) pruneOverlayLocked() {
	limit := c.durableGen
	for _, g := range c.readers {
		limit = min(limit, g)
	}
	n := 0
	for _, b := range c.staged {
		if b.gen > limit {
			break
		}
		for _, kv := range b.puts {
			if c.overlay[kv.Key].gen == b.gen {
				delete(c.overlay, kv.Key)
			}
		}
		for _, k := range b.dels {
			if c.overlay[k].gen == b.gen {
				delete(c.overlay, k)
			}
		}
		n++
	}
	clear(c.staged[:n])
	c.staged = c.staged[n:]
}

// beginReadLocked registers a storage read: until endReadLocked, the
// overlay keeps every write that was not durable when it began, so the
// read's results, taken under c.mu behind the overlay, are never stale.
func (c *Client) beginReadLocked() uint64 {
	c.readerSeq++
	c.readers[c.readerSeq] = c.durableGen
	return c.readerSeq
}

func (c *Client) endReadLocked(id uint64) {
	delete(c.readers, id)
	if len(c.readers) == 0 {
		c.pruneOverlayLocked()
	}
}

// recentCache keeps the messages written last, as staged: receipts and
// the relay's answers refer to recent messages, and reading them back
// would cost a storage round trip each. Every write goes through stage,
// which updates it, so it is never stale. It holds between one and two
// generations of recentMessages keys. Under Client.mu.
type recentCache struct {
	cur, old map[string]readResult
}

// recentMessages bounds a generation: a few thousand message keys of a
// few hundred bytes each, about what one backlog batch or burst touches.
const recentMessages = 4096

func (r *recentCache) get(key string) (readResult, bool) {
	if v, ok := r.cur[key]; ok {
		return v, true
	}
	v, ok := r.old[key]
	return v, ok
}

func (r *recentCache) put(key string, v readResult) {
	if !strings.HasPrefix(key, prefixMsg) && !strings.HasPrefix(key, prefixMsgID) {
		return
	}
	if r.cur == nil || len(r.cur) >= recentMessages {
		r.old, r.cur = r.cur, make(map[string]readResult)
	}
	r.cur[key] = v
}

// readResult is a key as storage had it.
type readResult struct {
	value []byte
	ok    bool
}

// BatchGetter is a Storage that reads many keys in one round trip. The
// browser's IndexedDB implements it: one transaction costs about a
// millisecond whatever it reads.
type BatchGetter interface {
	// GetMany returns the value of each key and whether it exists, in
	// the order of keys.
	GetMany(ctx context.Context, keys []string) ([][]byte, []bool, error)
}

// fetch reads keys from storage into reads. Under no lock; the caller has
// a read registered.
func (c *Client) fetch(ctx context.Context, keys []string, reads map[string]readResult) error {
	// Each key once: a batch of envelopes names its sender's contact and
	// session once per envelope.
	uniq := keys[:0:0]
	for _, k := range keys {
		if _, ok := reads[k]; !ok {
			reads[k] = readResult{}
			uniq = append(uniq, k)
		}
	}
	keys = uniq
	if len(keys) == 0 {
		return nil
	}
	if bg, ok := c.cfg.Storage.(BatchGetter); ok && len(keys) > 1 {
		vals, oks, err := bg.GetMany(ctx, keys)
		if err != nil {
			return err
		}
		if len(vals) != len(keys) || len(oks) != len(keys) {
			return ErrCorruptState.with(errors.New("GetMany answered for other keys"))
		}
		for i, k := range keys {
			reads[k] = readResult{vals[i], oks[i]}
		}
		return nil
	}
	for _, k := range keys {
		v, ok, err := c.cfg.Storage.Get(ctx, k)
		if err != nil {
			return err
		}
		reads[k] = readResult{v, ok}
	}
	return nil
}

// maxAttempts bounds how often update runs a tx that keeps missing keys.
// Each attempt fetches everything the one before missed, and loops over
// many items go on after a miss so that one fetch brings all of theirs;
// what remains are chains (a message id, then its message), a few links
// long.
const maxAttempts = 16

// update runs fn on a new tx under c.mu and stages what it wrote. A key
// that a run of fn missed is read from storage, without the lock, and fn
// runs again; the keys in prefetch come along in that read. fn must leave
// the client as it found it when it returns an error (the tx is
// discarded), and may run more than once. The returned batch is nil when
// fn wrote nothing and emitted nothing.
func (c *Client) update(ctx context.Context, prefetch []string, fn func(t *tx) error) (*batch, error) {
	if err := c.recover(ctx); err != nil {
		return nil, err
	}
	reads := make(map[string]readResult)
	c.mu.Lock()
	rid := c.beginReadLocked()
	c.mu.Unlock()
	end := func() {
		c.endReadLocked(rid)
		c.mu.Unlock()
	}
	// The first attempt reads nothing: what the caches and the overlay
	// hold is often enough.
	var missing []string
	for attempt := 0; ; attempt++ {
		err := c.fetch(ctx, missing, reads)
		c.mu.Lock()
		if err == nil {
			err = c.failed
		}
		if err != nil {
			end()
			return nil, err
		}
		t := c.newTx(reads)
		err = fn(t)
		if len(t.missing) > 0 && attempt < maxAttempts {
			t.discard()
			missing = t.missing
			if attempt == 0 {
				missing = append(missing, prefetch...)
			}
			c.mu.Unlock()
			continue
		}
		if len(t.missing) > 0 && err == nil {
			err = errMiss
		}
		var b *batch
		if err == nil {
			b, err = t.stage()
		}
		if err != nil {
			t.discard()
		}
		end()
		return b, err
	}
}

// commit is update that waits until the change is durable.
func (c *Client) commit(ctx context.Context, prefetch []string, fn func(t *tx) error) error {
	b, err := c.update(ctx, prefetch, fn)
	if err != nil || b == nil {
		return err
	}
	return b.wait(ctx)
}

// view runs fn on a tx that only reads: as update, but anything fn wrote
// is dropped.
func (c *Client) view(ctx context.Context, prefetch []string, fn func(t *tx) error) error {
	_, err := c.update(ctx, prefetch, func(t *tx) error {
		if err := fn(t); err != nil {
			return err
		}
		if len(t.missing) > 0 {
			return nil // update fetches them and runs fn again
		}
		return errViewDone
	})
	if err == errViewDone {
		return nil
	}
	return err
}

// errViewDone ends a view's tx without staging it.
var errViewDone = errors.New("client: view done")

// scan is Storage.Scan once everything staged before it is durable, so
// that it sees what this client did before the call. What is staged while
// it runs may be missing: callers that change state check again in a tx.
func (c *Client) scan(ctx context.Context, prefix, start string, limit int, reverse bool) ([]KV, error) {
	if err := c.idle(ctx); err != nil {
		return nil, err
	}
	return c.cfg.Storage.Scan(ctx, prefix, start, limit, reverse)
}

// idle waits until everything staged is durable (or failed).
func (c *Client) idle(ctx context.Context) error {
	c.mu.Lock()
	var last *batch
	if n := len(c.queue); n > 0 {
		last = c.queue[n-1]
	}
	c.mu.Unlock()
	if last == nil {
		return nil
	}
	select {
	case <-last.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
