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
	return updateRecord(ctx, s, codeKey(phone), ttl, fn)
}

// UpdateThrottle implements Codes, as UpdateCode does.
func (s *Badger) UpdateThrottle(ctx context.Context, name string, ttl time.Duration, fn func(rec *Throttle, found bool) (save, del bool, err error)) error {
	return updateRecord(ctx, s, throttleKey(name), ttl, fn)
}

// updateRecord runs fn on the JSON record at k in one transaction,
// retrying on conflicts, and saves (with ttl) or deletes it as fn says.
func updateRecord[T any](ctx context.Context, s *Badger, k []byte, ttl time.Duration, fn func(rec *T, found bool) (save, del bool, err error)) error {
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		ferr, err := updateRecordOnce(s, k, ttl, fn)
		if errors.Is(err, badger.ErrConflict) && i < maxConflictRetries {
			continue
		}
		if err != nil {
			return err
		}
		return ferr
	}
}

func updateRecordOnce[T any](s *Badger, k []byte, ttl time.Duration, fn func(rec *T, found bool) (save, del bool, err error)) (ferr, err error) {
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	var rec T
	err = getJSON(txn, k, &rec)
	found := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	save, del, ferr := fn(&rec, found)
	err = nil
	switch {
	case del && found:
		err = txn.Delete(k)
	case save:
		var b []byte
		if b, err = json.Marshal(&rec); err == nil {
			err = txn.SetEntry(badger.NewEntry(k, b).WithTTL(ttl))
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
