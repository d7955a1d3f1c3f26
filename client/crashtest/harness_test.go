//go:build !js

package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sambung/client"
	"sambung/client/native"
	"sambung/relay"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDirEnv); dir != "" {
		runChild(dir)
		return
	}
	os.Exit(m.Run())
}

// startRelay runs a real relay (Badger in a temp dir) on a loopback port
// for the length of the test and returns its origin. Passwords are cheap
// and the rate limits lifted: every client is 127.0.0.1 and sends as fast
// as it can, and the relay's own tests cover both.
func startRelay(t *testing.T) string {
	t.Helper()
	srv, err := relay.New(relay.Config{
		DataDir:   t.TempDir(),
		Logger:    slog.New(slog.DiscardHandler),
		Argon2:    relay.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		AuthRate:  relay.Rate{Count: 1000, Per: time.Second, Burst: 1000},
		FrameRate: relay.Rate{Count: 100000, Per: time.Second, Burst: 100000},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.Serve(ln)
	}()
	t.Cleanup(func() {
		hs.Close()
		<-done
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return "http://" + ln.Addr().String()
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
	c, err := client.New(context.Background(), client.Config{
		HTTP:       native.NewHTTP(base),
		Dialer:     native.NewDialer(base),
		Storage:    client.NewMemoryStorage(),
		DeviceName: "peer",
		MinBackoff: 20 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond,
		OnEvent: func(e client.Event) {
			m, ok := e.(client.MessageEvent)
			if !ok || m.Message.Outgoing {
				return
			}
			p.mu.Lock()
			p.got[m.Message.ID] = m.Message.Text
			p.mu.Unlock()
			select {
			case p.changed <- struct{}{}:
			default:
			}
		},
	})
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

// syncBuffer collects a child's stderr.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is one run of the client core in a child process.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan []string // the child's stdout lines, split; closed at EOF
	stderr *syncBuffer
	waited bool

	futile int // connections dropped with an error since the last progress

	mu   sync.Mutex
	last []string // the latest lines, shown when the test fails
}

// maxFutile is how many connections in a row may drop with an error while
// the child reports no progress before the test calls it wedged. Each
// reconnect waits at most the child's MaxBackoff (200 ms), and nothing in
// this test breaks a connection, so ten in a row is a loop, not bad luck.
const maxFutile = 10

// keepLines is how many of a child's latest lines a failure shows.
const keepLines = 20

func (p *proc) keep(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.last) == keepLines {
		p.last = p.last[1:]
	}
	p.last = append(p.last, line)
}

// startChild runs the client core on dir against the relay at base, with
// peer as the conversation it reports.
func startChild(t *testing.T, dir, base, peer string) *proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir, childRelayEnv+"="+base, childPeerEnv+"="+peer)
	p := &proc{t: t, cmd: cmd, stderr: &syncBuffer{}, lines: make(chan []string, 64)}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.keep(sc.Text())
			p.lines <- strings.Fields(sc.Text())
		}
		close(p.lines)
	}()
	t.Cleanup(func() {
		p.kill()
		for range p.lines {
		}
		p.wait()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("child %d, its last lines:\n%s\nstderr:\n%s", p.cmd.Process.Pid, strings.Join(p.last, "\n"), p.stderr)
			p.mu.Unlock()
		}
	})
	return p
}

// next returns the child's next line, or nil at EOF. It fails the test
// when the child says "error", or is silent past deadline.
func (p *proc) next(deadline time.Time) []string {
	p.t.Helper()
	select {
	case f, ok := <-p.lines:
		if !ok {
			return nil
		}
		p.check(f)
		return f
	case <-time.After(time.Until(deadline)):
		p.t.Fatalf("child silent until the deadline")
	}
	return nil
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

// kill sends SIGKILL: no deferred function, no Close, no flush runs. The
// caller still reads what the child wrote before it died.
func (p *proc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
}

// wait reaps the child once its output is read to EOF. Its files, and
// with them its storage lock, are closed by then.
func (p *proc) wait() {
	if p.waited {
		return
	}
	p.waited = true
	p.cmd.Wait()
	p.stdin.Close()
}
