//go:build !js

// Package relaytest runs a real relay for tests and benchmark programs: on
// a loopback port, over Badger and a blob folder in a temporary directory,
// with a code book in place of SMS. Start and New serve it in this
// process; ServeChild and StartChild run it in a child process that a test
// can SIGKILL.
//
// It is for tests and bench programs only: nothing in the relay binary or
// the wasm module imports it.
package relaytest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sambung/internal/testkit"
	"sambung/relay"
)

// Lifted is a rate no test reaches.
var Lifted = relay.Rate{Count: 100_000, Per: time.Second, Burst: 100_000}

// Config is the relay's default configuration on dir but for what would
// throttle a test rather than the relay: cheap argon2id costs (tests sign
// up many devices), lifted per-IP and per-connection rates (every client
// is 127.0.0.1 and sends as fast as the relay answers) and small
// memtables (tests open many stores). A test of one of these limits sets
// it back.
func Config(dir string) relay.Config {
	return relay.Config{
		DataDir:        dir,
		Argon2:         relay.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		AuthRate:       Lifted,
		LookupRate:     Lifted,
		LookupAddrRate: Lifted,
		FrameRate:      Lifted,
		MemTableSize:   8 << 20,
	}
}

// CodeBook is the relay's CodeSender in tests: it keeps the last one-time
// code sent to each phone, so the test can type it.
type CodeBook struct {
	mu    sync.Mutex
	codes map[string]string
	sent  chan struct{} // closed and replaced when a code is sent
}

// sentLocked returns the channel the next SendCode closes.
func (b *CodeBook) sentLocked() chan struct{} {
	if b.sent == nil {
		b.sent = make(chan struct{})
	}
	return b.sent
}

// SendCode implements relay.CodeSender.
func (b *CodeBook) SendCode(_ context.Context, phone, code string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.codes == nil {
		b.codes = map[string]string{}
	}
	b.codes[phone] = code
	close(b.sentLocked())
	b.sent = nil
	return nil
}

// Wait waits up to patience for a code sent to phone (E.164, as the
// relay normalised it), waking on each code the relay sends.
func (b *CodeBook) Wait(phone string, patience time.Duration) (string, error) {
	timeout := time.NewTimer(patience)
	defer timeout.Stop()
	for {
		b.mu.Lock()
		c, ok := b.codes[phone]
		sent := b.sentLocked()
		b.mu.Unlock()
		if ok {
			return c, nil
		}
		select {
		case <-sent:
		case <-timeout.C:
			return "", fmt.Errorf("the relay sent no code to %s", phone)
		}
	}
}

// Relay is a real relay on a loopback port. It keeps its port across
// Restart, so clients reconnect to it.
type Relay struct {
	URL    string // http://127.0.0.1:port
	Codes  *CodeBook
	Config relay.Config
	Server *relay.Server

	handler atomic.Pointer[http.Handler]
	addr    string
	hs      *http.Server
	done    chan struct{}
}

// New starts a relay with cfg, whose CodeSender, when nil, becomes a
// CodeBook.
func New(cfg relay.Config) (*Relay, error) {
	r := &Relay{Codes: &CodeBook{}, Config: cfg}
	if r.Config.CodeSender == nil {
		r.Config.CodeSender = r.Codes
	}
	if err := r.start(); err != nil {
		return nil, err
	}
	return r, nil
}

// Start starts a relay with Config on a temporary directory, changed by
// each tweak, and stops it when the test ends. Its log is shown if the
// test fails.
func Start(t testing.TB, tweak ...func(*relay.Config)) *Relay {
	t.Helper()
	log := &testkit.Buffer{}
	cfg := Config(t.TempDir())
	cfg.Logger = slog.New(slog.NewTextHandler(log, nil))
	for _, f := range tweak {
		f(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Error(err)
		}
		if t.Failed() {
			t.Log("relay log:\n" + log.String())
		}
	})
	return r
}

// Code waits for the code the relay sent to phone (E.164).
func (r *Relay) Code(t testing.TB, phone string) string {
	t.Helper()
	c, err := r.Codes.Wait(phone, testkit.Patience)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Wrap puts mw in front of the relay's handler, for requests from now on.
func (r *Relay) Wrap(mw func(http.Handler) http.Handler) {
	h := mw(r.Server)
	r.handler.Store(&h)
}

func (r *Relay) start() error {
	srv, err := relay.New(r.Config)
	if err != nil {
		return err
	}
	addr := r.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	// After a restart the old socket may linger a moment: wait for the
	// port, bounded generously, as a busy machine may take a while.
	var ln net.Listener
	for deadline := time.Now().Add(testkit.Patience); ; time.Sleep(20 * time.Millisecond) {
		ln, err = net.Listen("tcp", addr)
		if !errors.Is(err, syscall.EADDRINUSE) || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		srv.Close()
		return err
	}
	r.addr = ln.Addr().String()
	r.URL = "http://" + r.addr
	r.Server = srv
	var h http.Handler = srv
	r.handler.Store(&h)
	r.hs = relay.HTTPServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		(*r.handler.Load()).ServeHTTP(w, req)
	}))
	r.done = make(chan struct{})
	go func() {
		defer close(r.done)
		r.hs.Serve(ln)
	}()
	return nil
}

// Close stops serving, cuts every connection and closes Badger, which
// flushes it to disk. Closing a closed relay does nothing.
func (r *Relay) Close() error {
	if r.Server == nil {
		return nil
	}
	r.hs.Close()
	<-r.done
	err := r.Server.Close()
	r.Server = nil
	return err
}

// Reopen starts a closed relay again on the same directory and port.
func (r *Relay) Reopen(t testing.TB) {
	t.Helper()
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
}

// Restart closes the relay and starts a new one on the same directory
// and port.
func (r *Relay) Restart(t testing.TB) {
	t.Helper()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r.Reopen(t)
}
