//go:build !js

package relay

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"sambung/relay/store"
	"sambung/wire"
)

const (
	// writeTimeout bounds one frame write: a peer that cannot take a frame
	// in 10 s is gone, and its connection is dropped.
	writeTimeout = 10 * time.Second
	// pushBatch and pushBytes bound one envelopes frame (and one store
	// read): a few dozen small messages, or about 1 MiB of large ones.
	pushBatch = 64
	pushBytes = 1 << 20
	// memEnvelopes and memBytes bound the committed envelopes a
	// connection holds in memory for its pusher: a pusher that keeps up
	// takes each flush's few envelopes long before either is reached, and
	// one that falls behind (a slow device with its window full) costs at
	// most 64 KiB of bodies, then reads the store again, as on reconnect.
	memEnvelopes = 64
	memBytes     = 64 << 10
	// closeGrace is how long a closing peer gets to answer the close
	// frame: many round trips on any real network.
	closeGrace = time.Second
)

// conn is one authenticated websocket.
type conn struct {
	s      *Server
	ws     *websocket.Conn
	dev    device
	ctx    context.Context
	cancel context.CancelFunc
	// wake has capacity 1: any number of commits and acks while the pusher
	// is busy collapse into one nudge, so memory does not grow with load.
	wake      chan struct{}
	mu        sync.Mutex
	inflight  map[uint64]struct{}
	closeOnce sync.Once
	// mem holds committed envelopes handed over by sends, in seq order,
	// so the pusher need not read them back from the store. The pusher
	// takes them only while they continue its cursor without a gap;
	// stale says the store may hold envelopes past the cursor that mem
	// lacks (the backlog, or one mem had no room for). Both under mu.
	mem     []wire.Envelope
	memSize int
	stale   bool
	// memWoken marks the connection already on the wake list of the
	// commit hub.deliver is handing over. Under mu.
	memWoken bool

	ackMu      sync.Mutex
	ackPending []uint64
	ackRunning bool
	ackDone    chan struct{} // capacity 1: a deleter finished a batch
}

func (c *conn) wakeUp() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// write sends one frame. coder/websocket serialises concurrent writers.
func (c *conn) write(f wire.Frame) error {
	b, err := wire.Encode(f)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.ctx, writeTimeout)
	defer cancel()
	return c.ws.Write(ctx, websocket.MessageText, b)
}

// fail sends an error frame and closes the connection with status and the
// code as reason.
func (c *conn) fail(code wire.Code, status websocket.StatusCode) {
	c.closeOnce.Do(func() {
		closeWith(c.ws, code, status)
		c.cancel()
	})
}

// closeWith writes an error frame, then closes. The frame write has its own
// short deadline, as the connection's context may be done already.
func closeWith(ws *websocket.Conn, code wire.Code, status websocket.StatusCode) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if b, err := wire.Encode(&wire.ErrorFrame{Error: *wire.NewError(code)}); err == nil {
		ws.Write(ctx, websocket.MessageText, b)
	}
	// Close waits up to 5 s for the peer's close frame; a peer that does
	// not answer within closeGrace is cut off, so shutdown stays quick.
	done := make(chan struct{})
	go func() {
		defer close(done)
		ws.Close(status, string(code))
	}()
	select {
	case <-done:
	case <-time.After(closeGrace):
		ws.CloseNow()
		<-done
	}
}

func (s *Server) handleWebSocket(w http.ResponseWriter, r *http.Request) error {
	s.conns.Add(1)
	defer s.conns.Done()
	if s.closing.Load() {
		return wire.NewError(wire.CodeGoingAway)
	}
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
		return wire.Errorf(wire.CodeBadRequest, "this endpoint is a websocket: send an Upgrade request")
	}
	// Refused before the upgrade, a socket over the caps costs one small
	// HTTP answer.
	addr := addrKey(r)
	if err := s.preauth.enter(addr, retrySeconds(s.cfg.AuthTimeout)); err != nil {
		return err
	}
	admitted := true
	leave := func() {
		if admitted {
			admitted = false
			s.preauth.leave(addr)
		}
	}
	defer leave()
	// Accept checks that Origin matches Host, so a page elsewhere cannot
	// open a socket with a user's browser.
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		return nil // Accept has answered
	}
	ws.SetReadLimit(wire.MaxAuthFrame)
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()

	d, err := s.wsAuth(ctx, ws)
	if errors.Is(err, errAuthTimedOut) {
		return nil
	}
	if err != nil {
		closeWith(ws, s.toWire(err).Code, websocket.StatusPolicyViolation)
		return nil
	}
	leave()
	ws.SetReadLimit(wire.MaxFrameSize)
	c := &conn{s: s, ws: ws, dev: d, ctx: ctx, cancel: cancel, wake: make(chan struct{}, 1), inflight: make(map[uint64]struct{}), ackDone: make(chan struct{}, 1), stale: true}
	if !s.hub.add(c) {
		c.fail(wire.CodeTooManyConnections, websocket.StatusPolicyViolation)
		return nil
	}
	defer s.hub.remove(c)
	if err := s.st.TouchDevice(ctx, d.person, d.id, s.cfg.Now()); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.Warn("touch device", "err", err)
	}
	n, _, err := s.st.KeyStatus(ctx, d.person, d.id)
	if err != nil {
		c.fail(s.toWire(err).Code, websocket.StatusInternalError)
		return nil
	}
	if c.write(&wire.ReadyFrame{PersonID: d.person, DeviceID: d.id, OneTimePreKeys: n}) != nil {
		return nil
	}
	if n < wire.PreKeysLow {
		c.write(&wire.KeysLowFrame{Count: n})
	}
	pushed := make(chan struct{})
	go func() {
		defer close(pushed)
		s.push(c)
	}()
	pinged := make(chan struct{})
	go func() {
		defer close(pinged)
		s.keepAlive(c)
	}()
	s.readLoop(c)
	cancel()
	<-pushed
	<-pinged
	ws.CloseNow()
	return nil
}

// keepAlive pings the peer every PingInterval and closes the connection
// when a pong does not come within PingTimeout, so that a peer that went
// away without closing (a phone that lost its network, a frozen process)
// frees its connection slot in bounded time. The reader answers the pong;
// a silent peer gets no close handshake, as it would not answer one.
func (s *Server) keepAlive(c *conn) {
	t := time.NewTicker(s.cfg.PingInterval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-c.ctx.Done():
			return
		}
		ctx, cancel := context.WithTimeout(c.ctx, s.cfg.PingTimeout)
		err := c.ws.Ping(ctx)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) && c.ctx.Err() == nil {
				s.metrics.pingTimeouts.Add(1)
				c.closeOnce.Do(func() {
					c.cancel()
					c.ws.CloseNow()
				})
			}
			return
		}
	}
}

// errAuthTimedOut means wsAuth has already closed the connection.
var errAuthTimedOut = errors.New("relay: websocket auth timed out")

// wsAuth reads the first frame, which must authenticate the device. The
// timeout closes the socket itself: a read whose context expires would cut
// the connection before the error frame could be sent.
func (s *Server) wsAuth(ctx context.Context, ws *websocket.Conn) (device, error) {
	timer := time.AfterFunc(s.cfg.AuthTimeout, func() {
		closeWith(ws, wire.CodeAuthRequired, websocket.StatusPolicyViolation)
	})
	_, data, err := ws.Read(ctx)
	if !timer.Stop() {
		return device{}, errAuthTimedOut
	}
	if err != nil {
		return device{}, wire.NewError(wire.CodeAuthRequired)
	}
	f, err := wire.DecodeClientFrame(data)
	af, ok := f.(*wire.AuthFrame)
	if !ok {
		return device{}, wire.NewError(wire.CodeAuthRequired)
	}
	if err != nil {
		return device{}, errUnauthorized
	}
	return s.authenticate(ctx, af.Token)
}

// requestID is the id of a frame that has one, for error replies.
func requestID(f wire.Frame) string {
	switch f := f.(type) {
	case *wire.SendFrame:
		return f.ID
	case *wire.PingFrame:
		return f.ID
	}
	return ""
}

// readLoop handles client frames until the connection ends. Sends are
// handled in order, one at a time: the reply to each comes after its
// commit, and the socket's own buffer is the backpressure.
func (s *Server) readLoop(c *conn) {
	var limit bucket
	for {
		_, data, err := c.ws.Read(c.ctx)
		if err != nil {
			return
		}
		f, err := wire.DecodeClientFrame(data)
		if ok, wait := limit.take(s.cfg.FrameRate, s.cfg.Now()); !ok {
			e := wire.NewError(wire.CodeRateLimited)
			e.RetryAfter = retrySeconds(wait)
			c.write(&wire.ErrorFrame{ID: requestID(f), Error: *e})
			continue
		}
		if err != nil {
			c.write(&wire.ErrorFrame{ID: requestID(f), Error: *s.toWire(err)})
			continue
		}
		var reply wire.Frame
		switch f := f.(type) {
		case *wire.AuthFrame:
			reply = &wire.ErrorFrame{Error: *wire.Errorf(wire.CodeBadFrame, "already authenticated")}
		case *wire.SendFrame:
			reply = s.send(c, f)
		case *wire.AckFrame:
			reply = s.ack(c, f.Seqs)
		case *wire.PingFrame:
			c.waitDeletes()
			reply = &wire.PongFrame{ID: f.ID}
		}
		if reply != nil {
			if c.write(reply) != nil {
				return
			}
		}
	}
}

// mismatch collects the devices a send got wrong.
type mismatch struct{ missing, stale []wire.DeviceRef }

// check compares the devices envs are for with person's current devices,
// less exclude (the sending device).
func (m *mismatch) check(envs []wire.Envelope, person string, current []uint32, exclude uint32) {
	for _, id := range current {
		if id != exclude && !slices.ContainsFunc(envs, func(e wire.Envelope) bool { return e.Device == id }) {
			m.missing = append(m.missing, wire.DeviceRef{Person: person, Device: id})
		}
	}
	for _, e := range envs {
		if e.Device == exclude || !slices.Contains(current, e.Device) {
			m.stale = append(m.stale, wire.DeviceRef{Person: person, Device: e.Device})
		}
	}
}

// send stores one message for every device of the recipient and every
// other device of the sender, or refuses it naming the devices.
func (s *Server) send(c *conn, f *wire.SendFrame) wire.Frame {
	fail := func(err error) wire.Frame { return &wire.ErrorFrame{ID: f.ID, Error: *s.toWire(err)} }
	if err := s.disk.check(); err != nil {
		return fail(err)
	}
	me := c.dev
	toDevs, err := s.st.DeviceIDs(c.ctx, f.To)
	if errors.Is(err, store.ErrNotFound) {
		return fail(wire.NewError(wire.CodeUnknownPerson))
	}
	if err != nil {
		return fail(err)
	}
	myDevs := toDevs
	if f.To != me.person {
		if myDevs, err = s.st.DeviceIDs(c.ctx, me.person); err != nil {
			return fail(err)
		}
	}
	var m mismatch
	if f.To == me.person {
		if len(f.Self) > 0 {
			return fail(wire.Errorf(wire.CodeBadFrame, "a send to oneself has no self envelopes"))
		}
		m.check(f.Envelopes, me.person, myDevs, me.id)
	} else {
		m.check(f.Envelopes, f.To, toDevs, 0)
		m.check(f.Self, me.person, myDevs, me.id)
	}
	if m.missing != nil || m.stale != nil {
		e := wire.NewError(wire.CodeDeviceMismatch)
		e.Missing, e.Stale = m.missing, m.stale
		e.Devices = []wire.PersonDevices{{Person: f.To, Devices: toDevs}}
		if f.To != me.person {
			e.Devices = append(e.Devices, wire.PersonDevices{Person: me.person, Devices: myDevs})
		}
		return fail(e)
	}

	// The first send to a person records, with its envelopes, that the
	// sender has written to them: the mailbox shares tell contacts from
	// strangers by it, and the recipient may then see the sender's
	// identities (writeLookup).
	mark := f.To != me.person && !s.contact.marked(me.person, f.To)
	now := s.cfg.Now().UnixMilli()
	batch := make([]store.Append, 0, len(f.Envelopes)+len(f.Self))
	add := func(to string, e *wire.Envelope, dest string, mark bool) {
		batch = append(batch, store.Append{
			To: store.MailboxID{Person: to, Device: e.Device},
			Envelope: wire.Envelope{
				ID: e.ID, From: me.person, FromDevice: me.id, Dest: dest,
				Type: e.Type, Body: e.Body, TS: e.TS, ServerTS: now,
			},
			Wrote: mark,
		})
	}
	for i := range f.Envelopes {
		dest := ""
		if f.To == me.person {
			dest = me.person
		}
		// The record rides in the envelopes' commit: the recipient's
		// device, fetching the sender's identities when the envelope
		// arrives, finds it.
		add(f.To, &f.Envelopes[i], dest, mark)
	}
	for i := range f.Self {
		add(me.person, &f.Self[i], f.To, false)
	}
	res, err := s.st.Append(c.ctx, batch)
	if err != nil {
		// Part of a failed flush may be on disk: let the pushers look.
		for _, a := range batch {
			s.hub.stale(a.To)
		}
		return fail(err)
	}
	s.metrics.envelopesIn.Add(int64(res.Stored))
	s.metrics.duplicates.Add(int64(res.Duplicates))
	if mark && res.Stored > 0 {
		s.contact.mark(me.person, f.To)
	}
	return &wire.SentFrame{ID: f.ID, Duplicates: res.Duplicates}
}
