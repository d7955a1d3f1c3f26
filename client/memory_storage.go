package client

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
)

// MemoryStorage is a Storage held in memory: for tests, and the reference
// the browser and file implementations are checked against. It is safe for
// concurrent use. Values are copied in and out, so callers may reuse their
// slices.
type MemoryStorage struct {
	mu   sync.RWMutex
	keys []string // sorted
	vals map[string][]byte
}

var (
	_ Storage     = (*MemoryStorage)(nil)
	_ BatchGetter = (*MemoryStorage)(nil)
)

// NewMemoryStorage returns an empty store.
func NewMemoryStorage() *MemoryStorage {
	return &MemoryStorage{vals: make(map[string][]byte)}
}

// Get implements Storage.
func (m *MemoryStorage) Get(_ context.Context, key string) ([]byte, bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.vals[key]
	if !ok {
		return nil, false, nil
	}
	return slices.Clone(v), true, nil
}

// GetMany implements BatchGetter.
func (m *MemoryStorage) GetMany(_ context.Context, keys []string) ([][]byte, []bool, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	vals, oks := make([][]byte, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		if v, ok := m.vals[k]; ok {
			vals[i], oks[i] = slices.Clone(v), true
		}
	}
	return vals, oks, nil
}

// Scan implements Storage.
func (m *MemoryStorage) Scan(_ context.Context, prefix, start string, limit int, reverse bool) ([]KV, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []KV
	add := func(k string) bool {
		out = append(out, KV{Key: k, Value: slices.Clone(m.vals[k])})
		return limit <= 0 || len(out) < limit
	}
	if !reverse {
		from := prefix
		if start != "" && start >= prefix {
			from = start
		}
		i := sort.SearchStrings(m.keys, from)
		if i < len(m.keys) && start != "" && m.keys[i] == start {
			i++
		}
		for ; i < len(m.keys) && strings.HasPrefix(m.keys[i], prefix); i++ {
			if !add(m.keys[i]) {
				break
			}
		}
		return out, nil
	}
	// Reverse: begin at the last key below start (or the last key with the
	// prefix) and walk down while the prefix holds.
	i := sort.Search(len(m.keys), func(j int) bool {
		return m.keys[j] > prefix && !strings.HasPrefix(m.keys[j], prefix)
	}) - 1
	if start != "" {
		i = min(i, sort.SearchStrings(m.keys, start)-1)
	}
	for ; i >= 0 && strings.HasPrefix(m.keys[i], prefix); i-- {
		if !add(m.keys[i]) {
			break
		}
	}
	return out, nil
}

// Apply implements Storage: deletes first, then puts, under one lock.
func (m *MemoryStorage) Apply(_ context.Context, puts []KV, deletes []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range deletes {
		if _, ok := m.vals[k]; !ok {
			continue
		}
		delete(m.vals, k)
		i := sort.SearchStrings(m.keys, k)
		m.keys = slices.Delete(m.keys, i, i+1)
	}
	for _, kv := range puts {
		if _, ok := m.vals[kv.Key]; !ok {
			i := sort.SearchStrings(m.keys, kv.Key)
			m.keys = slices.Insert(m.keys, i, kv.Key)
		}
		m.vals[kv.Key] = slices.Clone(kv.Value)
	}
	return nil
}

// Len returns the number of keys stored.
func (m *MemoryStorage) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.keys)
}
