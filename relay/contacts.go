//go:build !js

package relay

import (
	"context"
	"sync"

	"sambung/relay/store"
)

// maxContactPairs bounds the cache of who has written to whom: two person
// ids and a map entry, about 100 bytes, so 20 MB. Past it the cache starts
// over; a miss costs one Badger read.
const maxContactPairs = 200_000

// personIDLen is the length of a person id (wire.ValidPersonID).
const personIDLen = 26

// pair is {person, peer} as a key without pointers, so that the garbage
// collector need not scan the cache; ok is false for an id that is not a
// person id, which is then never cached.
type pair [2 * personIDLen]byte

func pairOf(person, peer string) (p pair, ok bool) {
	if len(person) != personIDLen || len(peer) != personIDLen {
		return p, false
	}
	copy(p[:], person)
	copy(p[personIDLen:], peer)
	return p, true
}

// contacts caches store.Contacts for the send path, which asks on every
// send whether the recipient has ever written to the sender (a stranger's
// envelopes count against the smaller mailbox shares) and has the store
// record, with the first send's envelopes, that the sender has now written
// to the recipient. Every record is made through a send that then marks
// this cache, so an entry, true or false, stays right until the cache
// starts over.
type contacts struct {
	st    store.Contacts
	mu    sync.Mutex
	known map[pair]bool // {person, peer}: person has sent to peer
}

func newContacts(st store.Contacts) *contacts {
	return &contacts{st: st, known: make(map[pair]bool)}
}

// wrote reports whether person has ever sent to peer.
func (c *contacts) wrote(ctx context.Context, person, peer string) (bool, error) {
	k, cacheable := pairOf(person, peer)
	if cacheable {
		c.mu.Lock()
		v, ok := c.known[k]
		c.mu.Unlock()
		if ok {
			return v, nil
		}
	}
	v, err := c.st.Wrote(ctx, person, peer)
	if err != nil || !cacheable {
		return v, err
	}
	c.mu.Lock()
	if _, ok := c.known[k]; !ok { // a mark made meanwhile wins
		c.remember(k, v)
	}
	c.mu.Unlock()
	return v, nil
}

// marked reports whether person is known to have sent to peer already;
// if not, the send asks the store to record it with its envelopes
// (store.Append.Wrote) and calls mark once that has committed.
func (c *contacts) marked(person, peer string) bool {
	k, ok := pairOf(person, peer)
	if !ok {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.known[k]
}

// mark notes that person's sending to peer is recorded.
func (c *contacts) mark(person, peer string) {
	if k, ok := pairOf(person, peer); ok {
		c.mu.Lock()
		c.remember(k, true)
		c.mu.Unlock()
	}
}

// remember caches v for k. c.mu is held.
func (c *contacts) remember(k pair, v bool) {
	if len(c.known) >= maxContactPairs {
		clear(c.known)
	}
	c.known[k] = v
}
