//go:build !js

package relaytest

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"sambung/internal/testkit"
	"sambung/relay"
)

// ChildLogger is the logger of a child relay: warnings and worse, on the
// stderr that StartChild shows when the test fails.
func ChildLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// ServeChild runs the relay with cfg on a loopback port until it is
// killed; it is what a child started by StartChild runs. It prints
// "listening ADDR" once it accepts connections, and exits when its stdin
// closes (the parent test died), so no relay outlives its test.
func ServeChild(cfg relay.Config) {
	testkit.ExitWithStdin()
	srv, err := relay.New(cfg)
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
	fmt.Fprintln(os.Stderr, "child relay:", relay.HTTPServer(srv).Serve(ln))
	os.Exit(1)
}

// childStartTimeout bounds a child relay's start: Badger replays its log
// on open, which takes well under a second for what a test writes.
const childStartTimeout = 20 * time.Second

// Child is a relay in a child process.
type Child struct {
	*testkit.Proc
	URL string
}

// StartChild starts the test binary as a child with env ("KEY=value"
// each), whose TestMain runs ServeChild, and waits until it listens.
func StartChild(t testing.TB, env ...string) *Child {
	t.Helper()
	p := testkit.StartChild(t, env...)
	l, _ := p.Line(t, childStartTimeout)
	addr, ok := strings.CutPrefix(l, "listening ")
	if !ok {
		t.Fatalf("child relay did not start: %q\n%s", l, p.Stderr)
	}
	go func() {
		for range p.Lines {
		}
	}()
	return &Child{Proc: p, URL: "http://" + addr}
}

// Crash kills the relay with SIGKILL, so that no flush and no Badger close
// runs, and reaps it: its directory is free for the next relay then.
func (c *Child) Crash() {
	c.Kill()
	c.Wait()
}
