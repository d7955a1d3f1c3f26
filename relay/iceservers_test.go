//go:build !js

package relay

import (
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	pion "github.com/pion/turn/v4"

	"sambung/relay/turn"
	"sambung/wire"
)

var externalSTUN = wire.ICEServer{URLs: []string{"stun:stun.example.org:3478"}}

// withTURN turns the built-in TURN server on, on a free loopback port, as
// the browser call tests do, and configures one external server.
func withTURN(c *Config) {
	c.TURN = turn.Config{Enabled: true, Listen: "127.0.0.1:0", RelayIP: "127.0.0.1"}
	c.ICEServers = []wire.ICEServer{externalSTUN}
}

// turnClient is a real pion/turn client on UDP, with a credential from the
// endpoint, for the server its TURN-over-UDP URL names.
func turnClient(t *testing.T, s wire.ICEServer, username, credential string) *pion.Client {
	t.Helper()
	addr, ok := strings.CutPrefix(s.URLs[0], "turn:")
	addr, ok2 := strings.CutSuffix(addr, "?transport=udp")
	if !ok || !ok2 {
		t.Fatalf("first url %q is not TURN over UDP", s.URLs[0])
	}
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := pion.NewClient(&pion.ClientConfig{
		STUNServerAddr: addr, TURNServerAddr: addr,
		Username: username, Password: credential, Realm: turn.DefaultRealm,
		// A retransmitted request is refused, and counted, again: the
		// client retransmits only when the server has been silent for
		// seconds, never because a loaded machine answered late.
		Conn: conn, RTO: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Listen(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close(); conn.Close() })
	return cl
}

// TestICEServersTURN is the whole path a browser call takes: a signed-up
// device asks the relay for ICE servers over HTTP, allocates on the
// built-in TURN server with the credential, and relays datagrams to a
// peer both ways; the metrics count them.
func TestICEServersTURN(t *testing.T) {
	r := startRelay(t, withTURN)
	r.wantCode(wire.CodeUnauthorized, "GET", wire.PathICEServers, nil, nil)
	r.wantCode(wire.CodeUnauthorized, "GET", wire.PathICEServers, make([]byte, wire.TokenSize), nil)
	r.wantCode(wire.CodeMethodNotAllowed, "POST", wire.PathICEServers, nil, nil)

	alice := r.signUpPhone("+6281234567890", 1)
	var got wire.ICEServers
	before := r.clock.Now()
	r.mustCall("GET", wire.PathICEServers, alice.Token, nil, &got)
	if len(got.ICEServers) != 2 || got.ICEServers[1].Username != "" || got.ICEServers[1].URLs[0] != externalSTUN.URLs[0] {
		t.Fatalf("ice servers %+v", got)
	}
	own := got.ICEServers[0]
	if err := own.Validate(); err != nil {
		t.Fatal(err)
	}
	wantExp := before.Add(turn.DefaultTTL).UnixMilli()
	if got.Expires < wantExp-2000 || got.Expires > wantExp+1000 || got.Expires%1000 != 0 {
		t.Fatalf("expires %d, want about %d", got.Expires, wantExp)
	}
	exp, _, _ := strings.Cut(own.Username, ":")
	if exp+"000" != strconv.FormatInt(got.Expires, 10) {
		t.Fatalf("username %q does not carry the expiry %d", own.Username, got.Expires)
	}
	var again wire.ICEServers
	r.mustCall("GET", wire.PathICEServers, alice.Token, nil, &again)
	if again.ICEServers[0].Username == own.Username || again.ICEServers[0].Credential == own.Credential {
		t.Fatal("two requests got the same credential")
	}

	relayed, err := turnClient(t, own, own.Username, own.Credential).Allocate()
	if err != nil {
		t.Fatalf("allocate with the endpoint's credential: %v", err)
	}
	p, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	buf := make([]byte, 1500)
	for _, msg := range []string{"rtp 1", "rtp 2"} {
		if _, err := relayed.WriteTo([]byte(msg), p.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		p.SetReadDeadline(time.Now().Add(waitTimeout))
		n, from, err := p.ReadFrom(buf)
		if err != nil || string(buf[:n]) != msg || from.String() != relayed.LocalAddr().String() {
			t.Fatalf("peer: %q from %v, %v", buf[:n], from, err)
		}
		if _, err := p.WriteTo([]byte("echo "+msg), from); err != nil {
			t.Fatal(err)
		}
		relayed.SetReadDeadline(time.Now().Add(waitTimeout))
		if n, _, err = relayed.ReadFrom(buf); err != nil || string(buf[:n]) != "echo "+msg {
			t.Fatalf("client: %q, %v", buf[:n], err)
		}
	}
	r.wantMetrics(map[string]int64{
		"sambung_turn_bytes_out_total": 10,
		"sambung_turn_bytes_in_total":  20,
		"sambung_turn_allocations":     1,
	})

	// A wrong credential, and the right one once it has expired by the
	// relay's clock, start nothing.
	if _, err := turnClient(t, own, own.Username, again.ICEServers[0].Credential).Allocate(); err == nil {
		t.Fatal("allocated with another username's credential")
	}
	r.clock.Advance(turn.DefaultTTL + time.Second)
	if _, err := turnClient(t, own, again.ICEServers[0].Username, again.ICEServers[0].Credential).Allocate(); err == nil {
		t.Fatal("allocated with an expired credential")
	}
	if got := r.metric("sambung_turn_auth_refused_total"); got != 2 {
		t.Errorf("refused %d, want 2", got)
	}
	for _, l := range r.log.all() {
		if strings.Contains(l, own.Credential) {
			t.Fatalf("a credential is in the log: %s", l)
		}
	}
}

// TestICEServersOff: with the built-in server off and nothing configured,
// the answer is an empty list, and /metrics has no TURN lines.
func TestICEServersOff(t *testing.T) {
	r := startRelay(t)
	alice := r.signUpPhone("+6281234567891", 1)
	req, _ := http.NewRequest("GET", r.hs.URL+wire.PathICEServers, nil)
	req.Header.Set("Authorization", "Bearer "+base64.StdEncoding.EncodeToString(alice.Token))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"iceServers":[],"expires":0}` {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	resp, err = http.Get(r.hs.URL + wire.PathMetrics)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(body), "sambung_turn") {
		t.Fatal("TURN metrics while TURN is off")
	}
}

// TestICEServersBadConfig: the relay refuses to start with an external
// server a browser would reject.
func TestICEServersBadConfig(t *testing.T) {
	cfg := Config{DataDir: t.TempDir(), MemTableSize: 8 << 20, Argon2: testArgon2,
		ICEServers: []wire.ICEServer{{URLs: []string{"turn:t.example.org"}}}}
	if s, err := New(cfg); err == nil {
		s.Close()
		t.Fatal("started with a TURN server without credentials")
	}
}

// TestICEServersRateLimited: one device mints at most the burst (10) of
// TURN credentials at once, then gets rate_limited until the bucket
// refills; another device of the same person is not held back.
func TestICEServersRateLimited(t *testing.T) {
	r := startRelay(t, withTURN)
	r.clock.Freeze()
	a := r.signUpAccount("alice", "alice password", 0)
	a2 := r.signInAccount("alice", "alice password", 0)
	for i := range 10 {
		var out wire.ICEServers
		r.mustCall("GET", wire.PathICEServers, a.Token, nil, &out)
		if len(out.ICEServers) != 2 || out.ICEServers[0].Credential == "" {
			t.Fatalf("answer %d: %+v", i, out)
		}
	}
	if e := r.wantCode(wire.CodeRateLimited, "GET", wire.PathICEServers, a.Token, nil); e.RetryAfter != 120 {
		t.Fatalf("retryAfter %d, want 120 (30 an hour)", e.RetryAfter)
	}
	r.mustCall("GET", wire.PathICEServers, a2.Token, nil, nil)
	r.clock.Advance(2 * time.Minute)
	r.mustCall("GET", wire.PathICEServers, a.Token, nil, nil)
	r.wantCode(wire.CodeRateLimited, "GET", wire.PathICEServers, a.Token, nil)
}
