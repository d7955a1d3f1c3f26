package store

import (
	"context"

	"github.com/dgraph-io/badger/v4"
)

// MarkWrote implements Contacts: one transaction writes both directions,
// so Wrote and Writers always agree.
func (s *Badger) MarkWrote(ctx context.Context, person, peer string) error {
	return s.update(ctx, func(txn *badger.Txn) error {
		if err := txn.Set(wroteKey(person, peer), nil); err != nil {
			return err
		}
		return txn.Set(writerKey(peer, person), nil)
	})
}

// Wrote implements Contacts.
func (s *Badger) Wrote(ctx context.Context, person, peer string) (bool, error) {
	var ok bool
	err := s.view(ctx, func(txn *badger.Txn) error {
		var err error
		ok, err = exists(txn, wroteKey(person, peer))
		return err
	})
	return ok, err
}

// Writers implements Contacts, counting keys only up to limit.
func (s *Badger) Writers(ctx context.Context, person string, limit int) (int, error) {
	n := 0
	err := s.view(ctx, func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: writerPrefix(person)})
		defer it.Close()
		for it.Rewind(); it.Valid() && n < limit; it.Next() {
			n++
		}
		return nil
	})
	return n, err
}
