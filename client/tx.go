package client

import (
	"slices"

	"sambung/crypto"
	"sambung/internal/jsonw"
)

// tx gathers the changes of one operation (a send, a batch of incoming
// envelopes, a receipt) so that they reach Storage in one atomic Apply:
// the message, the session records its encryption or decryption advanced,
// the contact changes and the outbox entries. A tx does no I/O: it reads
// what is in memory (its own writes, the overlay of staged writes, the
// keys update fetched for it) and records any other key it needs in
// missing, so that update fetches them and runs the operation again.
//
// Until it is staged, contact changes live on copies, and session records
// are changed in place by package crypto only when it succeeds; a tx that
// is discarded drops every record it touched from the cache, so the cache
// never runs ahead of the staged state.
//
// A tx is used under Client.mu.
type tx struct {
	c *Client

	reads   map[string]readResult // keys update fetched from storage
	missing []string              // keys this tx needed and did not have

	puts    map[string][]byte
	dels    map[string]bool
	touched map[crypto.Address]bool                  // session records loaded or stored
	dirty   map[crypto.Address]bool                  // session records to write
	fresh   map[crypto.Address]*crypto.SessionRecord // created in this tx
	// contacts holds working copies of changed contact records.
	contacts map[string]*contactRecord
	// trustAll names persons whose device list this tx fetches for the first
	// time: their devices are accepted on first use.
	trustAll map[string]bool
	// pending are outbox items this tx adds; resealed are items already in
	// the outbox whose ciphertexts it changed. Neither may be sent before
	// the tx is durable.
	pending, resealed []*outboxItem
	// events are emitted once the tx is durable.
	events []Event
	// staged runs when the tx is staged, under Client.mu: in-memory
	// effects that later operations must see at once.
	staged []func()
	// after runs once the tx is durable, under Client.mu.
	after []func()
}

func (c *Client) newTx(reads map[string]readResult) *tx {
	return &tx{
		c:        c,
		reads:    reads,
		puts:     make(map[string][]byte),
		dels:     make(map[string]bool),
		touched:  make(map[crypto.Address]bool),
		dirty:    make(map[crypto.Address]bool),
		fresh:    make(map[crypto.Address]*crypto.SessionRecord),
		contacts: make(map[string]*contactRecord),
		trustAll: make(map[string]bool),
	}
}

func (t *tx) put(key string, v []byte) {
	delete(t.dels, key)
	t.puts[key] = v
}

func (t *tx) putJSON(key string, v any) {
	t.put(key, jsonw.Marshal(v))
}

func (t *tx) del(key string) {
	delete(t.puts, key)
	t.dels[key] = true
}

// get reads key as this tx would leave it: from the tx's own writes, the
// staged writes, or what update fetched. A key it does not have is
// recorded as missing and errMiss returned.
func (t *tx) get(key string) ([]byte, bool, error) {
	if v, ok := t.puts[key]; ok {
		return v, true, nil
	}
	if t.dels[key] {
		return nil, false, nil
	}
	if e, ok := t.c.overlay[key]; ok {
		return e.value, !e.del, nil
	}
	if r, ok := t.c.recent.get(key); ok {
		return r.value, r.ok, nil
	}
	if r, ok := t.reads[key]; ok {
		return r.value, r.ok, nil
	}
	if !slices.Contains(t.missing, key) {
		t.missing = append(t.missing, key)
	}
	return nil, false, errMiss
}

func (t *tx) emit(e ...Event) { t.events = append(t.events, e...) }

// stage hands the tx to the committer: the caches take its state now, its
// writes go out with the next Apply, and its events and after functions
// run once that Apply returned. It returns nil when there is nothing to
// write or wait for.
func (t *tx) stage() (*batch, error) {
	c := t.c
	for addr := range t.dirty {
		rec := t.fresh[addr]
		if rec == nil {
			rec = c.sessions[addr]
		}
		if rec == nil {
			continue
		}
		b, err := rec.MarshalBinary()
		if err != nil {
			return nil, err
		}
		t.put(sessionKey(addr), b)
	}
	for person, cr := range t.contacts {
		t.putJSON(contactKey(person), cr)
		c.contacts[person] = cr
	}
	for addr, rec := range t.fresh {
		c.sessions[addr] = rec
	}
	for _, it := range t.pending {
		c.outbox[it.Seq] = it
		c.lastSeq = max(c.lastSeq, it.Seq)
	}
	for _, f := range t.staged {
		f()
	}
	if len(t.pending) > 0 || len(t.resealed) > 0 {
		// New or resealed items go out once durable.
		t.after = append(t.after, c.wake)
	}
	if len(t.puts) == 0 && len(t.dels) == 0 && len(t.events) == 0 && len(t.after) == 0 {
		return nil, nil
	}
	puts := make([]KV, 0, len(t.puts))
	for k, v := range t.puts {
		puts = append(puts, KV{Key: k, Value: v})
	}
	sortKVs(puts, false)
	dels := make([]string, 0, len(t.dels))
	for k := range t.dels {
		dels = append(dels, k)
	}
	sortStrings(dels)
	b := c.stageLocked(puts, dels, t.events, t.after)
	for _, it := range append(t.pending, t.resealed...) {
		it.gen = b.gen
	}
	return b, nil
}

// discard drops the tx: session records it touched leave the cache, so
// the next use reloads them as they are staged or stored.
func (t *tx) discard() {
	for addr := range t.touched {
		delete(t.c.sessions, addr)
	}
}
