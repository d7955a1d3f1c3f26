package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Options configures the Badger store.
type Options struct {
	// Dir is the Badger directory; it is created if missing.
	Dir string
	// Logger receives Badger's warnings and errors; nil discards them.
	Logger *slog.Logger
	// MaxDepth caps the envelopes in one mailbox (0 means DefaultMaxDepth).
	MaxDepth int
	// Shares bound what one sender, and senders the owner has never
	// written to, may queue; zero fields mean their defaults.
	Shares Shares
	// SeenTTL is how long an envelope id is remembered after its envelope is
	// deleted (0 means DefaultSeenTTL).
	SeenTTL time.Duration
	// MemTableSize overrides Badger's memtable size (0 keeps 64 MiB). One
	// commit holds at most 15% of it; tests shrink it to split flushes.
	MemTableSize int64
	// OnFlush, if set, is called by the writer after each flush with the
	// number of write requests and envelopes in it and how long it took.
	OnFlush func(requests, envelopes int, took time.Duration)
	// OnCommit, if set, is called by the writer after each successful
	// commit, before any of its requests is answered, with every envelope
	// the commit stored (Seq set), in commit order: a flush's envelopes
	// come all at once, so a pusher fed by it sends them in one frame. It
	// runs on the writer goroutine: it must not block or keep the slice.
	OnCommit func(stored []*Append)
}

const (
	// DefaultMaxDepth bounds a mailbox: a device offline for weeks in busy
	// groups stays under it, and at 256 KiB each the worst case is 2.5 GiB.
	DefaultMaxDepth = 10_000
	// DefaultSeenTTL keeps the id of a delivered envelope a week, far longer
	// than any client retries a send whose ack it lost.
	DefaultSeenTTL = 7 * 24 * time.Hour
)

// Badger is the Store on Badger v4.
type Badger struct {
	db       *badger.DB
	opts     Options
	w        *writer
	maxDepth int
	shares   Shares
	seenTTL  time.Duration
	devices  deviceCache
}

var (
	_ Store     = (*Badger)(nil)
	_ Mailboxes = (*Badger)(nil)
)

// Open opens (or creates) the store in opts.Dir with synced writes: a
// commit returns only after the data is on disk.
func Open(opts Options) (*Badger, error) {
	bo := badger.DefaultOptions(opts.Dir).
		WithSyncWrites(true).
		WithLogger(badgerLogger{opts.Logger}).
		// The relay's working set is mailboxes being drained and the
		// directory; a smaller block cache keeps idle RSS low.
		WithBlockCacheSize(64 << 20).
		WithNumCompactors(2)
	if opts.MemTableSize > 0 {
		bo = bo.WithMemTableSize(opts.MemTableSize).WithValueThreshold(min(opts.MemTableSize/10, 1<<20))
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", opts.Dir, err)
	}
	s := &Badger{db: db, opts: opts, maxDepth: opts.MaxDepth, seenTTL: opts.SeenTTL}
	if s.maxDepth <= 0 {
		s.maxDepth = DefaultMaxDepth
	}
	s.shares = opts.Shares.withDefaults(s.maxDepth)
	if s.seenTTL <= 0 {
		s.seenTTL = DefaultSeenTTL
	}
	s.w, err = newWriter(s)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Shares returns the shares in force, defaults filled in.
func (s *Badger) Shares() Shares { return s.shares }

// QueueDepth returns the envelopes stored in all mailboxes.
func (s *Badger) QueueDepth() int64 { return s.w.totalDepth.Load() }

// Pending returns the write requests waiting for the writer.
func (s *Badger) Pending() int { return len(s.w.ops) }

// Close stops taking writes, flushes what is queued, and closes Badger.
func (s *Badger) Close() error {
	s.w.close()
	return s.db.Close()
}

// maxConflictRetries bounds retries of a directory transaction that lost an
// optimistic conflict: contention is per person, so a handful suffices.
const maxConflictRetries = 16

// update runs fn in a read-write transaction, retrying on conflicts.
func (s *Badger) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := s.db.Update(fn)
		if errors.Is(err, badger.ErrConflict) && i < maxConflictRetries {
			continue
		}
		return err
	}
}

// view runs fn in a read-only transaction.
func (s *Badger) view(ctx context.Context, fn func(txn *badger.Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(fn)
}

// badgerLogger sends Badger's warnings and errors to slog; its info and
// debug chatter is dropped.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any) {
	if b.l != nil {
		b.l.Error("badger: " + fmt.Sprintf(f, a...))
	}
}
func (b badgerLogger) Warningf(f string, a ...any) {
	if b.l != nil {
		b.l.Warn("badger: " + fmt.Sprintf(f, a...))
	}
}
func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
