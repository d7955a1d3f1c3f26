//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"
	"unicode/utf16"
	"unicode/utf8"

	"sambung/client"
)

const (
	// dbVersion is the IndexedDB schema version: one object store, so far
	// never changed. Raising it runs onupgradeneeded.
	dbVersion = 1
	// storeName is the one object store: string keys, Uint8Array values.
	storeName = "kv"
	// durability asks the browser to flush a write transaction to disk
	// before it reports completion. The client acknowledges an envelope to
	// the relay only after Apply returns, and the relay then deletes it:
	// with "relaxed", a power cut could lose a message both sides consider
	// delivered.
	durability = "strict"
)

// errBadKey reports a key that is not valid UTF-8: JavaScript strings
// would silently replace the bad bytes, and two keys could become one.
var errBadKey = errors.New("wasm: storage key is not valid UTF-8")

// idbStorage is client.Storage over one IndexedDB object store.
//
// IndexedDB orders keys by UTF-16 code units, Go by UTF-8 bytes. The two
// orders agree except between characters U+E000 to U+FFFF and characters
// above U+FFFF; the client's keys are ASCII (person ids, addresses,
// fixed-width numbers), so Scan returns what client.MemoryStorage would.
type idbStorage struct {
	db js.Value // IDBDatabase
}

var (
	_ client.Storage     = (*idbStorage)(nil)
	_ client.BatchGetter = (*idbStorage)(nil)
)

// openIDB opens (creating when new) the database name.
func openIDB(ctx context.Context, name string) (*idbStorage, error) {
	var req js.Value
	if err := catch(func() { req = js.Global().Get("indexedDB").Call("open", name, dbVersion) }); err != nil {
		return nil, storageError(err)
	}
	upgrade := js.FuncOf(func(_ js.Value, _ []js.Value) any {
		db := req.Get("result")
		if !db.Get("objectStoreNames").Call("contains", storeName).Bool() {
			db.Call("createObjectStore", storeName)
		}
		return nil
	})
	req.Set("onupgradeneeded", upgrade)
	db, err := awaitRequest(ctx, req)
	req.Set("onupgradeneeded", js.Null())
	upgrade.Release()
	if err != nil {
		return nil, storageError(err)
	}
	return &idbStorage{db: db}, nil
}

// close closes the database connection.
func (s *idbStorage) close() { s.db.Call("close") }

// storageError marks err as a browser storage failure (code "storage"),
// leaving a context's end as it is.
func storageError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &wrapped{err, client.ErrStorage}
}

// wrapped is an error that unwraps to its cause and a sentinel.
type wrapped struct{ cause, kind error }

func (e *wrapped) Error() string   { return e.kind.Error() + ": " + e.cause.Error() }
func (e *wrapped) Unwrap() []error { return []error{e.kind, e.cause} }

// awaitEvent waits for target (an IDBRequest or IDBTransaction) to fire
// the event whose handler property is ok, or the one of fail, which fail
// turns into an error. If ctx ends first, cancel runs (when not nil) and
// the handlers stay set until the event comes, for it still will.
func awaitEvent(ctx context.Context, target js.Value, ok, fail string, failed func(args []js.Value) error, cancel func()) error {
	ch := make(chan error, 1)
	onOK := js.FuncOf(func(_ js.Value, _ []js.Value) any {
		ch <- nil
		return nil
	})
	onFail := js.FuncOf(func(_ js.Value, args []js.Value) any {
		ch <- failed(args)
		return nil
	})
	target.Set(ok, onOK)
	target.Set(fail, onFail)
	release := func() {
		target.Set(ok, js.Null())
		target.Set(fail, js.Null())
		onOK.Release()
		onFail.Release()
	}
	select {
	case err := <-ch:
		release()
		return err
	case <-ctx.Done():
		if cancel != nil {
			cancel()
		}
		go func() { <-ch; release() }()
		return ctx.Err()
	}
}

// awaitRequest waits for an IDBRequest's success or error event.
func awaitRequest(ctx context.Context, req js.Value) (js.Value, error) {
	err := awaitEvent(ctx, req, "onsuccess", "onerror", func(args []js.Value) error {
		// Handled here: without preventDefault the error would also abort
		// the transaction, which reports it again.
		arg(args, 0).Call("preventDefault")
		return toError(req.Get("error"))
	}, nil)
	if err != nil {
		return js.Undefined(), err
	}
	return req.Get("result"), nil
}

// awaitTransaction waits for a transaction to complete, or for its error
// or abort.
func awaitTransaction(ctx context.Context, tx js.Value) error {
	return awaitEvent(ctx, tx, "oncomplete", "onabort", func([]js.Value) error {
		if e := tx.Get("error"); !e.IsNull() {
			return toError(e)
		}
		return errAborted
	}, func() {
		// A transaction cannot be left half done: abort it, so that none
		// of the batch is written, and wait for the abort to settle.
		_ = catch(func() { tx.Call("abort") })
	})
}

var errAborted = errors.New("wasm: indexeddb transaction aborted")

// transaction opens a transaction on the one store.
func (s *idbStorage) transaction(mode string) (tx, store js.Value, err error) {
	err = catch(func() {
		opts := js.Global().Get("Object").New()
		if mode == "readwrite" {
			opts.Set("durability", durability)
		}
		tx = s.db.Call("transaction", storeName, mode, opts)
		store = tx.Call("objectStore", storeName)
	})
	return tx, store, err
}

// Get implements client.Storage.
func (s *idbStorage) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if !utf8.ValidString(key) {
		return nil, false, errBadKey
	}
	_, store, err := s.transaction("readonly")
	if err != nil {
		return nil, false, storageError(err)
	}
	var req js.Value
	if err := catch(func() { req = store.Call("get", key) }); err != nil {
		return nil, false, storageError(err)
	}
	v, err := awaitRequest(ctx, req)
	if err != nil {
		return nil, false, storageError(err)
	}
	if v.IsUndefined() {
		return nil, false, nil
	}
	b, err := bytesFromJS(v)
	if err != nil {
		return nil, false, storageError(err)
	}
	return b, true, nil
}

// GetMany implements client.BatchGetter: every key in one readonly
// transaction, which costs about what one Get does.
func (s *idbStorage) GetMany(ctx context.Context, keys []string) ([][]byte, []bool, error) {
	for _, k := range keys {
		if !utf8.ValidString(k) {
			return nil, nil, errBadKey
		}
	}
	tx, store, err := s.transaction("readonly")
	if err != nil {
		return nil, nil, storageError(err)
	}
	reqs := make([]js.Value, len(keys))
	if err := catch(func() {
		for i, k := range keys {
			reqs[i] = store.Call("get", k)
		}
	}); err != nil {
		_ = catch(func() { tx.Call("abort") })
		return nil, nil, storageError(err)
	}
	// Once the transaction completes, every request has its result.
	if err := awaitTransaction(ctx, tx); err != nil {
		return nil, nil, storageError(err)
	}
	vals, oks := make([][]byte, len(keys)), make([]bool, len(keys))
	for i, req := range reqs {
		v := req.Get("result")
		if v.IsUndefined() {
			continue
		}
		b, err := bytesFromJS(v)
		if err != nil {
			return nil, nil, storageError(err)
		}
		vals[i], oks[i] = b, true
	}
	return vals, oks, nil
}

// keyRange returns the IDBKeyRange of Scan's keys: those starting with
// prefix, and after start (before it when reverse) when start is not "".
// It returns ok false when no key can match. Bounds are compared with
// indexedDB.cmp, in IndexedDB's own order.
func keyRange(prefix, start string, reverse bool) (r js.Value, ok bool) {
	cmp := func(a, b js.Value) int { return js.Global().Get("indexedDB").Call("cmp", a, b).Int() }
	lower, lowerOpen := js.ValueOf(prefix), false
	upper, hasUpper := prefixEnd(prefix)
	upperOpen := true
	if start != "" {
		s := js.ValueOf(start)
		if !reverse && cmp(s, lower) >= 0 {
			lower, lowerOpen = s, true
		}
		if reverse && (!hasUpper || cmp(s, upper) <= 0) {
			upper, hasUpper = s, true
		}
	}
	kr := js.Global().Get("IDBKeyRange")
	if !hasUpper {
		if prefix == "" && start == "" {
			return js.Undefined(), true
		}
		return kr.Call("lowerBound", lower, lowerOpen), true
	}
	if c := cmp(lower, upper); c > 0 || c == 0 && (lowerOpen || upperOpen) {
		return js.Undefined(), false
	}
	return kr.Call("bound", lower, upper, lowerOpen, upperOpen), true
}

// prefixEnd returns, as a JavaScript string, the first key after every key
// that starts with prefix, for an exclusive upper bound: prefix in UTF-16
// with its last code unit raised by one (IndexedDB orders strings by code
// unit). Trailing 0xFFFF units cannot be raised and are dropped first. It
// returns false when no bound exists (prefix is empty or all 0xFFFF).
func prefixEnd(prefix string) (js.Value, bool) {
	units := utf16.Encode([]rune(prefix))
	for len(units) > 0 && units[len(units)-1] == 0xFFFF {
		units = units[:len(units)-1]
	}
	if len(units) == 0 {
		return js.Undefined(), false
	}
	units[len(units)-1]++
	codes := make([]any, len(units))
	for i, u := range units {
		codes[i] = int(u)
	}
	return js.Global().Get("String").Call("fromCharCode", codes...), true
}

// Scan implements client.Storage.
func (s *idbStorage) Scan(ctx context.Context, prefix, start string, limit int, reverse bool) ([]client.KV, error) {
	if !utf8.ValidString(prefix) || !utf8.ValidString(start) {
		return nil, errBadKey
	}
	kr, ok := keyRange(prefix, start, reverse)
	if !ok {
		return nil, nil
	}
	_, store, err := s.transaction("readonly")
	if err != nil {
		return nil, storageError(err)
	}
	var out []client.KV
	if reverse {
		out, err = s.scanCursor(ctx, store, kr, limit)
	} else {
		out, err = s.scanAll(ctx, store, kr, limit)
	}
	if err != nil {
		return nil, storageError(err)
	}
	return out, nil
}

// scanAll reads a forward range with getAllKeys and getAll in one
// transaction: two requests, where a cursor costs a callback per key.
func (s *idbStorage) scanAll(ctx context.Context, store, kr js.Value, limit int) ([]client.KV, error) {
	var count any = js.Undefined()
	if limit > 0 {
		count = limit
	}
	var keysReq, valsReq js.Value
	if err := catch(func() {
		keysReq = store.Call("getAllKeys", kr, count)
		valsReq = store.Call("getAll", kr, count)
	}); err != nil {
		return nil, err
	}
	keys, err := awaitRequest(ctx, keysReq)
	if err != nil {
		return nil, err
	}
	vals, err := awaitRequest(ctx, valsReq)
	if err != nil {
		return nil, err
	}
	n := keys.Length()
	if vals.Length() != n {
		return nil, errors.New("wasm: indexeddb returned different numbers of keys and values")
	}
	out := make([]client.KV, n)
	for i := range n {
		b, err := bytesFromJS(vals.Index(i))
		if err != nil {
			return nil, err
		}
		out[i] = client.KV{Key: keys.Index(i).String(), Value: b}
	}
	return out, nil
}

// scanCursor reads a range backwards with a cursor.
func (s *idbStorage) scanCursor(ctx context.Context, store, kr js.Value, limit int) ([]client.KV, error) {
	var req js.Value
	if err := catch(func() { req = store.Call("openCursor", kr, "prev") }); err != nil {
		return nil, err
	}
	var out []client.KV
	for {
		cursor, err := awaitRequest(ctx, req)
		if err != nil {
			return nil, err
		}
		if cursor.IsNull() {
			return out, nil
		}
		b, err := bytesFromJS(cursor.Get("value"))
		if err != nil {
			return nil, err
		}
		out = append(out, client.KV{Key: cursor.Get("key").String(), Value: b})
		if limit > 0 && len(out) >= limit {
			return out, nil
		}
		cursor.Call("continue")
	}
}

// Apply implements client.Storage: deletes, then puts, in one readwrite
// transaction, so after a crash either all of them happened or none. It
// returns once the transaction has completed (durably, see durability).
func (s *idbStorage) Apply(ctx context.Context, puts []client.KV, deletes []string) error {
	for _, k := range deletes {
		if !utf8.ValidString(k) {
			return errBadKey
		}
	}
	for _, kv := range puts {
		if !utf8.ValidString(kv.Key) {
			return errBadKey
		}
	}
	if len(puts) == 0 && len(deletes) == 0 {
		return nil
	}
	tx, store, err := s.transaction("readwrite")
	if err != nil {
		return storageError(err)
	}
	if err := catch(func() {
		for _, k := range deletes {
			store.Call("delete", k)
		}
		for _, kv := range puts {
			store.Call("put", bytesToJS(kv.Value), kv.Key)
		}
	}); err != nil {
		_ = catch(func() { tx.Call("abort") })
		return storageError(err)
	}
	if err := awaitTransaction(ctx, tx); err != nil {
		return storageError(err)
	}
	return nil
}
