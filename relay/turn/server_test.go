//go:build !js

package turn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sambung/internal/testkit"
	"strings"
	"testing"
	"time"

	"github.com/pion/stun/v3"
	pion "github.com/pion/turn/v4"
)

// waitTimeout bounds a wait for the server: a datagram, a deallocation.
// Seconds on a loaded machine; a server that never answers still fails.
const waitTimeout = 30 * time.Second

type env struct {
	t     *testing.T
	srv   *Server
	clock *testkit.Clock
	log   *testkit.Buffer
}

// startServer runs a real server on a free loopback port.
func startServer(t *testing.T, tweak ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, clock: &testkit.Clock{}, log: &testkit.Buffer{}}
	cfg := Config{
		Enabled: true,
		Listen:  "127.0.0.1:0",
		Logger:  slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug - 4})),
		Now:     e.clock.Now,
	}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(func() {
		srv.Close()
		if t.Failed() {
			t.Log("server log:\n" + e.log.String())
		}
	})
	return e
}

func (e *env) udpAddr() string { return fmt.Sprintf("127.0.0.1:%d", e.srv.Port()) }

// client is a real pion/turn client over UDP, or over TCP with tcp.
func (e *env) client(user, pass string, tcp bool) *pion.Client {
	e.t.Helper()
	var conn net.PacketConn
	if tcp {
		c, err := net.Dial("tcp4", e.udpAddr())
		if err != nil {
			e.t.Fatal(err)
		}
		conn = pion.NewSTUNConn(c)
	} else {
		c, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			e.t.Fatal(err)
		}
		conn = c
	}
	cl, err := pion.NewClient(&pion.ClientConfig{
		STUNServerAddr: e.udpAddr(),
		TURNServerAddr: e.udpAddr(),
		Username:       user,
		Password:       pass,
		Realm:          DefaultRealm,
		Conn:           conn,
		RTO:            100 * time.Millisecond,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cl.Listen(); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { cl.Close(); conn.Close() })
	return cl
}

// peer is a plain UDP socket the relayed datagrams go to and come from.
func peer(t *testing.T) net.PacketConn {
	t.Helper()
	p, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// read reads one datagram, failing after waitTimeout.
func read(t *testing.T, c net.PacketConn) ([]byte, net.Addr) {
	t.Helper()
	buf := make([]byte, 1600)
	c.SetReadDeadline(time.Now().Add(waitTimeout))
	n, from, err := c.ReadFrom(buf)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return buf[:n], from
}

// roundTrip relays one datagram each way between relayed and p.
func roundTrip(t *testing.T, relayed, p net.PacketConn, msg string) {
	t.Helper()
	if _, err := relayed.WriteTo([]byte(msg), p.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	got, from := read(t, p)
	if string(got) != msg {
		t.Fatalf("peer got %q, want %q", got, msg)
	}
	if from.String() != relayed.LocalAddr().String() {
		t.Fatalf("peer got it from %s, not the relayed address %s", from, relayed.LocalAddr())
	}
	if _, err := p.WriteTo([]byte("re:"+msg), relayed.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	got, from = read(t, relayed)
	if string(got) != "re:"+msg || from.String() != p.LocalAddr().String() {
		t.Fatalf("client got %q from %s", got, from)
	}
}

func TestRelayUDPAndTCP(t *testing.T) {
	e := startServer(t)
	for _, tcp := range []bool{false, true} {
		c := e.srv.Credential()
		relayed, err := e.client(c.Username, c.Password, tcp).Allocate()
		if err != nil {
			t.Fatalf("tcp %v: allocate: %v", tcp, err)
		}
		if ip := relayed.LocalAddr().(*net.UDPAddr).IP; !ip.Equal(net.IPv4(127, 0, 0, 1)) {
			t.Fatalf("relayed address %s, want the relay IP", relayed.LocalAddr())
		}
		p := peer(t)
		for i := range 3 {
			roundTrip(t, relayed, p, fmt.Sprintf("tcp=%v #%d", tcp, i))
		}
	}
	if n := e.srv.pion.AllocationCount(); n != 2 {
		t.Fatalf("%d allocations, want 2", n)
	}
	var m bytes.Buffer
	e.srv.WriteMetrics(&m)
	// Each round trip is len(msg) out and len(msg)+3 in: "tcp=false #0" is
	// 12 bytes, "tcp=true #0" 11; three of each.
	out := int64(3*12 + 3*11)
	for _, want := range []string{
		fmt.Sprintf("sambung_turn_bytes_out_total %d\n", out),
		fmt.Sprintf("sambung_turn_bytes_in_total %d\n", out+6*3),
		"sambung_turn_allocations 2\n",
		"sambung_turn_auth_refused_total 0\n",
	} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, m.String())
		}
	}
}

func TestSTUNBinding(t *testing.T) {
	e := startServer(t)
	cl := e.client("", "", false)
	mapped, err := cl.SendBindingRequest()
	if err != nil {
		t.Fatal(err)
	}
	if !mapped.(*net.UDPAddr).IP.IsLoopback() {
		t.Fatalf("mapped address %s", mapped)
	}
}

func TestRefused(t *testing.T) {
	e := startServer(t, func(c *Config) { c.TTL = time.Minute })
	good := e.srv.Credential()
	other := startServer(t).srv.Credential() // another relay's secret
	expiredSoon := e.srv.Credential()
	e.clock.Advance(time.Minute + time.Second)
	cases := []struct{ name, user, pass string }{
		{"wrong password", good.Username, good.Password[:10] + "x"},
		{"another relay's credential", other.Username, other.Password},
		{"longer expiry", "9" + good.Username, good.Password},
		{"not our form", "alice", "secret"},
		{"expired", expiredSoon.Username, expiredSoon.Password},
	}
	for _, c := range cases {
		if _, err := e.client(c.user, c.pass, false).Allocate(); err == nil {
			t.Errorf("%s: allocated", c.name)
		}
	}
	if n := e.srv.pion.AllocationCount(); n != 0 {
		t.Fatalf("%d allocations", n)
	}
	if got := e.srv.meter.refused.Load(); got != int64(len(cases)) {
		t.Errorf("refused counter %d, want %d", got, len(cases))
	}
	if strings.Contains(e.log.String(), good.Password) || strings.Contains(e.log.String(), expiredSoon.Password) {
		t.Fatal("a password is in the log")
	}
}

// refresh sends a TURN Refresh for cl's allocation with the given
// credential, as the client's own timer would, and returns the STUN error
// code (0 for success).
func refresh(t *testing.T, cl *pion.Client, server, user, pass string) int {
	t.Helper()
	to, _ := net.ResolveUDPAddr("udp4", server)
	lifetime := stun.RawAttribute{Type: stun.AttrLifetime, Value: binary.BigEndian.AppendUint32(nil, 600)}
	refreshType := stun.NewType(stun.MethodRefresh, stun.ClassRequest)
	// Without integrity the server answers 401 with a nonce.
	m, err := stun.Build(stun.TransactionID, refreshType, lifetime, stun.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cl.PerformTransaction(m, to, false)
	if err != nil {
		t.Fatal(err)
	}
	var nonce stun.Nonce
	if err := nonce.GetFrom(res.Msg); err != nil {
		t.Fatalf("no nonce in %v", res.Msg)
	}
	m, err = stun.Build(stun.TransactionID, refreshType, lifetime, stun.NewUsername(user), stun.NewRealm(DefaultRealm),
		nonce, stun.NewLongTermIntegrity(user, DefaultRealm, pass), stun.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if res, err = cl.PerformTransaction(m, to, false); err != nil {
		t.Fatal(err)
	}
	if res.Msg.Type.Class == stun.ClassSuccessResponse {
		return 0
	}
	var code stun.ErrorCodeAttribute
	code.GetFrom(res.Msg)
	return int(code.Code)
}

// TestRefreshAfterExpiry is a call that outlives its credential: the
// allocation it made keeps refreshing within the grace period, no new
// allocation starts with the expired credential, and past the grace
// refreshes fail too.
func TestRefreshAfterExpiry(t *testing.T) {
	e := startServer(t, func(c *Config) { c.TTL = time.Minute; c.RefreshGrace = time.Hour })
	c := e.srv.Credential()
	cl := e.client(c.Username, c.Password, false)
	relayed, err := cl.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	p := peer(t)
	roundTrip(t, relayed, p, "before expiry")
	if code := refresh(t, cl, e.udpAddr(), c.Username, c.Password); code != 0 {
		t.Fatalf("refresh before expiry: %d", code)
	}

	e.clock.Advance(30 * time.Minute) // expired, within the grace
	if code := refresh(t, cl, e.udpAddr(), c.Username, c.Password); code != 0 {
		t.Fatalf("refresh after expiry: %d", code)
	}
	if code := refresh(t, cl, e.udpAddr(), c.Username, c.Password[:8]+"AAAA"+c.Password[12:]); code == 0 {
		t.Fatal("refresh with a wrong password succeeded")
	}
	roundTrip(t, relayed, peer(t), "after expiry, new permission") // CreatePermission with the expired credential
	if _, err := e.client(c.Username, c.Password, false).Allocate(); err == nil {
		t.Fatal("a new client allocated with an expired credential")
	}

	e.clock.Advance(31 * time.Minute) // past the grace
	if code := refresh(t, cl, e.udpAddr(), c.Username, c.Password); code == 0 {
		t.Fatal("refresh past the grace succeeded")
	}
}

// TestGraceEndsWithAllocation: once the allocation is gone, its client
// cannot start another with the expired credential.
func TestGraceEndsWithAllocation(t *testing.T) {
	e := startServer(t, func(c *Config) { c.TTL = time.Minute })
	c := e.srv.Credential()
	cl := e.client(c.Username, c.Password, false)
	relayed, err := cl.Allocate()
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(2 * time.Minute)
	relayed.Close() // Refresh with lifetime 0: deallocate
	deadline := time.Now().Add(waitTimeout)
	for e.srv.pion.AllocationCount() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("allocation not deleted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := cl.Allocate(); err == nil {
		t.Fatal("allocated again with an expired credential")
	}
}

func TestQuota(t *testing.T) {
	e := startServer(t, func(c *Config) { c.MaxAllocations = 2 })
	c := e.srv.Credential()
	for i := range 2 {
		if _, err := e.client(c.Username, c.Password, false).Allocate(); err != nil {
			t.Fatalf("allocation %d: %v", i, err)
		}
	}
	if _, err := e.client(c.Username, c.Password, false).Allocate(); err == nil {
		t.Fatal("third allocation of one credential succeeded")
	}
	d := e.srv.Credential()
	if _, err := e.client(d.Username, d.Password, false).Allocate(); err != nil {
		t.Fatalf("another credential: %v", err)
	}
}

func TestURLs(t *testing.T) {
	e := startServer(t)
	p := fmt.Sprint(e.srv.Port())
	want := []string{"turn:127.0.0.1:" + p + "?transport=udp", "turn:127.0.0.1:" + p + "?transport=tcp", "stun:127.0.0.1:" + p}
	s, exp := e.srv.ICEServer()
	if strings.Join(s.URLs, " ") != strings.Join(want, " ") {
		t.Fatalf("urls %q, want %q", s.URLs, want)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if d := time.Until(exp); d < DefaultTTL-2*time.Second || d > DefaultTTL {
		t.Fatalf("expires in %v", d)
	}
	u := startServer(t, func(c *Config) { c.NoTCP = true; c.RelayIP = "127.0.0.1" })
	if urls := u.srv.URLs(); len(urls) != 2 || strings.Contains(urls[0]+urls[1], "tcp") {
		t.Fatalf("NoTCP urls %q", urls)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, c := range []Config{
		{Listen: ":0"},                          // every interface needs a relay IP
		{Listen: "0.0.0.0:0"},                   // same
		{Listen: "127.0.0.1:0", RelayIP: "::1"}, // IPv4 only: pion relays on udp4
		{Listen: "127.0.0.1:0", RelayIP: "nope"},
		{Listen: "127.0.0.1"},
		{Listen: "127.0.0.1:99999"},
	} {
		c.Logger = slog.New(slog.DiscardHandler)
		if s, err := New(c); err == nil {
			s.Close()
			t.Errorf("%+v: started", c)
		} else if !errors.Is(err, ErrRelayIP) && !errors.Is(err, ErrListen) {
			t.Errorf("%+v: %v", c, err)
		}
	}
	s, err := New(Config{Listen: "0.0.0.0:0", RelayIP: "127.0.0.1", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestSecretPrintsRedacted(t *testing.T) {
	e := startServer(t)
	raw := strings.Trim(fmt.Sprint(e.srv.secret[:]), "[]")
	for _, s := range []string{fmt.Sprint(e.srv.secret), fmt.Sprintf("%#v", e.srv.secret), fmt.Sprintf("%+v", e.srv), fmt.Sprintf("%#v", e.srv)} {
		if strings.Contains(s, raw) {
			t.Fatalf("secret printed: %s", s)
		}
	}
}

func TestAllowedPeer(t *testing.T) {
	public, private, loop := net.ParseIP("203.0.113.7"), net.ParseIP("10.1.2.3"), net.ParseIP("127.0.0.1")
	cases := []struct {
		relay, peer net.IP
		ok          bool
	}{
		{public, net.ParseIP("198.51.100.9"), true},
		{public, net.ParseIP("2001:db8::1"), true},
		{public, private, false},
		{public, net.ParseIP("192.168.1.1"), false},
		{public, loop, false},
		{public, net.ParseIP("169.254.169.254"), false},
		{public, net.ParseIP("224.0.0.1"), false},
		{public, net.ParseIP("0.0.0.0"), false},
		{private, net.ParseIP("192.168.1.1"), true},
		{private, loop, false},
		{private, net.ParseIP("198.51.100.9"), true},
		{loop, loop, true},
		{loop, private, true},
		{loop, net.ParseIP("169.254.169.254"), false},
	}
	for _, c := range cases {
		if got := allowedPeer(c.relay, c.peer); got != c.ok {
			t.Errorf("relay %s peer %s: %v, want %v", c.relay, c.peer, got, c.ok)
		}
	}
}
