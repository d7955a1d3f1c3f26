//go:build !js

package relay

import (
	"sync"

	"github.com/coder/websocket"

	"sambung/relay/store"
	"sambung/wire"
)

// hub knows which connections are open for which mailbox. A send hands
// each committed envelope to them; their pushers take it from memory, or
// read the store when they have fallen behind.
type hub struct {
	max     int
	metrics *metrics
	mu      sync.Mutex
	conns   map[store.MailboxID][]*conn
}

func newHub(maxPerDevice int, m *metrics) *hub {
	return &hub{max: maxPerDevice, metrics: m, conns: make(map[store.MailboxID][]*conn)}
}

// add registers c unless its device has the most connections allowed.
func (h *hub) add(c *conn) bool {
	m := c.dev.mailbox()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.conns[m]) >= h.max {
		return false
	}
	h.conns[m] = append(h.conns[m], c)
	h.metrics.connections.Add(1)
	return true
}

func (h *hub) remove(c *conn) {
	m := c.dev.mailbox()
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.conns[m]
	for i, x := range list {
		if x == c {
			list = append(list[:i:i], list[i+1:]...)
			h.metrics.connections.Add(-1)
			break
		}
	}
	if len(list) == 0 {
		delete(h.conns, m)
	} else {
		h.conns[m] = list
	}
}

// each runs fn for every connection of m, outside the lock.
func (h *hub) each(m store.MailboxID, fn func(*conn)) {
	h.mu.Lock()
	list := append([]*conn(nil), h.conns[m]...)
	h.mu.Unlock()
	for _, c := range list {
		fn(c)
	}
}

// deliver hands the envelopes of one commit to their mailboxes' open
// connections, and only then wakes their pushers, so that each sends what
// the commit brought it in one frame. It is the store's OnCommit: it runs
// on the writer goroutine and does not block (mu, then each conn's mu,
// are held only briefly).
func (h *hub) deliver(stored []*store.Append) {
	var woken []*conn
	h.mu.Lock()
	for _, a := range stored {
		for _, c := range h.conns[a.To] {
			c.mu.Lock()
			c.deliver(&a.Envelope)
			if !c.memWoken {
				c.memWoken = true
				woken = append(woken, c)
			}
			c.mu.Unlock()
		}
	}
	h.mu.Unlock()
	for _, c := range woken {
		c.mu.Lock()
		c.memWoken = false
		c.mu.Unlock()
		c.wakeUp()
	}
}

// stale tells m's connections to look in the store for news.
func (h *hub) stale(m store.MailboxID) { h.each(m, (*conn).markStale) }

// acked makes every connection of m forget seqs it had in flight: an ack
// on one connection deletes the envelope for all of them.
func (h *hub) acked(m store.MailboxID, seqs []uint64) {
	h.each(m, func(c *conn) { c.forget(seqs) })
}

// send writes f to every connection of m, in the background.
func (h *hub) send(m store.MailboxID, f wire.Frame) {
	h.each(m, func(c *conn) { go c.write(f) })
}

// keysLow tells m's connections to upload one-time prekeys.
func (h *hub) keysLow(m store.MailboxID, left int) {
	h.each(m, func(c *conn) { go c.write(&wire.KeysLowFrame{Count: left}) })
}

// kick closes m's connections with code, e.g. when the device is removed.
func (h *hub) kick(m store.MailboxID, code wire.Code) {
	h.each(m, func(c *conn) { go c.fail(code, websocket.StatusPolicyViolation) })
}

// closeAll closes every connection, for shutdown.
func (h *hub) closeAll(code wire.Code) {
	h.mu.Lock()
	var all []*conn
	for _, list := range h.conns {
		all = append(all, list...)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.fail(code, websocket.StatusGoingAway)
		}()
	}
	wg.Wait()
}
