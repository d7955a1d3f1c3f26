package client

import "context"

// Storage is an ordered key-value store with atomic batches. Keys are
// strings with "/"-separated prefixes ("session/<addr>",
// "msg/<conv>/<order>", "outbox/<seq>"); docs/CLIENT.md lists them. The
// browser implements it over IndexedDB, native code in memory
// (MemoryStorage) or in files (native.FileStorage).
type Storage interface {
	// Get returns the value of key, and false when there is none.
	Get(ctx context.Context, key string) ([]byte, bool, error)
	// Scan returns up to limit pairs whose keys start with prefix, in key
	// order (descending when reverse). start, when not "", is an exclusive
	// bound: keys after it (before it when reverse). limit <= 0 means all.
	Scan(ctx context.Context, prefix, start string, limit int, reverse bool) ([]KV, error)
	// Apply writes puts and deletes atomically: after a crash either all of
	// them are visible or none is.
	Apply(ctx context.Context, puts []KV, deletes []string) error
}

// KV is one key and its value.
type KV struct {
	Key   string
	Value []byte
}
