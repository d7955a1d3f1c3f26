//go:build !js

package crashtest

import (
	"bufio"
	"bytes"
	"fmt"
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

	"sambung/relay"
)

// childEnv names the Badger directory of a child relay. The test binary
// re-executes itself with it set; TestMain then serves the relay instead of
// running tests, so the parent can SIGKILL a real process.
const childEnv = "SAMBUNG_CRASHTEST_DATA"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		serveChild(dir)
		return
	}
	os.Exit(m.Run())
}

// childConfig is the relay's default configuration but for three limits
// that would throttle the test, not the relay's durability: every client
// signs up from 127.0.0.1 (auth rate), the senders send as fast as the
// relay answers (frame rate), and passwords use cheap argon2id costs.
func childConfig(dir string) relay.Config {
	return relay.Config{
		DataDir:   dir,
		Logger:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Argon2:    relay.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		AuthRate:  relay.Rate{Count: 10_000, Per: time.Second, Burst: 10_000},
		FrameRate: relay.Rate{Count: 100_000, Per: time.Second, Burst: 100_000},
	}
}

// serveChild runs the relay on a loopback port until it is killed. It
// prints "listening ADDR" once it accepts connections. When its stdin
// closes (the parent test died) it exits, so no relay outlives the test.
func serveChild(dir string) {
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(2)
	}()
	srv, err := relay.New(childConfig(dir))
	if err != nil {
		fmt.Fprintln(os.Stderr, "child relay:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "child relay:", err)
		os.Exit(1)
	}
	fmt.Printf("listening %s\n", ln.Addr())
	err = (&http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
	fmt.Fprintln(os.Stderr, "child relay:", err)
	os.Exit(1)
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

// relayProc is a relay running in a child process.
type relayProc struct {
	cmd    *exec.Cmd
	addr   string
	stdin  io.WriteCloser
	stderr *syncBuffer
	waited bool
}

// childStartTimeout bounds a child's start: Badger replays its log on open,
// which takes well under a second for the few MiB this test writes.
const childStartTimeout = 20 * time.Second

// startRelay starts a child relay on dir and waits until it listens.
func startRelay(t *testing.T, dir string) *relayProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	p := &relayProc{cmd: cmd, stderr: &syncBuffer{}}
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
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("relay %s stderr:\n%s", p.addr, p.stderr)
		}
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- l
		io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		addr, ok := strings.CutPrefix(strings.TrimSpace(l), "listening ")
		if !ok {
			t.Fatalf("child relay did not start: %q\n%s", l, p.stderr)
		}
		p.addr = addr
	case <-time.After(childStartTimeout):
		t.Fatalf("child relay not listening after %s\n%s", childStartTimeout, p.stderr)
	}
	return p
}

// kill sends SIGKILL: no deferred function, no flush, no Badger close runs.
func (p *relayProc) kill() {
	if p.waited {
		return
	}
	p.waited = true
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	p.stdin.Close()
}
