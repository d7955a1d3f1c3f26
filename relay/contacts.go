//go:build !js

package relay

import (
	"context"
	"sync"

	"sambung/relay/store"
)

// maxContactPairs bounds the cache of who has written to whom: two person
// ids and a map entry, about 150 bytes, so 30 MB. Past it the cache starts
// over; a miss costs one Badger read.
const maxContactPairs = 200_000

// contacts caches store.Contacts for the send path, which asks on every
// send whether the recipient has ever written to the sender (a stranger's
// envelopes count against the smaller mailbox shares) and records that
// the sender has now written to the recipient. Every record is made
// through this cache, so an entry, true or false, stays right until the
// cache starts over.
type contacts struct {
	st    store.Contacts
	mu    sync.Mutex
	known map[[2]string]bool // {person, peer}: person has sent to peer
}

func newContacts(st store.Contacts) *contacts {
	return &contacts{st: st, known: make(map[[2]string]bool)}
}

// wrote reports whether person has ever sent to peer.
func (c *contacts) wrote(ctx context.Context, person, peer string) (bool, error) {
	k := [2]string{person, peer}
	c.mu.Lock()
	v, ok := c.known[k]
	c.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := c.st.Wrote(ctx, person, peer)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	if _, ok := c.known[k]; !ok { // a mark made meanwhile wins
		c.remember(k, v)
	}
	c.mu.Unlock()
	return v, nil
}

// mark records that person has sent to peer, once.
func (c *contacts) mark(ctx context.Context, person, peer string) error {
	k := [2]string{person, peer}
	c.mu.Lock()
	done := c.known[k]
	c.mu.Unlock()
	if done {
		return nil
	}
	if err := c.st.MarkWrote(ctx, person, peer); err != nil {
		return err
	}
	c.mu.Lock()
	c.remember(k, true)
	c.mu.Unlock()
	return nil
}

// remember caches v for k. c.mu is held.
func (c *contacts) remember(k [2]string, v bool) {
	if len(c.known) >= maxContactPairs {
		clear(c.known)
	}
	c.known[k] = v
}
