//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package native

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"sambung/client"
	"sambung/internal/testkit"
)

// lockChildEnv names the directory a child process opens. The test binary
// re-executes itself with it set; TestMain then runs lockChild instead of
// the tests, so a second opener is a real second process.
const lockChildEnv = "SAMBUNG_NATIVE_LOCK_CHILD"

func TestMain(m *testing.M) { testkit.Main(m, lockChildEnv, lockChild) }

// lockChild opens the storage in dir and says how it went on stdout:
// "open", "locked <error>" or "error <error>". Holding it open, it closes
// on a "close" line ("closed") and exits when stdin ends.
func lockChild(dir string) {
	s, err := OpenFileStorage(dir)
	switch {
	case errors.Is(err, ErrLocked):
		fmt.Println("locked", err)
		os.Exit(0)
	case err != nil:
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("open")
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		if sc.Text() == "close" {
			fmt.Println("closed", s.Close())
		}
	}
	os.Exit(0)
}

// childTimeout bounds a child's answer; it takes milliseconds.
const childTimeout = 20 * time.Second

// lockProc is a child process with the storage of one directory.
type lockProc struct {
	*testkit.Proc
	t *testing.T
}

func startLockChild(t *testing.T, dir string) *lockProc {
	t.Helper()
	return &lockProc{Proc: testkit.StartChild(t, lockChildEnv+"="+dir), t: t}
}

// line waits for the child's next line.
func (p *lockProc) line() string {
	p.t.Helper()
	l, ok := p.Line(p.t, childTimeout)
	if !ok {
		p.t.Fatal("child exited without answering")
	}
	return l
}

// kill sends SIGKILL and waits until the process is gone: the kernel has
// closed its files, and released its lock, by the time Wait returns.
func (p *lockProc) kill() {
	p.Kill()
	p.Wait()
}

// wantLocked checks that err is ErrLocked and says which directory.
func wantLocked(t *testing.T, err error, dir string) {
	t.Helper()
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "another process") {
		t.Fatalf("error %q does not name %s and the other process", err, dir)
	}
}

// TestLockSameProcess: a second FileStorage on a directory that one has
// open fails at open, and succeeds once the first is closed.
func TestLockSameProcess(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	s2, err := OpenFileStorage(dir)
	if err == nil {
		s2.Close()
	}
	wantLocked(t, err, dir)
	// The refused open left the holder's log alone.
	if err := s.Apply(ctx, []client.KV{{Key: "k", Value: []byte("v")}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if v, ok, _ := open(t, dir).Get(ctx, "k"); !ok || string(v) != "v" {
		t.Fatalf("k after reopen: %q %v", v, ok)
	}
}

// TestLockAcrossProcesses: another process cannot open a directory this one
// holds, and can once it is closed; this one cannot open a directory
// another process holds, until that process closes it.
func TestLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if l := startLockChild(t, dir).line(); !strings.HasPrefix(l, "locked ") || !strings.Contains(l, dir) {
		t.Fatalf("child opened a held directory: %q", l)
	}
	s.Close()

	child := startLockChild(t, dir)
	if l := child.line(); l != "open" {
		t.Fatalf("child after close: %q", l)
	}
	_, err := OpenFileStorage(dir)
	wantLocked(t, err, dir)
	child.Send(t, "close")
	if l := child.line(); l != "closed <nil>" {
		t.Fatalf("child close: %q", l)
	}
	open(t, dir)
}

// TestLockHolderKilled: a holder killed with SIGKILL leaves no stale lock.
func TestLockHolderKilled(t *testing.T) {
	dir := t.TempDir()
	child := startLockChild(t, dir)
	if l := child.line(); l != "open" {
		t.Fatalf("child: %q", l)
	}
	_, err := OpenFileStorage(dir)
	wantLocked(t, err, dir)
	child.kill()
	s := open(t, dir)
	if err := s.Apply(ctx, nil, []string{"x"}); err != nil {
		t.Fatal(err)
	}
}
