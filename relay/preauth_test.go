//go:build !js

package relay

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"sambung/wire"
)

// dialFrom opens a websocket from source address src without
// authenticating. It returns the HTTP status and coded error of a refusal.
func (r *testRelay) dialFrom(src string, opts *websocket.DialOptions) (*websocket.Conn, int, *wire.Error) {
	r.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	if opts == nil {
		opts = &websocket.DialOptions{}
	}
	opts.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(r.hs.URL, "http")+wire.PathWebSocket, opts)
	if err == nil {
		c.SetReadLimit(wire.MaxFrameSize * 2)
		r.t.Cleanup(func() { c.CloseNow() })
		return c, resp.StatusCode, nil
	}
	if resp == nil {
		r.t.Fatal(err)
	}
	// Dial has read the body; the code travels in the status alone here,
	// and the test checks the table's status for it.
	var e wire.Error
	switch resp.StatusCode {
	case http.StatusServiceUnavailable:
		e.Code = wire.CodeUnavailable
	case http.StatusTooManyRequests:
		e.Code = wire.CodeRateLimited
	}
	if resp.Header.Get("Retry-After") == "" {
		r.t.Errorf("refused with %d and no Retry-After", resp.StatusCode)
	}
	return nil, resp.StatusCode, &e
}

// TestPreAuthCaps: sockets that have not authenticated are capped per
// address and in all; authenticating frees the slot at once.
func TestPreAuthCaps(t *testing.T) {
	r := startRelay(t, func(c *Config) {
		c.MaxUnauthenticated = 4
		c.MaxUnauthenticatedPerAddr = 2
		c.AuthTimeout = time.Minute
	})
	alice := r.signUpAccount("alice", "alice password", 0)

	a1, _, _ := r.dialFrom("127.0.0.1", nil)
	r.dialFrom("127.0.0.1", nil)
	if _, status, e := r.dialFrom("127.0.0.1", nil); e == nil || e.Code != wire.CodeRateLimited || status != e.Code.Status() {
		t.Fatalf("third socket of one address: %d %v", status, e)
	}
	r.dialFrom("127.0.0.2", nil)
	r.dialFrom("127.0.0.3", nil)
	if _, status, e := r.dialFrom("127.0.0.4", nil); e == nil || e.Code != wire.CodeUnavailable || status != e.Code.Status() {
		t.Fatalf("fifth socket in all: %d %v", status, e)
	}

	// Authenticating leaves the count before the ready frame is sent.
	w := &wsClient{t: t, c: a1}
	w.send(&wire.AuthFrame{Token: alice.Token})
	expect[*wire.ReadyFrame](w)
	if _, _, e := r.dialFrom("127.0.0.1", nil); e != nil {
		t.Fatalf("after one authenticated: %v", e)
	}
	if got := r.srv.metrics.unauthenticated.Load(); got != 4 {
		t.Fatalf("unauthenticated gauge %d, want 4", got)
	}
	if got := r.srv.metrics.unauthRefused.Load(); got != 2 {
		t.Fatalf("refused counter %d, want 2", got)
	}
}

// TestPreAuthReadLimit: a first frame longer than wire.MaxAuthFrame closes
// the socket (1009) without the relay reading the rest; after auth the
// full frame size is allowed again.
func TestPreAuthReadLimit(t *testing.T) {
	r := startRelay(t)
	bob := r.signUpAccount("bob", "bob password", 0)
	w := &wsClient{t: t, c: r.dialRaw()}
	big := `{"type":"auth","token":"` + strings.Repeat("A", wire.MaxAuthFrame) + `"}`
	w.sendRaw([]byte(big))
	if code, _ := closeStatus(t, w.c); code != websocket.StatusMessageTooBig {
		t.Fatalf("oversize first frame: close %v", code)
	}

	bob2 := r.signInAccount("bob", "bob password", 0)
	b := r.dial(bob)
	b2 := r.dial(bob2)
	body := strings.Repeat("x", wire.MaxEnvelopeBody)
	b.mustSend(bob.PersonID, []uint32{bob2.DeviceID}, nil, "big", body)
	if got := b2.receive(1)[0]; len(got.Body) != wire.MaxEnvelopeBody {
		t.Fatalf("received %d bytes", len(got.Body))
	}
	if got := r.srv.metrics.unauthenticated.Load(); got != 0 {
		t.Fatalf("unauthenticated gauge %d after all closed or authenticated", got)
	}
}

// TestSilentPeerClosed: a device that stops answering (it never reads, so
// it never sends a pong) is closed within PingInterval + PingTimeout and
// its connection slot is free again; a device that reads stays connected
// through the same pings.
func TestSilentPeerClosed(t *testing.T) {
	const interval, timeout = 100 * time.Millisecond, 200 * time.Millisecond
	r := startRelay(t, func(c *Config) {
		c.PingInterval = interval
		c.PingTimeout = timeout
		c.MaxConnsPerDevice = 1
	})
	alice, bob := r.aliceAndBob()

	// Bob reads all along, and counts the relay's pings.
	var pings atomic.Int64
	pinged := make(chan struct{}, 16)
	bc, _, _ := r.dialFrom("127.0.0.1", &websocket.DialOptions{OnPingReceived: func(context.Context, []byte) bool {
		pings.Add(1)
		select {
		case pinged <- struct{}{}:
		default:
		}
		return true
	}})
	b := &wsClient{t: t, c: bc}
	b.send(&wire.AuthFrame{Token: bob.Token})
	expect[*wire.ReadyFrame](b)
	readerDone := make(chan error, 1)
	go func() {
		for {
			if _, _, err := bc.Read(context.Background()); err != nil {
				readerDone <- err
				return
			}
		}
	}()

	// Alice authenticates, then goes silent.
	silent := r.dial(alice)
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	for r.srv.metrics.pingTimeouts.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the silent peer was never closed")
		}
		time.Sleep(10 * time.Millisecond) // polling the counter
	}
	took := time.Since(start)
	if took < timeout {
		t.Fatalf("closed after %v, before a ping could time out", took)
	}
	// Its slot is free: the device connects again (one connection allowed).
	again := r.dial(alice)
	again.send(&wire.PingFrame{ID: "p"})
	expect[*wire.PongFrame](again)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for { // what was buffered before the cut, then the end
		if _, _, err := silent.c.Read(ctx); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatal("the silent connection is still open")
			}
			break
		}
	}

	// Bob answered every ping meanwhile and is still connected.
	for pings.Load() < 3 {
		select {
		case <-pinged:
		case err := <-readerDone:
			t.Fatalf("bob's connection ended: %v", err)
		case <-time.After(30 * time.Second):
			t.Fatal("no pings")
		}
	}
	if n := r.srv.metrics.pingTimeouts.Load(); n != 1 {
		t.Fatalf("%d ping timeouts, want 1 (bob answers)", n)
	}
	select {
	case err := <-readerDone:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("bob's connection ended: %v", err)
		}
	default:
	}
	t.Logf("silent peer closed after %v (interval %v, timeout %v)", took, interval, timeout)
}
