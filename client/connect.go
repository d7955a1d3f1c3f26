package client

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"sambung/wire"
)

// authTimeout bounds the dial and the wait for "ready": the relay itself
// gives a connection 10 seconds to authenticate.
const authTimeout = 10 * time.Second

// liveConn is one authenticated websocket.
type liveConn struct {
	conn     Conn
	wmu      sync.Mutex
	inflight map[string]uint64 // send request id → outbox seq; under Client.mu
	acks     chan pendingAck   // received batches for the acker
	lastRead atomic.Int64      // Unix nanoseconds of the last frame read
	wg       sync.WaitGroup    // goroutines that end with the connection
}

func (lc *liveConn) write(ctx context.Context, b []byte) error {
	lc.wmu.Lock()
	defer lc.wmu.Unlock()
	return lc.conn.Write(ctx, b)
}

// dropConnLocked closes the current connection; Connect notices and
// reconnects (or stops, if signed out or closed).
func (c *Client) dropConnLocked() {
	if c.live != nil {
		c.live.conn.Close()
	}
}

// Start keeps this device connected to the relay whenever it is signed
// in, until ctx ends or Close: it connects now when the storage holds a
// device, again after every sign-in, and stops at sign-out or when the
// relay removed the device. It returns at once; StatusEvents report the
// connection. This is what an app wants; Connect is the same loop for one
// signed-in run.
func (c *Client) Start(ctx context.Context) {
	c.mu.Lock()
	if c.started || c.closed {
		c.mu.Unlock()
		return
	}
	c.started = true
	c.mu.Unlock()
	go c.supervise(ctx)
}

// supervise runs Connect while signed in, and waits for a sign-in while
// not.
func (c *Client) supervise(ctx context.Context) {
	for {
		err := c.Connect(ctx)
		if errors.Is(err, ErrClosed) || ctx.Err() != nil {
			return
		}
		select {
		case <-c.signedInKick:
		case <-ctx.Done():
			return
		case <-c.closing:
			return
		}
	}
}

// Connect keeps this device connected to the relay until ctx ends, Close
// is called or the device is signed out: it authenticates, receives the
// backlog and then live envelopes, flushes the outbox, and reconnects
// with jittered exponential backoff. It reports every change of state as
// a StatusEvent. It returns ErrClosed after Close, ErrNotSignedIn or
// ErrDeviceRemoved when there is no device to connect as, or ctx's error.
func (c *Client) Connect(ctx context.Context) error {
	c.mu.Lock()
	if _, err := c.signedIn(); err != nil {
		c.mu.Unlock()
		return err
	}
	if c.cfg.Dialer == nil {
		c.mu.Unlock()
		return ErrBadInput.with(errors.New("config has no Dialer"))
	}
	if c.running {
		c.mu.Unlock()
		return ErrBadInput.with(errors.New("Connect is already running"))
	}
	ctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	c.running, c.stop, c.stopped = true, cancel, stopped
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		c.running, c.stop, c.stopped = false, nil, nil
		c.mu.Unlock()
		cancel()
		close(stopped)
	}()

	for attempt := 0; ; attempt++ {
		c.events.push(StatusEvent{State: StateConnecting})
		online, err := c.runConn(ctx)
		c.mu.Lock()
		closed := c.closed
		c.mu.Unlock()
		switch {
		case closed:
			return ErrClosed
		case ctx.Err() != nil:
			c.events.push(StatusEvent{State: StateOffline})
			return ctx.Err()
		case errors.Is(err, ErrNotSignedIn), errors.Is(err, ErrDeviceRemoved):
			c.events.push(StatusEvent{State: StateOffline, Err: err.Error()})
			return err
		}
		if online {
			attempt = 0
		}
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		c.events.push(StatusEvent{State: StateOffline, Err: msg})
		timer := time.NewTimer(c.backoff(attempt))
		select {
		case <-ctx.Done():
			timer.Stop()
		case <-timer.C:
		}
	}
}

// runConn runs one connection until it breaks. online reports whether it
// got as far as "ready".
func (c *Client) runConn(ctx context.Context) (online bool, err error) {
	c.mu.Lock()
	a, err := c.signedIn()
	var token []byte
	if err == nil {
		token = a.Token
	}
	c.mu.Unlock()
	if err != nil {
		return false, err
	}
	// A timer, not context.WithTimeout: a deadline context would bring
	// every method of time.Time (formatting, zones) into the wasm module.
	dctx, dcancel := context.WithCancel(ctx)
	defer dcancel()
	deadline := time.AfterFunc(authTimeout, dcancel)
	defer deadline.Stop()
	conn, err := c.cfg.Dialer.Dial(dctx)
	if err != nil {
		return false, ErrNetwork.with(err)
	}
	defer conn.Close()
	if err := c.authenticate(dctx, conn, token); err != nil {
		return false, err
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	lc := &liveConn{conn: conn, inflight: map[string]uint64{}, acks: make(chan pendingAck, maxPendingAcks)}
	lc.lastRead.Store(time.Now().UnixNano())
	c.mu.Lock()
	if c.closed || c.acct == nil {
		c.mu.Unlock()
		return false, ErrClosed
	}
	c.live = lc
	for _, it := range c.outbox {
		it.inflight, it.notBefore, it.attempts = false, 0, 0
	}
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if c.live == lc {
			c.live = nil
		}
		for _, it := range c.outbox {
			it.inflight = false
		}
		c.mu.Unlock()
	}()
	c.events.push(StatusEvent{State: StateOnline})

	lc.wg.Add(4)
	go func() { defer lc.wg.Done(); c.flusher(cctx, lc) }()
	go func() { defer lc.wg.Done(); c.acker(cctx, lc) }()
	go func() { defer lc.wg.Done(); c.pinger(cctx, lc) }()
	go func() {
		defer lc.wg.Done()
		_ = c.refreshMe(cctx)
		_ = c.rotateSignedPreKey(cctx)
		_ = c.pruneSeen(cctx)
	}()
	c.wake()
	err = c.readLoop(cctx, lc)
	cancel()
	conn.Close()
	lc.wg.Wait()
	return true, err
}

// authenticate sends the auth frame and waits for "ready". An
// unauthorized or device_removed answer means this device is gone: its
// state is wiped and ErrDeviceRemoved returned.
func (c *Client) authenticate(ctx context.Context, conn Conn, token []byte) error {
	b, err := wire.Encode(&wire.AuthFrame{Token: token})
	if err != nil {
		return err
	}
	if err := conn.Write(ctx, b); err != nil {
		return ErrNetwork.with(err)
	}
	for {
		b, err := conn.Read(ctx)
		if err != nil {
			return ErrNetwork.with(err)
		}
		f, err := wire.DecodeServerFrame(b)
		if err != nil {
			continue
		}
		switch f := f.(type) {
		case *wire.ReadyFrame:
			return nil
		case *wire.ErrorFrame:
			return c.connError(ctx, &f.Error)
		}
	}
}

// connError turns an error frame that is about the connection into the
// error that ends it.
func (c *Client) connError(ctx context.Context, e *wire.Error) error {
	switch e.Code {
	case wire.CodeUnauthorized, wire.CodeDeviceRemoved:
		if err := c.wipe(context.WithoutCancel(ctx)); err != nil {
			return err
		}
		return ErrDeviceRemoved.with(e)
	}
	return e
}

// maxReceiveBatch bounds the envelopes of frames that arrived together
// and are handled as one batch: one tx, one storage write, one ack.
const maxReceiveBatch = 1024

// readFrames reads and decodes frames into frames until the connection
// breaks; the error goes to errc.
func (c *Client) readFrames(ctx context.Context, lc *liveConn, frames chan<- wire.Frame, errc chan<- error) {
	for {
		b, err := lc.conn.Read(ctx)
		if err != nil {
			errc <- err
			return
		}
		lc.lastRead.Store(time.Now().UnixNano())
		f, err := wire.DecodeServerFrame(b)
		if err != nil {
			continue // a frame type of a later relay
		}
		select {
		case frames <- f:
		case <-ctx.Done():
			return
		}
	}
}

// readLoop handles frames until the connection breaks. Frames that
// arrived together are handled together: the envelopes of consecutive
// envelopes frames are one receive batch, and consecutive "sent" answers
// one tx.
func (c *Client) readLoop(ctx context.Context, lc *liveConn) error {
	frames := make(chan wire.Frame, 64)
	errc := make(chan error, 1)
	lc.wg.Add(1)
	go func() { defer lc.wg.Done(); c.readFrames(ctx, lc, frames, errc) }()
	var next wire.Frame
	for {
		f := next
		next = nil
		if f == nil {
			select {
			case f = <-frames:
			case err := <-errc:
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return ErrNetwork.with(err)
			}
		}
		var envs []wire.Envelope
		var sent []string
		for f != nil {
			switch g := f.(type) {
			case *wire.EnvelopesFrame:
				envs = append(envs, g.Envelopes...)
			case *wire.SentFrame:
				sent = append(sent, g.ID)
			default:
				next = f
			}
			f = nil
			if next == nil && len(envs) < maxReceiveBatch {
				select {
				case f = <-frames:
				default:
				}
			}
		}
		if len(sent) > 0 {
			if err := c.onSent(ctx, lc, sent); err != nil {
				return err
			}
		}
		if len(envs) > 0 {
			b, seqs, err := c.receive(ctx, envs)
			if err != nil {
				return err
			}
			// The next frames are read while this batch is written; the
			// acker acknowledges it once it is durable.
			select {
			case lc.acks <- pendingAck{b, seqs}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if next == nil {
			continue
		}
		switch g := next.(type) {
		case *wire.ErrorFrame:
			next = nil
			if g.ID != "" {
				if err := c.onSendError(ctx, lc, g.ID, &g.Error); err != nil {
					return err
				}
				continue
			}
			switch g.Code {
			case wire.CodeUnauthorized, wire.CodeDeviceRemoved, wire.CodeGoingAway:
				return c.connError(ctx, &g.Error)
			}
		case *wire.KeysLowFrame:
			next = nil
			c.startTopUp(ctx, lc, g.Count)
		case *wire.AlertFrame:
			next = nil
			c.events.push(AlertEvent{Kind: g.Kind, Count: g.Count})
		default:
			next = nil
		}
	}
}

// pendingAck is a received batch whose seqs are acknowledged once it is
// durable.
type pendingAck struct {
	b    *batch // nil: nothing was written
	seqs []uint64
}

// maxPendingAcks bounds the received batches being written at once: the
// read loop waits beyond it, so a fast relay cannot run the client out of
// memory.
const maxPendingAcks = 64

// acker sends the acks of received batches, in order, once each is
// durable; the seqs of every batch already durable go in one frame. A
// batch whose write failed ends the connection: the relay pushes its
// envelopes again.
func (c *Client) acker(ctx context.Context, lc *liveConn) {
	var seqs []uint64
	for {
		var p pendingAck
		if len(seqs) == 0 {
			select {
			case p = <-lc.acks:
			case <-ctx.Done():
				return
			}
		} else {
			select {
			case p = <-lc.acks:
			default:
				if !c.writeAcks(ctx, lc, seqs) {
					return
				}
				seqs = seqs[:0]
				continue
			}
		}
		if p.b != nil {
			if err := p.b.wait(ctx); err != nil {
				lc.conn.Close()
				return
			}
		}
		seqs = append(seqs, p.seqs...)
	}
}

// writeAcks acknowledges seqs in frames of at most wire.MaxAckSeqs.
func (c *Client) writeAcks(ctx context.Context, lc *liveConn, seqs []uint64) bool {
	for len(seqs) > 0 {
		n := min(len(seqs), wire.MaxAckSeqs)
		b, err := wire.Encode(&wire.AckFrame{Seqs: seqs[:n]})
		if err == nil {
			err = lc.write(ctx, b)
		}
		if err != nil {
			lc.conn.Close()
			return false
		}
		seqs = seqs[n:]
	}
	return true
}

// startTopUp uploads prekeys in the background while lc lives, one
// top-up at a time.
func (c *Client) startTopUp(ctx context.Context, lc *liveConn, have int) {
	c.mu.Lock()
	if c.topping {
		c.mu.Unlock()
		return
	}
	c.topping = true
	c.mu.Unlock()
	lc.wg.Add(1)
	go func() {
		defer lc.wg.Done()
		_ = c.topUpPreKeys(ctx, have)
		c.mu.Lock()
		c.topping = false
		c.mu.Unlock()
	}()
}

// flusher sends the outbox while lc lives: on every wake, and when a
// backed-off item is due.
func (c *Client) flusher(ctx context.Context, lc *liveConn) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		case <-timer.C:
		}
		next, err := c.flush(ctx, lc)
		if err != nil {
			lc.conn.Close() // the read loop ends and the connection is redone
			return
		}
		timer.Stop()
		if next != 0 {
			timer.Reset(max(time.Until(time.Unix(0, next)), time.Millisecond))
		} else {
			timer.Reset(time.Hour)
		}
	}
}

// pinger probes the connection; one silent for two intervals is closed so
// that Connect makes a new one.
func (c *Client) pinger(ctx context.Context, lc *liveConn) {
	t := time.NewTicker(c.cfg.PingInterval)
	defer t.Stop()
	ping, _ := wire.Encode(&wire.PingFrame{ID: "p"})
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if time.Since(time.Unix(0, lc.lastRead.Load())) > 2*c.cfg.PingInterval {
			lc.conn.Close()
			return
		}
		if err := lc.write(ctx, ping); err != nil {
			return
		}
	}
}
