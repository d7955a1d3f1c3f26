package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The group-commit writer. Badger syncs once per commit: about 3k synced
// commits a second here one envelope at a time, about 48k envelopes a
// second 64 to a commit. So one goroutine owns every mailbox write: it takes
// every request waiting (appends from sends, deletes from acks, drops),
// commits them in one transaction, and only then answers them all.

const (
	// writerQueue bounds the requests waiting for the writer; senders
	// block beyond it, which is the relay's backpressure.
	writerQueue = 4096
	// maxFlushOps bounds one flush so that a flood of requests still
	// commits (and answers) in slices of bounded latency.
	maxFlushOps = 1024
	// maxCachedMailboxes bounds the writer's per-mailbox state of empty
	// mailboxes: about 100 bytes each, so 10 MB. Loading a mailbox's state
	// costs a Badger iterator, which is most of a flush's CPU when done
	// for every envelope.
	maxCachedMailboxes = 100_000
	// maxRememberedSeen bounds the dedupe keys the writer remembers for
	// envelopes it stored (about 150 bytes each with the map's overhead, so
	// 15 MB): an ack of one of them needs no read of the envelope to find
	// its dedupe key. Past the bound, and after a restart, an ack reads it.
	maxRememberedSeen = 100_000
)

type opKind uint8

const (
	opAppend opKind = iota
	opDelete
	opDrop
)

// writeOp is one request to the writer and, once done is closed, its result.
type writeOp struct {
	kind  opKind
	batch []Append  // opAppend
	mbox  MailboxID // opDelete, opDrop
	seqs  []uint64  // opDelete
	res   AppendResult
	n     int // opDelete: envelopes deleted
	err   error
	done  chan struct{}
}

// mboxState is the writer's view of one mailbox: the last seq assigned,
// how many envelopes it holds, their stored bytes and how many came from
// each sender. Only the writer goroutine touches it.
type mboxState struct {
	head      uint64
	depth     int
	bytes     int64
	from      map[string]int // sender person -> envelopes
	headDirty bool
	// seen maps the seq of an envelope this writer stored, and that is
	// still stored, to its dedupe key, sender and size. It may lack any
	// envelope (one stored before a restart, or past maxRememberedSeen);
	// an entry is always true, so its envelope exists.
	seen map[uint64]seenEntry
}

type seenEntry struct {
	key  []byte
	from string
	size int64
}

// add counts an envelope of from taking size bytes; sub uncounts one.
func (st *mboxState) add(from string, size int64) {
	st.depth++
	st.bytes += size
	if st.from == nil {
		st.from = make(map[string]int)
	}
	st.from[from]++
}

func (st *mboxState) sub(from string, size int64) {
	st.depth--
	st.bytes -= size
	if n := st.from[from] - 1; n > 0 {
		st.from[from] = n
	} else {
		delete(st.from, from)
	}
}

type writer struct {
	s       *Badger
	ops     chan *writeOp
	mu      sync.RWMutex // guards closed against sends on a closed ops
	closed  bool
	stopped chan struct{}

	state      map[MailboxID]*mboxState
	seenCount  int // entries in all mboxState.seen
	totalDepth atomic.Int64
}

// forget drops the writer's state of m: it reloads from disk on next use.
func (w *writer) forget(m MailboxID) {
	if st := w.state[m]; st != nil {
		w.seenCount -= len(st.seen)
		delete(w.state, m)
	}
}

func newWriter(s *Badger) (*writer, error) {
	w := &writer{
		s:       s,
		ops:     make(chan *writeOp, writerQueue),
		stopped: make(chan struct{}),
		state:   make(map[MailboxID]*mboxState),
	}
	n, err := w.countAll()
	if err != nil {
		return nil, err
	}
	w.totalDepth.Store(n)
	go w.run()
	return w, nil
}

// countAll counts every stored envelope, for the queue depth gauge.
func (w *writer) countAll() (int64, error) {
	var n int64
	err := w.s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixMailbox}})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// submit queues op and waits for its flush. Once queued, an op is always
// committed or failed by the writer, so the wait does not watch ctx: the
// caller learns the true outcome.
func (w *writer) submit(ctx context.Context, op *writeOp) error {
	op.done = make(chan struct{})
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.ops <- op:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	<-op.done
	return op.err
}

// close refuses new requests, lets the writer flush what is queued, and
// waits for it to stop.
func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ops)
	}
	w.mu.Unlock()
	<-w.stopped
}

func (w *writer) run() {
	defer close(w.stopped)
	for op := range w.ops {
		batch := []*writeOp{op}
	drain:
		for len(batch) < maxFlushOps {
			select {
			case o, ok := <-w.ops:
				if !ok {
					break drain
				}
				batch = append(batch, o)
			default:
				break drain
			}
		}
		w.flush(batch)
	}
}

// flush is one group commit: the state of a flush in progress.
type flush struct {
	w          *writer
	txn        *badger.Txn
	err        error
	touched    map[MailboxID]bool
	dropped    map[MailboxID]bool
	alive      map[MailboxID]bool
	devices    map[string][]uint32 // current devices of each recipient person
	strangers  map[[2]string]bool  // {owner, sender} looked up in this flush
	depthDelta int64
	envelopes  int
	stored     []*Append // for Options.OnCommit
}

func (w *writer) flush(batch []*writeOp) {
	start := time.Now()
	f := &flush{
		w:       w,
		txn:     w.s.db.NewTransaction(true),
		touched: make(map[MailboxID]bool),
		dropped: make(map[MailboxID]bool),
	}
	f.err = f.checkAlive(batch)
	for _, op := range batch {
		if f.err != nil {
			break
		}
		switch op.kind {
		case opAppend:
			f.append(op)
		case opDelete:
			f.delete(op)
		case opDrop:
			f.drop(op)
		}
	}
	for m := range f.touched {
		if st := w.state[m]; st != nil && st.headDirty {
			f.set(badger.NewEntry(headKey(m), be64(st.head)))
		}
	}
	if f.err == nil {
		f.err = f.txn.Commit()
	} else {
		f.txn.Discard()
	}
	if f.err != nil {
		// Part of the flush may be on disk (a transaction too big for one
		// commit is split): forget the touched mailboxes so they reload
		// from disk, and recount the gauge. Senders get the error and
		// retry; the ids make the retry idempotent.
		for m := range f.touched {
			w.forget(m)
		}
		if n, err := w.countAll(); err == nil {
			w.totalDepth.Store(n)
		}
		for _, op := range batch {
			if op.err == nil {
				op.err = f.err
			}
		}
	} else {
		w.totalDepth.Add(f.depthDelta)
		for m := range f.touched {
			if st := w.state[m]; st != nil {
				st.headDirty = false
			}
		}
		if w.s.opts.OnCommit != nil && len(f.stored) > 0 {
			w.s.opts.OnCommit(f.stored)
		}
		if len(w.state) > maxCachedMailboxes {
			// Forget empty mailboxes (they reload from disk on next use),
			// so the map is bounded by the backlog, not by every device
			// ever seen.
			for m, st := range w.state {
				if st.depth == 0 {
					w.forget(m)
				}
			}
		}
	}
	for _, op := range batch {
		close(op.done)
	}
	if w.s.opts.OnFlush != nil {
		w.s.opts.OnFlush(len(batch), f.envelopes, time.Since(start))
	}
}

// checkAlive finds out whether the device of every mailbox the appends of
// this flush write to still exists, from the device-list cache (one read
// per person on a miss). It reads outside the write transaction so that
// directory changes (a device's lastSeen, say) never conflict with a flush.
// The cache is invalidated before RemoveDevice returns, and the relay drops
// the mailbox only after that, so an append that still saw the device
// commits before the drop, which deletes it.
func (f *flush) checkAlive(batch []*writeOp) error {
	f.alive = make(map[MailboxID]bool)
	f.devices = make(map[string][]uint32)
	for _, op := range batch {
		for _, a := range op.batch {
			if _, ok := f.alive[a.To]; ok {
				continue
			}
			ids, err := f.w.s.DeviceIDs(context.Background(), a.To.Person)
			switch {
			case err == nil:
				f.alive[a.To] = slices.Contains(ids, a.To.Device)
				f.devices[a.To.Person] = ids
			case errors.Is(err, ErrNotFound):
				f.alive[a.To] = false
			default:
				return err
			}
		}
	}
	return nil
}

// state returns the writer's state of m, loading it from disk when absent.
func (f *flush) state(m MailboxID) *mboxState {
	f.touched[m] = true
	if st := f.w.state[m]; st != nil {
		return st
	}
	st := &mboxState{}
	err := f.w.s.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(headKey(m))
		if err == nil {
			err = item.Value(func(v []byte) error {
				if len(v) == 8 {
					st.head = seqOf(v)
				}
				return nil
			})
		}
		if err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: mailboxPrefix(m)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			err := item.Value(func(v []byte) error {
				from, _, _, _ := envelopeIDs(v) // an undecodable one counts for no sender
				st.add(from, int64(len(v)))
				return nil
			})
			if err != nil {
				return err
			}
			// A split flush that failed half way may have stored seqs
			// past the saved head: never hand those out again.
			if s := seqOf(item.Key()); s > st.head {
				st.head = s
			}
		}
		return nil
	})
	if err != nil && f.err == nil {
		f.err = err
	}
	f.w.state[m] = st
	return st
}

// set adds e to the flush, and del the deletion of k.
func (f *flush) set(e *badger.Entry) { f.apply(func(t *badger.Txn) error { return t.SetEntry(e) }) }
func (f *flush) del(k []byte)        { f.apply(func(t *badger.Txn) error { return t.Delete(k) }) }

// apply runs op on the flush's transaction, committing it and running op
// again on a new one when the current one is full.
func (f *flush) apply(op func(*badger.Txn) error) {
	if f.err != nil {
		return
	}
	err := op(f.txn)
	if errors.Is(err, badger.ErrTxnTooBig) {
		if err = f.txn.Commit(); err == nil {
			f.txn = f.w.s.db.NewTransaction(true)
			err = op(f.txn)
		}
	}
	f.err = err
}
