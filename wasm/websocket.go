//go:build js && wasm

package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"syscall/js"
	"time"

	"sambung/client"
	"sambung/wire"
)

const (
	// inboxSize bounds the frames received but not yet Read. The relay has
	// at most 256 unacknowledged envelopes in flight per connection, in
	// batches, plus one answer per request the client made; a peer that
	// sends more than 1024 frames ahead of the reader is misbehaving, and
	// the connection is closed rather than buffered without end.
	inboxSize = 1024
	// maxBuffered is how much Write lets the browser queue unsent before it
	// waits: WebSocket.send itself never blocks and never refuses, so
	// without a bound a stalled network would grow the queue forever. 8 MiB
	// holds one largest send (16 envelopes of 256 KiB, base64) with room.
	maxBuffered = 8 << 20
	// drainPoll is how often a Write waiting on maxBuffered looks again; the
	// browser has no event for "bufferedAmount went down".
	drainPoll = 10 * time.Millisecond
	// closeNormal and closeOverflow are the codes this side closes with.
	// A browser may only send 1000 or 3000-4999.
	closeNormal   = 1000
	closeOverflow = 4000
	// closePolicy and closeGoingAway are the relay's codes (PROTOCOL.md,
	// "Closing"); the reason of a 1008 is a wire error code.
	closePolicy    = 1008
	closeGoingAway = 1001
	// closeAbnormal is the code of a connection that failed or dropped
	// without a closing handshake.
	closeAbnormal = 1006
)

var (
	// ErrConnClosed reports a Read or Write on a Conn closed by this side.
	errConnClosed = errors.New("wasm: websocket closed")
	// errOverflow reports that the relay sent more than inboxSize frames
	// ahead of the reader.
	errOverflow = errors.New("wasm: websocket inbox full")
)

// closeError is a websocket the relay (or the network) closed with a code
// that names no wire error: 1006 for a dropped connection, 1009 for an
// oversize frame.
type closeError struct {
	code   int
	reason string
}

func (e *closeError) Error() string {
	return "wasm: websocket closed with " + strconv.Itoa(e.code) + " " + e.reason
}

// closeErr maps a close event to the error that Read returns: a *wire.Error
// for the relay's coded closes, so that client.ErrorCode gives its code
// (device_removed, unauthorized, going_away, ...), else a *closeError.
func closeErr(code int, reason string) error {
	switch {
	case code == closePolicy && reason != "":
		return &wire.Error{Code: wire.Code(reason), Message: wire.Code(reason).Message()}
	case code == closeGoingAway:
		return wire.NewError(wire.CodeGoingAway)
	}
	return &closeError{code: code, reason: reason}
}

// wsDialer is client.Dialer over the browser's WebSocket.
type wsDialer struct {
	url string // ws:// or wss:// URL of /v1/ws
}

var _ client.Dialer = wsDialer{}

// wsURL derives the websocket URL from the relay's http(s) origin.
func wsURL(base string) string {
	if rest, ok := strings.CutPrefix(base, "http"); ok {
		base = "ws" + rest // http → ws, https → wss
	}
	return base + wire.PathWebSocket
}

// Dial implements client.Dialer: it opens the socket and waits for the
// open event, a close, or the end of ctx.
func (d wsDialer) Dial(ctx context.Context) (client.Conn, error) {
	c := &wsConn{inbox: make(chan []byte, inboxSize), closed: make(chan struct{}), opened: make(chan struct{})}
	if err := catch(func() { c.ws = js.Global().Get("WebSocket").New(d.url) }); err != nil {
		return nil, &networkErr{err}
	}
	c.ws.Set("binaryType", "arraybuffer")
	c.listen("open", func(js.Value) { close(c.opened) })
	c.listen("message", c.onMessage)
	c.listen("close", func(e js.Value) {
		c.finish(closeErr(e.Get("code").Int(), e.Get("reason").String()))
	})
	// An error event means the connection failed (close code 1006). The
	// close event should follow, but Chromium delays it by seconds for a
	// refused connection, so the error ends the Conn at once.
	c.listen("error", func(js.Value) {
		c.abort(closeNormal, &closeError{code: closeAbnormal, reason: "connection failed"})
	})
	select {
	case <-c.opened:
		return c, nil
	case <-c.closed:
		return nil, &networkErr{c.err}
	case <-ctx.Done():
		c.Close()
		return nil, ctx.Err()
	}
}

// wsConn is client.Conn over one browser WebSocket. JavaScript callbacks
// only queue and signal; Read and Write wait in the client's goroutines.
type wsConn struct {
	ws     js.Value
	inbox  chan []byte
	opened chan struct{}

	mu     sync.Mutex
	funcs  []js.Func
	done   bool
	err    error         // why it closed; set before closed is closed
	closed chan struct{} // closed once the socket is closed or Close is called
}

var _ client.Conn = (*wsConn)(nil)

// listen adds an event listener and keeps the function for release.
func (c *wsConn) listen(event string, fn func(js.Value)) {
	f := js.FuncOf(func(_ js.Value, args []js.Value) any {
		fn(arg(args, 0))
		return nil
	})
	c.funcs = append(c.funcs, f)
	c.ws.Call("addEventListener", event, f)
}

// onMessage queues one received frame, text or binary.
func (c *wsConn) onMessage(e js.Value) {
	data := e.Get("data")
	var frame []byte
	if data.Type() == js.TypeString {
		frame = []byte(data.String())
	} else {
		b, err := bytesFromJS(data)
		if err != nil {
			return
		}
		frame = b
	}
	select {
	case c.inbox <- frame:
	default:
		c.abort(closeOverflow, errOverflow)
	}
}

// finish records why the socket ended, wakes every waiter, and releases
// the listeners. It runs once; later calls are ignored.
func (c *wsConn) finish(err error) {
	c.mu.Lock()
	if c.done {
		c.mu.Unlock()
		return
	}
	c.done, c.err = true, err
	funcs := c.funcs
	c.funcs = nil
	c.mu.Unlock()
	close(c.closed)
	// Removing the listeners stops further calls; releasing them happens
	// after this callback has returned, as one of them may be running it.
	for i, event := range []string{"open", "message", "close", "error"} {
		c.ws.Call("removeEventListener", event, funcs[i])
	}
	go func() {
		for _, f := range funcs {
			f.Release()
		}
	}()
}

// abort closes the socket with code and ends the Conn with err.
func (c *wsConn) abort(code int, err error) {
	_ = catch(func() { c.ws.Call("close", code) })
	c.finish(err)
}

// Read implements client.Conn. Frames that arrived before a close are
// still returned, in order, before the close's error: the relay sends an
// error frame and then closes.
func (c *wsConn) Read(ctx context.Context) ([]byte, error) {
	select {
	case f := <-c.inbox:
		return f, nil
	default:
	}
	select {
	case f := <-c.inbox:
		return f, nil
	case <-c.closed:
		select {
		case f := <-c.inbox:
			return f, nil
		default:
		}
		return nil, c.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Write implements client.Conn: one text frame, as the relay expects.
func (c *wsConn) Write(ctx context.Context, frame []byte) error {
	for c.ws.Get("bufferedAmount").Int() > maxBuffered {
		select {
		case <-c.closed:
			return c.err
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(drainPoll):
		}
	}
	select {
	case <-c.closed:
		return c.err
	default:
	}
	if err := catch(func() { c.ws.Call("send", string(frame)) }); err != nil {
		return &networkErr{err}
	}
	return nil
}

// Close implements client.Conn. It starts the closing handshake and
// returns; Read and Write fail from now on.
func (c *wsConn) Close() error {
	c.abort(closeNormal, errConnClosed)
	return nil
}
