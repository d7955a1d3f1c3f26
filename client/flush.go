package client

import (
	"context"
	"errors"
	"sort"
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
	it.notBefore = c.now().Add(c.backoff(it.attempts)).UnixNano()
	it.attempts++
}

// flushRound is what one pass over the outbox found to do outside the
// lock.
type flushRound struct {
	frames    []*wire.SendFrame
	fetch     need
	mismatch  []*wire.Error // device_mismatch answers to resolve
	waiting   []uint64      // items that wait for the fetches and mismatches
	next      int64         // the earliest backed-off item, Unix ns; 0: none
	resealing bool          // ciphertexts wait for a commit; it wakes the flusher
}

// flush sends every outbox item that is due on lc, in outbox order, and
// returns when it is done or the window is full. It returns the time of
// the next retry in Unix nanoseconds, 0 if none. One pass seals every item that needs it
// in one tx; the items it sealed go out on the pass after their commit.
func (c *Client) flush(ctx context.Context, lc *liveConn) (int64, error) {
	for round := 0; ; round++ {
		var r flushRound
		_, err := c.update(ctx, nil, func(t *tx) error {
			r = flushRound{fetch: need{}}
			return c.flushPass(t, lc, &r)
		})
		if err != nil {
			return 0, err
		}
		for _, f := range r.frames {
			b, err := wire.Encode(f)
			if err != nil {
				return r.next, err
			}
			if err := lc.write(ctx, b); err != nil {
				return r.next, err
			}
		}
		if len(r.fetch) == 0 && len(r.mismatch) == 0 {
			return r.next, nil
		}
		err = errTooManyRounds // the devices keep changing: back off
		if round < maxMismatchRounds {
			err = nil
			for _, m := range r.mismatch {
				if err == nil {
					err = c.resolveMismatch(ctx, m)
				}
			}
			if err == nil && len(r.fetch) > 0 {
				err = c.fetchBundles(ctx, r.fetch)
			}
		}
		if err != nil {
			if errors.Is(err, ErrNotSignedIn) || errors.Is(err, ErrClosed) || ctx.Err() != nil {
				return 0, err
			}
			if err := c.failedTry(ctx, r.waiting, err); err != nil {
				return 0, err
			}
		}
	}
}

// flushPass looks at every outbox item once, under c.mu: it seals what
// needs sealing in t, and collects the frames of items that are durable,
// the bundles to fetch and the mismatches to resolve. Its changes to
// items happen when t is staged, as fn of update may run more than once.
func (c *Client) flushPass(t *tx, lc *liveConn, r *flushRound) error {
	if c.live != lc || c.closed || c.acct == nil {
		return nil
	}
	seqs := make([]uint64, 0, len(c.outbox))
	for s, it := range c.outbox {
		if !it.inflight {
			seqs = append(seqs, s)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] }) // not slices.Sort: see sortKVs
	now := c.now().UnixNano()
	window := maxInflight - len(lc.inflight)
	var sending, resolving []*outboxItem
	for _, seq := range seqs {
		it := c.outbox[seq]
		if len(r.frames) >= window {
			break
		}
		if it.notBefore > now {
			if r.next == 0 || it.notBefore < r.next {
				r.next = it.notBefore
			}
			continue
		}
		if m := it.mismatch; m != nil {
			r.mismatch = append(r.mismatch, m)
			r.waiting = append(r.waiting, seq)
			resolving = append(resolving, it)
			continue
		}
		blocked, err := t.blocked(it)
		if errors.Is(err, errMiss) || blocked {
			continue // a miss: one fetch brings every item's
		}
		if err != nil {
			return err
		}
		f, n, resealed, complete, err := t.prepare(it)
		switch {
		case errors.Is(err, errMiss):
			// As above; the pass runs again.
		case stateError(err):
			return err
		case err != nil:
			if err := t.failItem(it, err); err != nil {
				return err
			}
		case n != nil:
			r.fetch.add(n)
			r.waiting = append(r.waiting, seq)
		case complete:
			if err := t.complete(it); err != nil {
				return err
			}
		case resealed, it.gen > c.durableGen:
			// Sealed by a commit still being written: it wakes the
			// flusher when it is done.
		default:
			r.frames = append(r.frames, f)
			sending = append(sending, it)
		}
	}
	t.staged = append(t.staged, func() {
		for _, it := range resolving {
			it.mismatch = nil
		}
		for i, it := range sending {
			it.inflight = true
			lc.inflight[r.frames[i].ID] = it.Seq
		}
	})
	return nil
}

// errTooManyRounds backs off items whose devices changed again on every
// fetch of one flush.
var errTooManyRounds = errors.New("client: the devices keep changing")

// failedTry handles an error fetching devices or bundles for the items
// that waited for them: one that may pass backs them off, one that will
// not gives them up.
func (c *Client) failedTry(ctx context.Context, seqs []uint64, err error) error {
	_, uerr := c.update(ctx, nil, func(t *tx) error {
		for _, seq := range seqs {
			if it := c.outbox[seq]; it != nil && !it.inflight {
				if err := t.failItem(it, err); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return uerr
}

// failItem gives up on it for an error no retry can fix, and backs it off
// for any other.
func (t *tx) failItem(it *outboxItem, err error) error {
	if permanent(err) {
		return t.giveUp(it)
	}
	t.staged = append(t.staged, func() { t.c.retryLater(it) })
	return nil
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

// giveUp drops an item the relay will never take; its message, if it is
// one, shows as failed.
func (t *tx) giveUp(it *outboxItem) error { return t.finish(it, StatusFailed) }

// complete takes an item the relay has stored out of the outbox; its
// message, if it is one, is sent ✓.
func (t *tx) complete(it *outboxItem) error { return t.finish(it, StatusSent) }

func (t *tx) finish(it *outboxItem, status Status) error {
	t.del(outboxKey(it.Seq))
	t.staged = append(t.staged, func() { delete(t.c.outbox, it.Seq) })
	if it.Kind != KindText && it.Kind != KindFile {
		return nil
	}
	// Send made the message with the item's id and time, so its order key
	// is known.
	return t.advanceStatusAt(it.To, []string{it.ID}, []string{orderKey(it.TS, it.ID)}, status)
}

// onSent handles the relay's "sent" answers to requests of lc: the items
// leave the outbox in one tx. Nothing waits for its commit: after a
// crash the items are sent again, and the relay drops the copies.
func (c *Client) onSent(ctx context.Context, lc *liveConn, ids []string) error {
	_, err := c.update(ctx, nil, func(t *tx) error {
		var done []*outboxItem
		for _, id := range ids {
			seq, ok := lc.inflight[id]
			if !ok {
				continue // a typing indicator, or an answer to a request of before
			}
			it := c.outbox[seq]
			if it == nil {
				continue
			}
			if err := t.complete(it); err != nil {
				return err
			}
			done = append(done, it)
		}
		t.staged = append(t.staged, func() {
			for _, id := range ids {
				delete(lc.inflight, id)
			}
			for _, it := range done {
				it.inflight = false
			}
			c.wake()
		})
		return nil
	})
	return err
}

// onSendError handles an error answer to a request of lc.
func (c *Client) onSendError(ctx context.Context, lc *liveConn, id string, e *wire.Error) error {
	_, err := c.update(ctx, nil, func(t *tx) error {
		seq, ok := lc.inflight[id]
		if !ok {
			return nil
		}
		it := c.outbox[seq]
		giveUp := it != nil && e.Code != wire.CodeDeviceMismatch && permanent(e)
		if giveUp {
			if err := t.giveUp(it); err != nil {
				return err
			}
		}
		t.staged = append(t.staged, func() {
			delete(lc.inflight, id)
			c.wake()
			switch {
			case it == nil || giveUp:
			case e.Code == wire.CodeDeviceMismatch:
				it.inflight, it.mismatch = false, e
			default:
				it.inflight = false
				c.retryLater(it)
				if at := c.now().Add(time.Duration(e.RetryAfter) * time.Second).UnixNano(); at > it.notBefore {
					it.notBefore = at
				}
			}
		})
		return nil
	})
	return err
}
