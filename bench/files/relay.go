//go:build !js

package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"sambung/internal/testkit"
	"sambung/web"
	"sambung/wire"
)

// startTimeout bounds building the relay and waiting for its "listening"
// line: a cold go build of the relay takes well under a minute here.
const startTimeout = 3 * time.Minute

// relayProc is the real relay binary running as a child process, so that
// its memory is its own in /proc.
type relayProc struct {
	cmd  *exec.Cmd
	url  string
	dir  string
	done chan struct{}

	mu    sync.Mutex
	codes map[string]string // phone -> one-time code, read from the log
	tail  []string          // the last lines of its log, for errors
}

var (
	listeningLine = regexp.MustCompile(`msg=listening addr=(\S+)`)
	otpLine       = regexp.MustCompile(`msg=otp phone=(\S+) code=(\S+)`)
)

// logTail is how many of the relay's log lines an error shows.
const logTail = 20

// startRelay builds cmd/sambung-relay into a temp dir and runs it on a
// loopback port with fresh data directories. The relay embeds web/static
// when it is built, so the wasm module must exist first.
func startRelay() (*relayProc, error) {
	if _, err := fs.Stat(web.Static, "sambung.wasm"); err != nil {
		return nil, errors.New("web/static/sambung.wasm is missing: run web/build.sh first (./build.sh bench does)")
	}
	if _, err := os.Stat("web/static/sambung.wasm"); err != nil {
		return nil, errors.New("run from the repository root: web/static/sambung.wasm is not here")
	}
	dir, err := os.MkdirTemp("", "sambung-filebench-relay-")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	bin := filepath.Join(dir, "sambung-relay")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/sambung-relay")
	if out, err := build.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("go build ./cmd/sambung-relay: %v\n%s", err, out)
	}
	r := &relayProc{dir: dir, done: make(chan struct{}), codes: map[string]string{}}
	r.cmd = exec.Command(bin,
		"-addr", "127.0.0.1:0",
		"-data", filepath.Join(dir, "data"),
		"-turn=false",
		// Every browser and the HTTP client come from 127.0.0.1.
		"-auth-per-minute", "600", "-auth-burst", "100",
	)
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := r.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := make(chan string, 1)
	go r.readLog(stderr, addr)
	go func() {
		r.cmd.Wait()
		close(r.done)
	}()
	select {
	case a := <-addr:
		r.url = "http://" + a
		return r, nil
	case <-r.done:
		err = fmt.Errorf("the relay exited: %s\n%s", r.cmd.ProcessState, r.lastLines())
	case <-ctx.Done():
		err = fmt.Errorf("the relay did not say where it listens:\n%s", r.lastLines())
	}
	r.close()
	return nil, err
}

func (r *relayProc) readLog(rd io.Reader, addr chan<- string) {
	sc := bufio.NewScanner(rd)
	for sc.Scan() {
		line := sc.Text()
		r.mu.Lock()
		r.tail = append(r.tail, line)
		if len(r.tail) > logTail {
			r.tail = r.tail[1:]
		}
		if m := otpLine.FindStringSubmatch(line); m != nil {
			r.codes[m[1]] = m[2]
		}
		r.mu.Unlock()
		if m := listeningLine.FindStringSubmatch(line); m != nil {
			select {
			case addr <- m[1]:
			default:
			}
		}
	}
}

func (r *relayProc) lastLines() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.tail)
}

func (r *relayProc) pid() int { return r.cmd.Process.Pid }

// code waits for the one-time code the relay logged for phone (E.164).
func (r *relayProc) code(phone string) (string, error) {
	for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		r.mu.Lock()
		c, ok := r.codes[phone]
		r.mu.Unlock()
		if ok {
			return c, nil
		}
	}
	return "", fmt.Errorf("the relay logged no code for %s", phone)
}

// close stops the relay with SIGTERM (it flushes and closes Badger) and
// removes its data.
func (r *relayProc) close() {
	if r.cmd.Process != nil {
		r.cmd.Process.Signal(os.Interrupt)
		select {
		case <-r.done:
		case <-time.After(15 * time.Second):
			r.cmd.Process.Kill()
			<-r.done
		}
	}
	os.RemoveAll(r.dir)
}

// signUpDevice creates an account person with one device over plain HTTP,
// with a real identity key and a signed prekey it signed, and returns the
// device's bearer token.
func signUpDevice(base, account string) (string, error) {
	s, err := testkit.Account(base, wire.PathAccountSignUp, account, "bench files password")
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(s.Token), nil
}
