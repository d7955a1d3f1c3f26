//go:build !js

package relay

// Delivery of a mailbox over a connection: the pusher that sends
// envelopes in order, and the deleter that commits their acks.

import (
	"context"
	"slices"

	"github.com/coder/websocket"

	"sambung/wire"
)

// deliver hands the pusher an envelope that has just been committed to
// this connection's mailbox, or marks the store stale when mem is full.
// The caller holds mu and wakes the pusher.
func (c *conn) deliver(e *wire.Envelope) {
	if len(c.mem) >= memEnvelopes || c.memSize+len(e.Body) > memBytes {
		c.stale = true
	} else {
		// Commits come in seq order; a gap-filling store read may have
		// come between: keep mem sorted all the same.
		i := len(c.mem)
		for i > 0 && c.mem[i-1].Seq > e.Seq {
			i--
		}
		c.mem = slices.Insert(c.mem, i, *e)
		c.memSize += len(e.Body)
	}
}

// markStale makes the pusher read the store on its next turn.
func (c *conn) markStale() {
	c.mu.Lock()
	c.stale = true
	c.mu.Unlock()
	c.wakeUp()
}

// takeMem returns the envelopes of mem that continue cursor without a gap,
// at most limit of them and about maxBytes of bodies, and drops those at or
// before cursor. fromStore says mem cannot continue the cursor and the store
// may hold more: the caller reads it. Called with mu held.
func (c *conn) takeMem(cursor uint64, limit, maxBytes int) (envs []wire.Envelope, fromStore bool) {
	n := 0
	for n < len(c.mem) && c.mem[n].Seq <= cursor {
		c.memSize -= len(c.mem[n].Body)
		n++
	}
	c.mem = slices.Delete(c.mem, 0, n)
	size := 0
	n = 0
	for n < len(c.mem) && n < limit && (size < maxBytes || n == 0) && c.mem[n].Seq == cursor+uint64(n)+1 {
		size += len(c.mem[n].Body)
		n++
	}
	if n > 0 {
		envs = slices.Clone(c.mem[:n])
		c.mem = slices.Delete(c.mem, 0, n)
		c.memSize -= size
		return envs, false
	}
	// A gap: envelopes deleted by an ack on another connection of the
	// device, or handed over out of order. The store knows.
	return nil, c.stale || len(c.mem) > 0
}

// forget drops acknowledged seqs from the in-flight window.
func (c *conn) forget(seqs []uint64) {
	c.mu.Lock()
	for _, s := range seqs {
		delete(c.inflight, s)
	}
	c.mu.Unlock()
	c.wakeUp()
}

// maxPendingAcks bounds seqs waiting for deletion per connection: beyond
// it the reader waits for the deleter, so a client acking faster than the
// disk cannot grow memory.
const maxPendingAcks = 4 * wire.MaxAckSeqs

// ack hands acknowledged seqs to the connection's deleter and returns at
// once, so the reader goes on to the next frame (a send, say) without
// waiting for the delete's flush. One deleter per connection runs while
// acks are pending, merging them into one writer request per flush.
func (s *Server) ack(c *conn, seqs []uint64) wire.Frame {
	s.hub.acked(c.dev.mailbox(), seqs)
	c.ackMu.Lock()
	for len(c.ackPending) >= maxPendingAcks {
		c.ackMu.Unlock()
		select {
		case <-c.ackDone:
		case <-c.ctx.Done():
			return nil
		}
		c.ackMu.Lock()
	}
	c.ackPending = append(c.ackPending, seqs...)
	if !c.ackRunning {
		c.ackRunning = true
		s.conns.Add(1) // Close waits for acknowledged deletes to commit
		go s.runDeletes(c)
	}
	c.ackMu.Unlock()
	return nil
}

// waitDeletes returns once every ack received so far is committed: a ping
// is a barrier, so a client that must know its acks are durable (before it
// closes, say) pings and waits for the pong.
func (c *conn) waitDeletes() {
	for {
		c.ackMu.Lock()
		running := c.ackRunning
		c.ackMu.Unlock()
		if !running {
			return
		}
		select {
		case <-c.ackDone:
		case <-c.ctx.Done():
			return
		}
	}
}

// runDeletes commits pending acks until none are left. It uses its own
// context: an ack the client sent must be committed even if the
// connection drops meanwhile.
func (s *Server) runDeletes(c *conn) {
	defer s.conns.Done()
	m := c.dev.mailbox()
	for {
		c.ackMu.Lock()
		seqs := c.ackPending
		c.ackPending = nil
		if len(seqs) == 0 {
			c.ackRunning = false
			c.ackMu.Unlock()
			select { // wake a waitDeletes that saw ackRunning still set
			case c.ackDone <- struct{}{}:
			default:
			}
			return
		}
		c.ackMu.Unlock()
		n, err := s.st.Delete(context.Background(), m, seqs)
		s.metrics.acked.Add(int64(n))
		select {
		case c.ackDone <- struct{}{}:
		default:
		}
		if err != nil && c.ctx.Err() == nil {
			c.write(&wire.ErrorFrame{Error: *s.toWire(err)})
		}
	}
}

// push sends the mailbox to the device in order: the backlog first, then
// new envelopes as sends hand them over. It keeps at most PushWindow
// envelopes unacknowledged; it takes new envelopes from the connection's
// bounded mem while they continue its cursor, and reads the store for the
// backlog and whenever mem has a gap or overflowed, so a slow device costs a
// cursor, a window of seqs and at most memBytes, not a queue.
func (s *Server) push(c *conn) {
	m := c.dev.mailbox()
	var cursor uint64
	drained := false
	for {
		c.mu.Lock()
		space := s.cfg.PushWindow - len(c.inflight)
		var envs []wire.Envelope
		fromStore := false
		if space > 0 {
			envs, fromStore = c.takeMem(cursor, min(space, pushBatch), pushBytes)
			if fromStore {
				// Cleared before the read: an envelope mem loses from
				// here on sets it again; one lost before is committed
				// before the read's snapshot, so the read sees it.
				c.stale = false
			}
		}
		c.mu.Unlock()
		if fromStore {
			limit := min(space, pushBatch)
			var err error
			envs, err = s.st.Read(c.ctx, m, cursor, limit, pushBytes)
			if err != nil {
				if c.ctx.Err() == nil {
					s.log.Error("read mailbox", "mailbox", m.String(), "err", err)
					c.fail(wire.CodeInternal, websocket.StatusInternalError)
				}
				return
			}
			size := 0
			for i := range envs {
				size += len(envs[i].Body)
			}
			if len(envs) >= limit || size >= pushBytes {
				c.markStale() // the read stopped at a bound: there may be more
			}
		}
		if len(envs) > 0 {
			frame := &wire.EnvelopesFrame{Envelopes: envs}
			c.mu.Lock()
			for _, e := range envs {
				c.inflight[e.Seq] = struct{}{}
			}
			c.mu.Unlock()
			cursor = envs[len(envs)-1].Seq
			if c.write(frame) != nil {
				return
			}
			s.metrics.envelopesOut.Add(int64(len(envs)))
			continue
		}
		if space > 0 && !drained {
			drained = true
			if c.write(&wire.DrainedFrame{}) != nil {
				return
			}
		}
		select {
		case <-c.wake:
		case <-c.ctx.Done():
			return
		}
	}
}
