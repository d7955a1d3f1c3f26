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

// contacts caches, of store.Contacts, the pairs known to have written:
// a send asks whether its sender's first write to the recipient is
// recorded yet (if not, the store records it with the send's envelopes,
// store.Append.Wrote, and the send marks it here), and a lookup whether a
// person has written to the requester (then it may see their identities).
// Only yes is cached: it never turns back into no.
type contacts struct {
	st    store.Contacts
	mu    sync.Mutex
	known map[pair]struct{} // {person, peer}: person has sent to peer
}

func newContacts(st store.Contacts) *contacts {
	return &contacts{st: st, known: make(map[pair]struct{})}
}

// wrote reports whether person has ever sent to peer.
func (c *contacts) wrote(ctx context.Context, person, peer string) (bool, error) {
	k, cacheable := pairOf(person, peer)
	if cacheable {
		c.mu.Lock()
		_, ok := c.known[k]
		c.mu.Unlock()
		if ok {
			return true, nil
		}
	}
	v, err := c.st.Wrote(ctx, person, peer)
	if err != nil || !cacheable || !v {
		// No is not cached: the record comes with a send's commit, and
		// the recipient may ask before the sender's mark reaches here.
		return v, err
	}
	c.mu.Lock()
	c.remember(k)
	c.mu.Unlock()
	return true, nil
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
	_, ok = c.known[k]
	return ok
}

// mark notes that person's sending to peer is recorded.
func (c *contacts) mark(person, peer string) {
	if k, ok := pairOf(person, peer); ok {
		c.mu.Lock()
		c.remember(k)
		c.mu.Unlock()
	}
}

// remember caches k. c.mu is held.
func (c *contacts) remember(k pair) {
	if len(c.known) >= maxContactPairs {
		clear(c.known)
	}
	c.known[k] = struct{}{}
}
