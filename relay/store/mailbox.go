package store

import (
	"context"
	"sambung/wire"

	"github.com/dgraph-io/badger/v4"
)

// Append implements Mailboxes: it hands the batch to the group-commit
// writer and returns once the flush holding it is synced.
func (s *Badger) Append(ctx context.Context, batch []Append) (AppendResult, error) {
	if len(batch) == 0 {
		return AppendResult{}, nil
	}
	op := &writeOp{kind: opAppend, batch: batch}
	err := s.w.submit(ctx, op)
	return op.res, err
}

// Read implements Mailboxes. It reads a snapshot, so it never waits for the
// writer.
func (s *Badger) Read(ctx context.Context, m MailboxID, after uint64, limit, maxBytes int) ([]wire.Envelope, error) {
	var out []wire.Envelope
	err := s.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: mailboxPrefix(m)})
		defer it.Close()
		size := 0
		for it.Seek(mailboxKey(m, after+1)); it.Valid() && len(out) < limit && (size < maxBytes || len(out) == 0); it.Next() {
			item := it.Item()
			var e wire.Envelope
			if err := item.Value(func(v []byte) error { return decodeEnvelope(v, &e) }); err != nil {
				return err
			}
			e.Seq = seqOf(item.Key())
			size += len(e.Body)
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Delete implements Mailboxes through the writer, so acks are batched with
// appends.
func (s *Badger) Delete(ctx context.Context, m MailboxID, seqs []uint64) (int, error) {
	if len(seqs) == 0 {
		return 0, nil
	}
	op := &writeOp{kind: opDelete, mbox: m, seqs: seqs}
	err := s.w.submit(ctx, op)
	return op.n, err
}

// Depth implements Mailboxes by counting keys.
func (s *Badger) Depth(ctx context.Context, m MailboxID) (int, error) {
	n := 0
	err := s.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: mailboxPrefix(m)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// Drop implements Mailboxes through the writer.
func (s *Badger) Drop(ctx context.Context, m MailboxID) error {
	return s.w.submit(ctx, &writeOp{kind: opDrop, mbox: m})
}
