//go:build !js

package testkit

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Main runs child with the value of the environment variable env, in
// place of the tests, when it is set: the process is then a child that
// StartChild started. Otherwise it runs the tests. Call it from TestMain.
// child should not return; if it does, the process exits 0.
func Main(m *testing.M, env string, child func(value string)) {
	if v := os.Getenv(env); v != "" {
		child(v)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// ExitWithStdin makes a child exit once its stdin closes, as it does when
// the parent test dies, so no child outlives its test.
func ExitWithStdin() {
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(2)
	}()
}

// keepLines is how many of a child's latest lines a failure shows.
const keepLines = 20

// Proc is the test binary run again as a child process, with the
// environment it was given, running no test.
type Proc struct {
	Cmd    *exec.Cmd
	Stdin  io.WriteCloser
	Lines  chan string // its stdout, a line at a time; closed at EOF
	Stderr *Buffer

	waitOnce sync.Once
	mu       sync.Mutex
	last     []string
}

// StartChild runs the test binary with env added ("KEY=value" each) and
// no test selected; Main in the child's TestMain then runs the child. The
// child is killed and reaped when the test ends, and if the test failed
// its last lines and its stderr are logged.
func StartChild(t testing.TB, env ...string) *Proc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), env...)
	p := &Proc{Cmd: cmd, Lines: make(chan string, 64), Stderr: &Buffer{}}
	cmd.Stderr = p.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if p.Stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.keep(sc.Text())
			p.Lines <- sc.Text()
		}
		close(p.Lines)
	}()
	t.Cleanup(func() {
		p.Kill()
		p.Wait()
		if t.Failed() {
			t.Logf("child %d, its last lines:\n%s\nstderr:\n%s", cmd.Process.Pid, p.lastLines(), p.Stderr)
		}
	})
	return p
}

func (p *Proc) keep(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.last) == keepLines {
		p.last = p.last[1:]
	}
	p.last = append(p.last, line)
}

func (p *Proc) lastLines() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.last, "\n")
}

// Line returns the child's next line; ok is false at EOF. It fails the
// test when the child is silent for timeout.
func (p *Proc) Line(t testing.TB, timeout time.Duration) (line string, ok bool) {
	t.Helper()
	select {
	case l, ok := <-p.Lines:
		return l, ok
	case <-time.After(timeout):
		t.Fatalf("child %d silent for %v", p.Cmd.Process.Pid, timeout)
		return "", false
	}
}

// Send writes one line to the child's stdin.
func (p *Proc) Send(t testing.TB, line string) {
	t.Helper()
	if _, err := fmt.Fprintln(p.Stdin, line); err != nil {
		t.Fatal(err)
	}
}

// Kill sends SIGKILL: no deferred function, no Close, no flush runs. The
// caller may still read what the child wrote before it died.
func (p *Proc) Kill() {
	p.Cmd.Process.Signal(syscall.SIGKILL)
}

// Wait reads the child's output to EOF and reaps it; its files, and the
// locks they hold, are closed by then. Once is enough; later calls return
// at once.
func (p *Proc) Wait() {
	p.waitOnce.Do(func() {
		for range p.Lines {
		}
		p.Cmd.Wait()
		p.Stdin.Close()
	})
}
