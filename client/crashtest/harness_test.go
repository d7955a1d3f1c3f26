//go:build !js

package crashtest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"sambung/client"
	"sambung/client/native"
	"sambung/internal/relaytest"
	"sambung/internal/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m, childDirEnv, runChild) }

// startRelay runs a real relay on a loopback port for the length of the
// test and returns its origin.
func startRelay(t *testing.T) string { return relaytest.Start(t).URL }

// clientConfig is a core of this package's tests: native HTTP and
// websocket to the relay at base, and short backoffs so that reconnecting
// after a kill or restart takes little of a phase's time.
func clientConfig(base string, st client.Storage, name string, onEvent func(client.Event)) client.Config {
	return client.Config{
		HTTP:       native.NewHTTP(base),
		Dialer:     native.NewDialer(base),
		Storage:    st,
		DeviceName: name,
		MinBackoff: 20 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond,
		OnEvent:    onEvent,
	}
}

// notify signals ch without blocking: a signal already waiting covers
// this one.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// peer is the other person, a client in the test's process that is never
// killed. It counts the messages it gets from the crashing client.
type peer struct {
	c  *client.Client
	id string // person id

	mu      sync.Mutex
	got     map[string]string // message id → text, from the child
	changed chan struct{}     // a send on each new message, dropped when full
}

func startPeer(t *testing.T, base string) *peer {
	t.Helper()
	p := newPeer(t, base)
	p.connect(t)
	return p
}

// newPeer signs the peer up without connecting it.
func newPeer(t *testing.T, base string) *peer {
	t.Helper()
	p := &peer{got: map[string]string{}, changed: make(chan struct{}, 1)}
	c, err := client.New(context.Background(), clientConfig(base, client.NewMemoryStorage(), "peer", func(e client.Event) {
		m, ok := e.(client.MessageEvent)
		if !ok || m.Message.Outgoing {
			return
		}
		p.mu.Lock()
		p.got[m.Message.ID] = m.Message.Text
		p.mu.Unlock()
		notify(p.changed)
	}))
	if err != nil {
		t.Fatal(err)
	}
	p.c = c
	if err := c.SignUpAccount(context.Background(), "peer", password); err != nil {
		t.Fatal(err)
	}
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.id = me.PersonID
	t.Cleanup(func() { c.Close() })
	return p
}

// connect runs the peer's Connect until the test ends.
func (p *peer) connect(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	connected := make(chan struct{})
	go func() {
		defer close(connected)
		p.c.Connect(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		p.c.Close()
		<-connected
	})
}

// has reports whether the peer got every message id of ids.
func (p *peer) has(ids map[string]string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for id := range ids {
		if _, ok := p.got[id]; !ok {
			return false
		}
	}
	return true
}

// proc is one run of the client core in a child process.
type proc struct {
	*testkit.Proc
	t      *testing.T
	futile int // connections dropped with an error since the last progress
}

// maxFutile is how many connections in a row may drop with an error while
// the child reports no progress before the test calls it wedged. Each
// reconnect waits at most the child's MaxBackoff (200 ms), and nothing in
// this test breaks a connection, so ten in a row is a loop, not bad luck.
const maxFutile = 10

// startChild runs the client core on dir against the relay at base, with
// peer as the conversation it reports.
func startChild(t *testing.T, dir, base, peer string) *proc {
	t.Helper()
	return &proc{t: t, Proc: testkit.StartChild(t, childDirEnv+"="+dir, childRelayEnv+"="+base, childPeerEnv+"="+peer)}
}

// next returns the child's next line, or nil at EOF. It fails the test
// when the child says "error", or is silent past deadline.
func (p *proc) next(deadline time.Time) []string {
	p.t.Helper()
	l, ok := p.Line(p.t, time.Until(deadline))
	if !ok {
		return nil
	}
	f := strings.Fields(l)
	p.check(f)
	return f
}

// check fails the test when the child reports an error, or when its
// connection keeps dropping with one while nothing moves: a core that
// cannot get past an envelope would otherwise only show as a timeout.
func (p *proc) check(f []string) {
	p.t.Helper()
	switch {
	case len(f) == 0:
	case f[0] == "error":
		p.t.Fatalf("child: %s", strings.Join(f, " "))
	case f[0] == "conn" && len(f) > 2 && f[1] == "offline":
		if p.futile++; p.futile == maxFutile {
			p.t.Fatalf("child's connection dropped %d times in a row with no message stored or sent in between, last with %q: the core is wedged",
				maxFutile, strings.Join(f[2:], " "))
		}
	case f[0] == "recv" || f[0] == "accepted" || f[0] == "status" || f[0] == "undecryptable":
		p.futile = 0
	}
}
