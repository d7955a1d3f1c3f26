//go:build !js

package interop

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

const installHint = "run ./build.sh test or npm ci in interop/"

// nodeTransport runs `node cli.js` once for the whole test binary and talks
// to it a line at a time.
type nodeTransport struct {
	mu     sync.Mutex
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *tailBuffer
}

func newTransport() (transport, error) {
	if err := checkNodeModules(); err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("node not found on PATH (%v): install Node.js 20+ and %s", err, installHint)
	}
	cmd := exec.Command(node, "cli.js")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	tr := &nodeTransport{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout), stderr: &tailBuffer{}}
	cmd.Stderr = tr.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start node cli.js: %w", err)
	}
	return tr, nil
}

// checkNodeModules fails clearly when the npm packages are not installed.
func checkNodeModules() error {
	for _, pkg := range []string{"libsignal", "@signalapp/libsignal-client"} {
		if _, err := os.Stat(filepath.Join("node_modules", filepath.FromSlash(pkg), "package.json")); err != nil {
			return fmt.Errorf("interop/node_modules/%s is missing: %s", pkg, installHint)
		}
	}
	return nil
}

func (n *nodeTransport) roundTrip(req []byte) ([]byte, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := n.stdin.Write(append(req, '\n')); err != nil {
		return nil, fmt.Errorf("write to node: %w (stderr: %s)", err, n.stderr)
	}
	line, err := n.stdout.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("read from node: %w (stderr: %s)", err, n.stderr)
	}
	return line, nil
}

// close ends node by closing its stdin, and kills it if it lingers.
func (n *nodeTransport) close() error {
	n.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- n.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		n.cmd.Process.Kill()
		return errors.New("node cli.js did not exit after stdin closed")
	}
}

// tailBuffer keeps the last few KiB node wrote to stderr, for error messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// stderrTail bounds what an error message quotes from node's stderr.
const stderrTail = 4 << 10

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.buf.Len() > 2*stderrTail {
		rest := b.buf.Bytes()[b.buf.Len()-stderrTail:]
		b.buf = *bytes.NewBuffer(append([]byte(nil), rest...))
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestMain(m *testing.M) {
	code := m.Run()
	if tr, ok := peerConn.(*nodeTransport); ok {
		if err := tr.close(); err != nil && code == 0 {
			fmt.Fprintln(os.Stderr, "interop:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// TestHarnessSelfTest runs the harness's own check (two libsignal-node peers,
// libsignal-client signatures and safety numbers) with no Go code involved,
// so a broken harness is told apart from a broken crypto package.
func TestHarnessSelfTest(t *testing.T) {
	if err := checkNodeModules(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("node", "selftest.js").CombinedOutput()
	if err != nil {
		t.Fatalf("node selftest.js: %v\n%s", err, out)
	}
}
