package client

import (
	"context"
	"errors"
	"slices"
	"time"

	"sambung/crypto"
	"sambung/wire"
)

// backoff returns the delay before try attempt (0-based): exponential
// from MinBackoff to MaxBackoff with full jitter in its upper half, so
// clients that failed together do not retry together.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.cfg.MinBackoff
	for i := 0; i < attempt && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	var b [8]byte
	if _, err := c.cfg.Rand.Read(b[:]); err != nil {
		return d
	}
	var r uint64
	for _, x := range b {
		r = r<<8 | uint64(x)
	}
	half := d / 2
	return half + time.Duration(r%uint64(half+1))
}

// retryLater schedules it after a backoff. Under c.mu.
func (c *Client) retryLater(it *outboxItem) {
	it.notBefore = c.now().Add(c.backoff(it.attempts))
	it.attempts++
}

// flush sends every outbox item that is due on lc, in outbox order, and
// returns when it is done or the window is full. It returns the time of
// the next retry, zero if none.
func (c *Client) flush(ctx context.Context, lc *liveConn) (time.Time, error) {
	c.mu.Lock()
	seqs := make([]uint64, 0, len(c.outbox))
	for s := range c.outbox {
		seqs = append(seqs, s)
	}
	c.mu.Unlock()
	slices.Sort(seqs)
	var next time.Time
	for _, seq := range seqs {
		if ctx.Err() != nil {
			return next, ctx.Err()
		}
		f, retryAt, err := c.flushOne(ctx, lc, seq)
		if err != nil {
			return next, err
		}
		if !retryAt.IsZero() && (next.IsZero() || retryAt.Before(next)) {
			next = retryAt
		}
		if f == nil {
			continue
		}
		b, err := wire.Encode(f)
		if err != nil {
			return next, err
		}
		if err := lc.write(ctx, b); err != nil {
			return next, err
		}
	}
	return next, nil
}

// flushOne prepares item seq for sending, fetching bundles and resolving
// a device mismatch on the way. It returns the frame to send, or nil and
// when to look again.
func (c *Client) flushOne(ctx context.Context, lc *liveConn, seq uint64) (*wire.SendFrame, time.Time, error) {
	for round := 0; ; round++ {
		c.mu.Lock()
		it := c.outbox[seq]
		if it == nil || it.inflight || c.live != lc || c.closed {
			c.mu.Unlock()
			return nil, time.Time{}, nil
		}
		if now := c.now(); it.notBefore.After(now) {
			c.mu.Unlock()
			return nil, it.notBefore, nil
		}
		if len(lc.inflight) >= maxInflight {
			c.mu.Unlock()
			return nil, time.Time{}, nil
		}
		if round >= maxMismatchRounds {
			c.retryLater(it)
			at := it.notBefore
			c.mu.Unlock()
			return nil, at, nil
		}
		if m := it.mismatch; m != nil {
			it.mismatch = nil
			c.mu.Unlock()
			if err := c.resolveMismatch(ctx, m); err != nil {
				return c.failedTry(seq, err)
			}
			continue
		}
		f, n, err := c.prepare(ctx, it)
		if err == nil && n == nil && f == nil {
			c.mu.Unlock()
			return nil, time.Time{}, nil
		}
		if err == nil && n == nil {
			it.inflight = true
			lc.inflight[f.ID] = seq
		}
		c.mu.Unlock()
		switch {
		case errors.Is(err, errBlocked):
			return nil, time.Time{}, nil
		case err != nil:
			return c.failedTry(seq, err)
		case n != nil:
			if err := c.fetchBundles(ctx, n); err != nil {
				return c.failedTry(seq, err)
			}
			continue
		}
		return f, time.Time{}, nil
	}
}

// failedTry schedules a retry of seq after an error that may pass, and
// gives up on the item for an error that will not.
func (c *Client) failedTry(seq uint64, err error) (*wire.SendFrame, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it := c.outbox[seq]
	if it == nil {
		return nil, time.Time{}, nil
	}
	if errors.Is(err, ErrNotSignedIn) || errors.Is(err, ErrClosed) {
		return nil, time.Time{}, err
	}
	if permanent(err) {
		return nil, time.Time{}, c.giveUpLocked(it)
	}
	c.retryLater(it)
	return nil, it.notBefore, nil
}

// permanent reports errors that a retry cannot fix.
func permanent(err error) bool {
	var we *wire.Error
	if errors.As(err, &we) {
		switch we.Code {
		case wire.CodeUnknownPerson, wire.CodeUnknownAddress, wire.CodeBadFrame, wire.CodeBadRequest,
			wire.CodeEnvelopeTooLarge, wire.CodeTooManyEnvelopes, wire.CodeBadKeys:
			return true
		}
		return false
	}
	return errors.Is(err, crypto.ErrBadSignature) || errors.Is(err, crypto.ErrBadKey) ||
		errors.Is(err, crypto.ErrMessageTooLarge)
}

// giveUpLocked drops an item the relay will never take; its message, if
// it is one, shows as failed.
func (c *Client) giveUpLocked(it *outboxItem) error {
	t := c.newTx(context.Background())
	t.del(outboxKey(it.Seq))
	if it.Kind == KindText {
		m, err := t.message(it.To, it.ID)
		if err != nil {
			return err
		}
		if m != nil && m.Status == StatusPending {
			m.Status = StatusFailed
			t.putJSON(msgKey(it.To, m.Order), m)
			t.emit(ReceiptEvent{Type: EventReceipt, ConversationID: it.To, MessageIDs: []string{it.ID}, Status: StatusFailed})
		}
	}
	if err := t.commit(); err != nil {
		return err
	}
	delete(c.outbox, it.Seq)
	return nil
}

// completeLocked takes an item the relay has stored out of the outbox;
// its message, if it is one, is sent ✓.
func (c *Client) completeLocked(ctx context.Context, it *outboxItem) error {
	t := c.newTx(ctx)
	t.del(outboxKey(it.Seq))
	if it.Kind == KindText {
		// Send made the message with the item's id and time, so its
		// order key is known.
		if err := t.advanceStatusAt(it.To, []string{it.ID}, []string{orderKey(it.TS, it.ID)}, StatusSent); err != nil {
			return err
		}
	}
	if err := t.commit(); err != nil {
		return err
	}
	delete(c.outbox, it.Seq)
	return nil
}

// onSent handles the relay's "sent" for a request of lc.
func (c *Client) onSent(ctx context.Context, lc *liveConn, id string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq, ok := lc.inflight[id]
	if !ok {
		return nil // a typing indicator, or an answer to a request of before
	}
	delete(lc.inflight, id)
	it := c.outbox[seq]
	if it == nil {
		return nil
	}
	it.inflight = false
	if err := c.completeLocked(ctx, it); err != nil {
		return err
	}
	c.wake()
	return nil
}

// onSendError handles an error answer to a request of lc.
func (c *Client) onSendError(lc *liveConn, id string, e *wire.Error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	seq, ok := lc.inflight[id]
	if !ok {
		return nil
	}
	delete(lc.inflight, id)
	it := c.outbox[seq]
	if it == nil {
		return nil
	}
	it.inflight = false
	defer c.wake()
	switch {
	case e.Code == wire.CodeDeviceMismatch:
		it.mismatch = e
		return nil
	case permanent(e):
		return c.giveUpLocked(it)
	}
	c.retryLater(it)
	if e.RetryAfter > 0 {
		if at := c.now().Add(time.Duration(e.RetryAfter) * time.Second); at.After(it.notBefore) {
			it.notBefore = at
		}
	}
	return nil
}
