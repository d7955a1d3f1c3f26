package client

import (
	"context"
	"sort"

	"sambung/crypto"
	"sambung/internal/jsonw"
)

// tx gathers the writes of one operation (a send, a batch of incoming
// envelopes) so that they reach Storage in one atomic Apply: the message,
// the session records its encryption or decryption advanced, the contact
// changes and the outbox entries. Until commit, contact changes live on
// copies; session records are changed in place by package crypto only when
// it succeeds, and every record loaded during a tx that is discarded is
// dropped from the cache so the cache never runs ahead of storage.
//
// A tx is used under Client.mu.
type tx struct {
	c   *Client
	ctx context.Context

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
	// pending are outbox items this tx adds.
	pending []*outboxItem
	// events are emitted after a successful commit.
	events []Event
	// after runs after a successful commit, under Client.mu.
	after []func()
	err   error // the first storage error a crypto.Store method met
}

func (c *Client) newTx(ctx context.Context) *tx {
	return &tx{
		c: c, ctx: ctx,
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

func (t *tx) putJSON(key string, v jsonw.Marshaler) {
	t.put(key, jsonw.Marshal(v))
}

func (t *tx) del(key string) {
	delete(t.puts, key)
	t.dels[key] = true
}

// get reads key as this tx would leave it.
func (t *tx) get(key string) ([]byte, bool, error) {
	if v, ok := t.puts[key]; ok {
		return v, true, nil
	}
	if t.dels[key] {
		return nil, false, nil
	}
	return t.c.cfg.Storage.Get(t.ctx, key)
}

func (t *tx) emit(e ...Event) { t.events = append(t.events, e...) }

// commit writes everything in one Apply. On success the caches take the
// new state and the events go out; on failure the tx is discarded.
func (t *tx) commit() error {
	if t.err != nil {
		t.discard()
		return t.err
	}
	for addr := range t.dirty {
		rec := t.fresh[addr]
		if rec == nil {
			rec = t.c.sessions[addr]
		}
		if rec == nil {
			continue
		}
		b, err := rec.MarshalBinary()
		if err != nil {
			t.discard()
			return err
		}
		t.put(sessionKey(addr), b)
	}
	for person, cr := range t.contacts {
		t.putJSON(contactKey(person), cr)
	}
	puts := make([]KV, 0, len(t.puts))
	for k, v := range t.puts {
		puts = append(puts, KV{Key: k, Value: v})
	}
	sort.Slice(puts, func(i, j int) bool { return puts[i].Key < puts[j].Key })
	dels := make([]string, 0, len(t.dels))
	for k := range t.dels {
		dels = append(dels, k)
	}
	sort.Strings(dels)
	if len(puts) > 0 || len(dels) > 0 {
		if err := t.c.cfg.Storage.Apply(t.ctx, puts, dels); err != nil {
			t.discard()
			return err
		}
	}
	for addr, rec := range t.fresh {
		t.c.sessions[addr] = rec
	}
	for person, cr := range t.contacts {
		t.c.contacts[person] = cr
	}
	for _, it := range t.pending {
		t.c.outbox[it.Seq] = it
		t.c.lastSeq = max(t.c.lastSeq, it.Seq)
	}
	for _, f := range t.after {
		f()
	}
	t.c.events.push(t.events...)
	return nil
}

// discard drops the tx: session records it touched leave the cache, so
// the next use reloads them as storage has them.
func (t *tx) discard() {
	for addr := range t.touched {
		delete(t.c.sessions, addr)
	}
}
