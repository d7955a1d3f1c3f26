package store

import (
	"context"

	"github.com/dgraph-io/badger/v4"
)

// Wrote implements Contacts.
func (s *Badger) Wrote(ctx context.Context, person, peer string) (bool, error) {
	var ok bool
	err := s.view(ctx, func(txn *badger.Txn) error {
		var err error
		ok, err = exists(txn, writerKey(peer, person))
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
