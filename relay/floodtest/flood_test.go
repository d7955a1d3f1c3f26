//go:build linux

package floodtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sambung/internal/relaytest"
	"sambung/internal/testkit"
	"sambung/relay"
	"sambung/wire"
)

// childEnv names the Badger directory of the child relay; TestMain serves
// the relay instead of running tests when it is set.
const childEnv = "SAMBUNG_FLOODTEST_DATA"

func TestMain(m *testing.M) { testkit.Main(m, childEnv, serveChild) }

// serveChild runs a relay with the default limits on a loopback port,
// until its stdin closes, but for two settings: cheap argon2id costs (the
// real client signs in during the flood, and 19 MiB of argon2id would blur
// the measurement), and an auth deadline of a minute instead of 5 seconds,
// so that every hostile socket stands through the measurement. With the
// default they would be cut off and reopened every 5 seconds, which only
// lowers what they hold at once.
func serveChild(dir string) {
	relaytest.ServeChild(relay.Config{
		DataDir:     dir,
		Logger:      relaytest.ChildLogger(),
		Argon2:      relay.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		AuthTimeout: time.Minute,
	})
}

// startChild starts the child relay and returns its address and process.
func startChild(t *testing.T) (string, *os.Process) {
	t.Helper()
	c := relaytest.StartChild(t, childEnv+"="+t.TempDir())
	return strings.TrimPrefix(c.URL, "http://"), c.Cmd.Process
}

// rss reads a process's resident set size from /proc.
func rss(t *testing.T, p *os.Process) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.Pid) + "/status")
	if err != nil {
		t.Error(err)
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Error("no VmRSS")
	return 0
}

// gauge reads one gauge from the relay's /metrics.
func gauge(t *testing.T, addr, name string) int64 {
	n, err := testkit.Gauge("http://"+addr, name)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// hostileFrame is the start of a first frame that claims 5.2 MB (the
// largest frame an authenticated device may send) and delivers just under
// the relay's pre-auth read limit, then stalls: the most a socket can make
// the relay hold without being cut off at once.
var hostileFrame = func() []byte {
	b := []byte{0x81, 0x80 | 127}
	b = binary.BigEndian.AppendUint64(b, 5_200_000)
	b = append(b, 1, 2, 3, 4) // mask key
	return append(b, bytes.Repeat([]byte{'x'}, wire.MaxAuthFrame-48)...)
}()

// hostile opens one websocket from src by hand, sends hostileFrame and
// holds the socket until the relay closes it. It returns the HTTP status
// of the upgrade answer (101 when admitted), after calling held when the
// frame is sent. A socket the relay closes is reopened by the caller.
func hostile(ctx context.Context, src net.IP, addr string, held func()) (int, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", wire.PathWebSocket, addr)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		var e wire.Error
		json.NewDecoder(resp.Body).Decode(&e)
		if resp.StatusCode == http.StatusTooManyRequests && e.Code != wire.CodeRateLimited {
			return 0, fmt.Errorf("refused with %d %s", resp.StatusCode, e.Code)
		}
		return resp.StatusCode, nil
	}
	if _, err := c.Write(hostileFrame); err != nil {
		return 0, err
	}
	held()
	io.Copy(io.Discard, br) // until the relay cuts it off
	return resp.StatusCode, nil
}

// raiseFileLimit lifts the soft limit on open files to the hard one: each
// hostile socket is a descriptor here and in the child.
func raiseFileLimit(t *testing.T, need uint64) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Fatal(err)
	}
	if l.Cur < need {
		t.Skipf("open file limit %d, need %d", l.Cur, need)
	}
}

const (
	// floodAddrs source addresses hold floodPerAddr sockets each: 3,000,
	// each address below the relay's default per-address cap (128).
	floodAddrs   = 30
	floodPerAddr = 100
	// greedy sockets come from one more address, past its cap.
	greedy = 200
	// defaultPerAddr is relay.Config's default MaxUnauthenticatedPerAddr.
	defaultPerAddr = 128
	// perSocket is the most one unauthenticated socket may add to the
	// relay's resident memory (docs/SECURITY.md, "Abuse"): about 28 KiB
	// measured, mostly the connection's goroutine stack and its 4 KiB read
	// and write buffers, plus the garbage collector's slack.
	perSocket = 40 << 10
)

// TestPreAuthFlood: 3,000 hostile sockets, each on an unfinished first
// frame, and 200 more from one address. The relay admits 128 of the greedy
// address's at a time, refuses the rest with rate_limited, stays within
// 40 KiB of resident memory per socket, and a real client signs in, connects and
// chats during the flood.
func TestPreAuthFlood(t *testing.T) {
	if testing.Short() {
		t.Skip("3,000 sockets")
	}
	raiseFileLimit(t, 2*(floodAddrs*floodPerAddr+greedy)+1000)
	addr, proc := startChild(t)
	alice := signUp(t, addr, "alice", "alice password")
	bob := signUp(t, addr, "bob", "bob password")
	before := rss(t, proc)

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	var peak atomic.Int64
	wg.Add(1)
	go func() { // sample the child's memory through the flood
		defer wg.Done()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			if m := rss(t, proc); m > peak.Load() {
				peak.Store(m)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()

	var floodErr atomic.Value
	var opened, refused atomic.Int64
	for a := range floodAddrs {
		src := net.IPv4(127, 0, 1, byte(a+1))
		for range floodPerAddr {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					status, err := hostile(ctx, src, addr, func() { opened.Add(1) })
					if err != nil && ctx.Err() == nil {
						floodErr.Store(err)
						return
					}
					if status != http.StatusSwitchingProtocols && status != 0 {
						refused.Add(1)
					}
				}
			}()
		}
	}

	// Wait for the flood to stand: 3,000 sockets unauthenticated at once.
	deadline := time.Now().Add(time.Minute)
	for gauge(t, addr, "sambung_unauthenticated") < floodAddrs*floodPerAddr {
		if time.Now().After(deadline) {
			t.Fatalf("the flood never stood: %d sockets waiting, %d opened, err %v",
				gauge(t, addr, "sambung_unauthenticated"), opened.Load(), floodErr.Load())
		}
		if err := floodErr.Load(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // polling the gauge, not waiting for it to change
	}

	// One more address asks for 200 while the flood stands.
	var held, maxHeld, greedyRefused atomic.Int64
	gsrc := net.IPv4(127, 0, 2, 1)
	var gwg sync.WaitGroup
	gctx, gcancel := context.WithCancel(ctx)
	admitted := make(chan struct{}, greedy)
	for range greedy {
		gwg.Add(1)
		go func() {
			defer gwg.Done()
			var once sync.Once
			answered := func() { once.Do(func() { admitted <- struct{}{} }) }
			defer answered()
			status, err := hostile(gctx, gsrc, addr, func() {
				n := held.Add(1)
				for m := maxHeld.Load(); n > m && !maxHeld.CompareAndSwap(m, n); m = maxHeld.Load() {
				}
				answered()
			})
			if status == http.StatusSwitchingProtocols {
				held.Add(-1)
			}
			if err != nil && gctx.Err() == nil {
				floodErr.Store(err)
			}
			if status == http.StatusTooManyRequests {
				greedyRefused.Add(1)
			}
		}()
	}
	for range greedy {
		<-admitted
	}

	// A real client signs in, connects and chats through the flood.
	bob2 := signIn(t, addr, "bob", "bob password")
	a := testkit.DialT(t, "http://"+addr, alice)
	b := testkit.DialT(t, "http://"+addr, bob)
	b2 := testkit.DialT(t, "http://"+addr, bob2)
	a.Send(t, &wire.SendFrame{ID: "s1", To: bob.PersonID, Envelopes: []wire.Envelope{
		{ID: "m1", Device: bob.DeviceID, Type: 1, Body: []byte("through the flood"), TS: 1},
		{ID: "m1", Device: bob2.DeviceID, Type: 1, Body: []byte("through the flood"), TS: 1},
	}})
	if f := testkit.Expect[*wire.SentFrame](t, a); f.ID != "s1" {
		t.Fatalf("sent %+v", f)
	}
	for _, c := range []*testkit.Conn{b, b2} {
		env := testkit.Expect[*wire.EnvelopesFrame](t, c)
		if len(env.Envelopes) != 1 || string(env.Envelopes[0].Body) != "through the flood" {
			t.Fatalf("received %+v", env)
		}
	}
	standing := gauge(t, addr, "sambung_unauthenticated")
	after := peak.Load()
	gcancel()
	gwg.Wait()

	if err := floodErr.Load(); err != nil {
		t.Fatal(err)
	}
	if maxHeld.Load() != defaultPerAddr || greedyRefused.Load() < greedy-defaultPerAddr {
		t.Errorf("one address held %d sockets at most and was refused %d times; want %d and at least %d",
			maxHeld.Load(), greedyRefused.Load(), defaultPerAddr, greedy-defaultPerAddr)
	}
	if standing < floodAddrs*floodPerAddr {
		t.Errorf("only %d sockets waiting while the client chatted", standing)
	}
	grew := after - before
	t.Logf("relay RSS %d MiB before, %d MiB at peak with %d sockets waiting (%d opened in all, %d refused): %.1f KiB per socket",
		before>>20, after>>20, standing, opened.Load(), refused.Load(), float64(grew)/1024/float64(standing))
	if bound := standing * perSocket; grew > bound {
		t.Errorf("the flood grew the relay by %d MiB, more than %d MiB", grew>>20, bound>>20)
	}
}

func signUp(t *testing.T, addr, account, password string) wire.Session {
	return testkit.SignUp(t, "http://"+addr, account, password)
}

func signIn(t *testing.T, addr, account, password string) wire.Session {
	t.Helper()
	s, err := testkit.Account("http://"+addr, wire.PathAccountSignIn, account, password)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
