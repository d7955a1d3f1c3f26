//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"sambung/relay"
)

// benchArgon2 replaces argon2id's 19 MiB, 2 passes for the sign-up of
// thousands of devices; it is what the relay's own tests use.
var benchArgon2 = relay.Argon2Params{Memory: 64, Time: 1, Threads: 1}

// benchAuthRate replaces 20 sign-ups a minute per IP: every client of the
// bench signs up from 127.0.0.1.
var benchAuthRate = relay.Rate{Count: 1_000_000, Per: time.Second, Burst: 1_000_000}

// relayConfig is the relay's configuration in the bench: the defaults but
// for benchArgon2, benchAuthRate and, when frameRate > 0, the per-connection
// frame rate. deviations says so, for the output.
func relayConfig(data string, frameRate int) (cfg relay.Config, deviations []string) {
	cfg = relay.Config{
		DataDir:  data,
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		Argon2:   benchArgon2,
		AuthRate: benchAuthRate,
	}
	d := relay.DefaultArgon2
	deviations = append(deviations,
		fmt.Sprintf("argon2id m=%d KiB t=%d p=%d (default m=%d KiB t=%d p=%d), for the mass sign-up",
			benchArgon2.Memory, benchArgon2.Time, benchArgon2.Threads, d.Memory, d.Time, d.Threads),
		fmt.Sprintf("sign-ups per IP %d/s (default 20/min, burst 10): every client is 127.0.0.1", benchAuthRate.Count))
	if frameRate > 0 {
		cfg.FrameRate = relay.Rate{Count: frameRate, Per: time.Second, Burst: 2 * frameRate}
		deviations = append(deviations, fmt.Sprintf("frames per connection %d/s, burst %d (default 200/s, burst 400)", frameRate, 2*frameRate))
	}
	deviations = append(deviations, "log level warn (default info); everything else default: synced Badger, mailbox depth 10,000, push window 256, 2 connections per device")
	return cfg, deviations
}

// raiseFileLimit lifts the soft limit on open files to the hard one: every
// websocket is a file descriptor in both processes.
func raiseFileLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	return l.Cur, nil
}

// childStats is what a child reports of its Go runtime.
type childStats struct {
	Goroutines int    `json:"goroutines"`
	HeapInuse  uint64 `json:"heapInuse"`
	StackInuse uint64 `json:"stackInuse"`
	Sys        uint64 `json:"sys"`
	NumGC      uint32 `json:"numGC"`
}

// serve is the child: a relay ("relay") or a raw echo server ("echo") on a
// loopback port. It prints "listening ADDR", then obeys one command a line
// on stdin: "stats" and "gc" (a forced GC first) print "stats {json}";
// "profile start" and "profile stop" run the CPU profile into cpuprofile
// and the execution trace into tracefile, and "profile stop" also writes a
// heap profile to memprofile; "stop" or the end of stdin shuts it down.
func serve(kind, data, cpuprofile, memprofile, tracefile string, frameRate int) error {
	if _, err := raiseFileLimit(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var handler http.Handler
	closeFn := func() error { return nil }
	switch kind {
	case "relay":
		cfg, _ := relayConfig(data, frameRate)
		srv, err := relay.New(cfg)
		if err != nil {
			return err
		}
		handler, closeFn = srv, srv.Close
	case "echo":
		handler = http.HandlerFunc(echo)
	default:
		return fmt.Errorf("-serve %q: relay or echo", kind)
	}
	hs := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	fmt.Printf("listening %s\n", ln.Addr())

	var prof, tr *os.File
	stopProfile := func() {
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
			prof = nil
		}
		if tr != nil {
			trace.Stop()
			tr.Close()
			tr = nil
		}
	}
	in := bufio.NewScanner(os.Stdin)
commands:
	for in.Scan() {
		switch in.Text() {
		case "gc":
			runtime.GC()
			debug.FreeOSMemory()
			fallthrough
		case "stats":
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			b, _ := json.Marshal(childStats{runtime.NumGoroutine(), m.HeapInuse, m.StackInuse, m.Sys, m.NumGC})
			fmt.Printf("stats %s\n", b)
		case "profile start":
			if cpuprofile != "" && prof == nil {
				if prof, err = os.Create(cpuprofile); err != nil {
					return err
				}
				if err := pprof.StartCPUProfile(prof); err != nil {
					return err
				}
			}
			if tracefile != "" && tr == nil {
				if tr, err = os.Create(tracefile); err != nil {
					return err
				}
				if err := trace.Start(tr); err != nil {
					return err
				}
			}
			fmt.Println("ok")
		case "profile stop":
			stopProfile()
			if memprofile != "" {
				f, err := os.Create(memprofile)
				if err != nil {
					return err
				}
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
			fmt.Println("ok")
		case "stop":
			break commands
		}
	}
	stopProfile()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	hs.Shutdown(ctx)
	return closeFn()
}

// echo is the baseline: a bare coder/websocket server that writes back
// every message it reads.
func echo(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := context.Background()
	for {
		typ, b, err := c.Read(ctx)
		if err != nil {
			return
		}
		if c.Write(ctx, typ, b) != nil {
			return
		}
	}
}

// child is a server process started by the generator.
type child struct {
	cmd   *exec.Cmd
	addr  string
	in    io.WriteCloser
	lines chan string
}

// childTimeout bounds a child's start, a command's answer and its stop.
const childTimeout = 30 * time.Second

// startChild re-executes this program with -serve kind and waits until it
// listens.
func startChild(kind string, args ...string) (*child, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, append([]string{"-serve", kind}, args...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, lines: make(chan string, 16)}
	if c.in, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
		close(c.lines)
	}()
	l, err := c.line()
	if err != nil {
		c.kill()
		return nil, err
	}
	addr, ok := strings.CutPrefix(l, "listening ")
	if !ok {
		c.kill()
		return nil, fmt.Errorf("%s child: %q", kind, l)
	}
	c.addr = addr
	return c, nil
}

func (c *child) line() (string, error) {
	select {
	case l, ok := <-c.lines:
		if !ok {
			return "", errors.New("child exited")
		}
		return l, nil
	case <-time.After(childTimeout):
		return "", errors.New("child did not answer")
	}
}

// command sends one command and returns the child's answer line.
func (c *child) command(cmd string) (string, error) {
	if _, err := fmt.Fprintln(c.in, cmd); err != nil {
		return "", err
	}
	return c.line()
}

// stats asks for the child's runtime figures, after a forced GC if gc.
func (c *child) stats(gc bool) (childStats, error) {
	cmd := "stats"
	if gc {
		cmd = "gc"
	}
	var s childStats
	l, err := c.command(cmd)
	if err != nil {
		return s, err
	}
	b, ok := strings.CutPrefix(l, "stats ")
	if !ok {
		return s, fmt.Errorf("stats: %q", l)
	}
	return s, json.Unmarshal([]byte(b), &s)
}

// stop asks the child to shut down and waits, killing it past childTimeout.
func (c *child) stop() error {
	fmt.Fprintln(c.in, "stop")
	c.in.Close()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(childTimeout):
		c.kill()
		return errors.New("child did not stop; killed")
	}
}

func (c *child) kill() {
	c.cmd.Process.Kill()
	c.in.Close()
}

// memory reads the child's resident set (VmRSS) and its peak (VmHWM) in
// bytes from /proc.
func (c *child) memory() (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch name {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak, nil
}

// cpu reads the child's user plus system CPU time from /proc.
func (c *child) cpu() (time.Duration, error) {
	return procCPU(fmt.Sprintf("/proc/%d/stat", c.cmd.Process.Pid))
}

// clockTick is USER_HZ, the unit of /proc's CPU times; 100 on Linux.
const clockTick = 10 * time.Millisecond

func procCPU(path string) (time.Duration, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in brackets and may hold spaces.
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0, fmt.Errorf("%s: no command field", path)
	}
	f := strings.Fields(rest) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: short", path)
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * clockTick, nil
}
