package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// UpdateCode implements Codes. The record is saved with a TTL so that
// abandoned codes disappear on their own. fn's error is returned after the
// change is committed: a wrong try must count even though it fails.
func (s *Badger) UpdateCode(ctx context.Context, phone string, ttl time.Duration, fn func(rec *CodeRecord, found bool) (save, del bool, err error)) error {
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		ferr, err := s.updateCodeOnce(phone, ttl, fn)
		if errors.Is(err, badger.ErrConflict) && i < maxConflictRetries {
			continue
		}
		if err != nil {
			return err
		}
		return ferr
	}
}

func (s *Badger) updateCodeOnce(phone string, ttl time.Duration, fn func(rec *CodeRecord, found bool) (save, del bool, err error)) (ferr, err error) {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	var rec CodeRecord
	err = getJSON(txn, codeKey(phone), &rec)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	save, del, ferr := fn(&rec, found)
	err = nil
	switch {
	case del && found:
		err = txn.Delete(codeKey(phone))
	case save:
		var b []byte
		if b, err = json.Marshal(&rec); err == nil {
			err = txn.SetEntry(badger.NewEntry(codeKey(phone), b).WithTTL(ttl))
		}
	}
	if err != nil {
		return nil, err
	}
	return ferr, txn.Commit()
}

// Secret implements Codes.
func (s *Badger) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	var out []byte
	err := s.update(ctx, func(txn *badger.Txn) error {
		item, err := txn.Get(secretKey(name))
		if err == nil {
			out, err = item.ValueCopy(nil)
			return err
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		out = make([]byte, size)
		rand.Read(out)
		return txn.Set(secretKey(name), out)
	})
	return out, err
}
