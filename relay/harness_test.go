//go:build !js

package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"sambung/internal/testkit"
	"sambung/wire"
)

// waitTimeout bounds one wait for the relay (a frame, a dial, a close):
// seconds on a loaded machine, never more, so a hung relay still fails.
const waitTimeout = 30 * time.Second

// testArgon2 makes test sign-ups cheap; TestDefaultArgon2 runs the real
// parameters once.
var testArgon2 = Argon2Params{Memory: 64, Time: 1, Threads: 1}

// codeLog is a slog handler that keeps the codes the LogSender writes, so
// tests sign up with the real development sender.
type codeLog struct {
	mu    sync.Mutex
	codes map[string]string
	lines []string
}

func (h *codeLog) Enabled(context.Context, slog.Level) bool { return true }
func (h *codeLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *codeLog) WithGroup(string) slog.Handler            { return h }
func (h *codeLog) Handle(_ context.Context, r slog.Record) error {
	var phone, code string
	line := r.Message
	r.Attrs(func(a slog.Attr) bool {
		line += " " + a.Key + "=" + a.Value.String()
		switch a.Key {
		case "phone":
			phone = a.Value.String()
		case "code":
			code = a.Value.String()
		}
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = append(h.lines, line)
	if r.Message == "otp" {
		h.codes[phone] = code
	}
	return nil
}

// all returns the lines logged so far; the relay may still be logging.
func (h *codeLog) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.lines...)
}

func (h *codeLog) code(t testing.TB, phone string) string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.codes[phone]
	if !ok {
		t.Fatalf("no code logged for %s", phone)
	}
	return c
}

// testRelay is a real relay on a loopback port over a real Badger dir.
type testRelay struct {
	t     testing.TB
	dir   string
	cfg   Config
	srv   *Server
	hs    *httptest.Server
	log   *codeLog
	clock *testkit.Clock
}

func startRelay(t testing.TB, tweak ...func(*Config)) *testRelay {
	t.Helper()
	r := &testRelay{t: t, dir: t.TempDir(), log: &codeLog{codes: map[string]string{}}, clock: &testkit.Clock{}}
	r.cfg = Config{
		DataDir:    r.dir,
		Logger:     slog.New(r.log),
		Now:        r.clock.Now,
		Argon2:     testArgon2,
		AuthRate:   Rate{Count: 1000, Per: time.Second, Burst: 1000},
		LookupRate: Rate{Count: 1000, Per: time.Second, Burst: 1000},
		// Every client is 127.0.0.1.
		LookupAddrRate: Rate{Count: 1000, Per: time.Second, Burst: 1000},
		// Small memtables: tests open many stores.
		MemTableSize: 8 << 20,
	}
	for _, f := range tweak {
		f(&r.cfg)
	}
	r.start()
	t.Cleanup(r.stop)
	t.Cleanup(func() {
		if t.Failed() {
			for _, l := range r.log.all() {
				t.Log("relay log:", l)
			}
		}
	})
	return r
}

func (r *testRelay) start() {
	srv, err := New(r.cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	r.srv = srv
	r.hs = httptest.NewServer(srv)
}

func (r *testRelay) stop() {
	if r.srv == nil {
		return
	}
	r.hs.Close()
	if err := r.srv.Close(); err != nil {
		r.t.Error(err)
	}
	r.srv = nil
}

// restart stops the relay and starts a new one on the same directory.
func (r *testRelay) restart() {
	r.stop()
	r.start()
}

// call does one HTTP request; out receives the body on 2xx. It returns the
// status and the coded error, if any.
func (r *testRelay) call(method, path string, token []byte, body, out any) (int, *wire.Error) {
	r.t.Helper()
	reply, err := testkit.Request(method, r.hs.URL+path, token, body, out)
	if err != nil {
		r.t.Fatal(err)
	}
	if reply.Header.Get("Content-Security-Policy") != contentSecurityPolicy {
		r.t.Errorf("%s %s: no CSP header", method, path)
	}
	if e := reply.Err; e != nil && e.Code.Status() != reply.Status {
		r.t.Errorf("%s: status %d, table says %d", e.Code, reply.Status, e.Code.Status())
	}
	return reply.Status, reply.Err
}

// mustCall fails the test on any error.
func (r *testRelay) mustCall(method, path string, token []byte, body, out any) {
	r.t.Helper()
	if _, e := r.call(method, path, token, body, out); e != nil {
		r.t.Fatalf("%s %s: %s: %s", method, path, e.Code, e.Message)
	}
}

// wantCode fails the test unless the call fails with code.
func (r *testRelay) wantCode(code wire.Code, method, path string, token []byte, body any) *wire.Error {
	r.t.Helper()
	_, e := r.call(method, path, token, body, nil)
	if e == nil || e.Code != code {
		r.t.Fatalf("%s %s: got %v, want %s", method, path, e, code)
	}
	return e
}

// keys makes a device's key material the way a client does, with n
// one-time prekeys.
func keys(t testing.TB, n int) wire.DeviceKeys { return testkit.DeviceKeys(t, n) }

// keysWithSigner is keys(t, 0) plus a function that makes further signed
// prekeys under the same identity key.
func keysWithSigner(t testing.TB) (wire.DeviceKeys, func(id uint32) wire.SignedPreKey) {
	t.Helper()
	k, sign, err := testkit.NewKeysWithSigner()
	if err != nil {
		t.Fatal(err)
	}
	must := func(id uint32) wire.SignedPreKey {
		spk, err := sign(id)
		if err != nil {
			t.Fatal(err)
		}
		return spk
	}
	k.SignedPreKey = must(1)
	return k, must
}

// signUpPhone signs a device in by phone, reading the code from the log.
func (r *testRelay) signUpPhone(phone string, prekeys int) wire.Session {
	r.t.Helper()
	var sent wire.PhoneCodeResponse
	r.mustCall("POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: phone}, &sent)
	norm, _ := wire.NormalizePhone(phone)
	var s wire.Session
	r.mustCall("POST", wire.PathPhoneVerify, nil, wire.PhoneVerifyRequest{Phone: phone, Code: r.log.code(r.t, norm), Device: keys(r.t, prekeys)}, &s)
	r.clock.Advance(time.Duration(sent.ResendIn) * time.Second) // past the resend wait for the next code
	return s
}

func (r *testRelay) signUpAccount(id, pw string, prekeys int) wire.Session {
	r.t.Helper()
	var s wire.Session
	r.mustCall("POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: id, Password: pw, Device: keys(r.t, prekeys)}, &s)
	return s
}

// aliceAndBob signs up the two accounts most tests need, with no one-time
// prekeys.
func (r *testRelay) aliceAndBob() (alice, bob wire.Session) {
	r.t.Helper()
	return r.signUpAccount("alice", "alice password", 0), r.signUpAccount("bob", "bob password", 0)
}

func (r *testRelay) signInAccount(id, pw string, prekeys int) wire.Session {
	r.t.Helper()
	var s wire.Session
	r.mustCall("POST", wire.PathAccountSignIn, nil, wire.AccountRequest{AccountID: id, Password: pw, Device: keys(r.t, prekeys)}, &s)
	return s
}

// wsClient is a real websocket client of the relay.
type wsClient struct {
	t  testing.TB
	c  *websocket.Conn
	id string // next request id
	n  int
}

func (r *testRelay) dialRaw() *websocket.Conn {
	r.t.Helper()
	return testkit.DialT(r.t, r.hs.URL, wire.Session{}).WS
}

// dial connects and authenticates, and checks the ready frame.
func (r *testRelay) dial(s wire.Session) *wsClient {
	r.t.Helper()
	w := &wsClient{t: r.t, c: r.dialRaw()}
	w.send(&wire.AuthFrame{Token: s.Token})
	ready := expect[*wire.ReadyFrame](w)
	if ready.PersonID != s.PersonID || ready.DeviceID != s.DeviceID {
		r.t.Fatalf("ready for %s/%d, want %s/%d", ready.PersonID, ready.DeviceID, s.PersonID, s.DeviceID)
	}
	return w
}

func (w *wsClient) send(f wire.Frame) {
	w.t.Helper()
	b, err := wire.Encode(f)
	if err != nil {
		w.t.Fatal(err)
	}
	w.sendRaw(b)
}

func (w *wsClient) sendRaw(b []byte) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
}

// next reads one frame, skipping keys-low and drained unless asked for.
func (w *wsClient) next() (wire.Frame, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	_, b, err := w.c.Read(ctx)
	if err != nil {
		return nil, err
	}
	f, err := wire.DecodeServerFrame(b)
	if err != nil {
		w.t.Fatalf("relay sent an undecodable frame %s: %v", b, err)
	}
	return f, nil
}

// frame reads one frame, failing the test when none comes.
func (w *wsClient) frame() wire.Frame {
	w.t.Helper()
	f, err := w.next()
	if err != nil {
		w.t.Fatal(err)
	}
	return f
}

// expect reads frames until one of type T, failing on anything but the
// informational keys-low and drained.
func expect[T wire.Frame](w *wsClient) T {
	w.t.Helper()
	for {
		f, err := w.next()
		if err != nil {
			w.t.Fatalf("waiting for %T: %v", *new(T), err)
		}
		if t, ok := f.(T); ok {
			return t
		}
		switch f.(type) {
		case *wire.KeysLowFrame, *wire.DrainedFrame:
			continue
		}
		w.t.Fatalf("got %#v, want %T", f, *new(T))
	}
}

// expectError reads until an error frame and checks its code.
func (w *wsClient) expectError(code wire.Code) *wire.ErrorFrame {
	w.t.Helper()
	e := expect[*wire.ErrorFrame](w)
	if e.Code != code {
		w.t.Fatalf("error %s (%s), want %s", e.Code, e.Message, code)
	}
	return e
}

// sendTo sends one message to person `to`, with one envelope per listed
// device and self copies, and returns the reply frame.
func (w *wsClient) sendTo(to string, devices []uint32, self []uint32, id string, body string) wire.Frame {
	w.t.Helper()
	w.n++
	f := &wire.SendFrame{ID: fmt.Sprint("r", w.n), To: to}
	for _, d := range devices {
		f.Envelopes = append(f.Envelopes, wire.Envelope{ID: id, Device: d, Type: 3, Body: []byte(body), TS: 1700000000000})
	}
	for _, d := range self {
		f.Self = append(f.Self, wire.Envelope{ID: id, Device: d, Type: 1, Body: []byte("self:" + body), TS: 1700000000000})
	}
	w.send(f)
	for {
		switch r := w.frame().(type) {
		case *wire.SentFrame:
			if r.ID != f.ID {
				w.t.Fatalf("sent for %s, want %s", r.ID, f.ID)
			}
			return r
		case *wire.ErrorFrame:
			if r.ID != f.ID {
				w.t.Fatalf("error for %q, want %s: %+v", r.ID, f.ID, r)
			}
			return r
		}
	}
}

// mustSend fails unless the send is acknowledged.
func (w *wsClient) mustSend(to string, devices, self []uint32, id, body string) *wire.SentFrame {
	w.t.Helper()
	r := w.sendTo(to, devices, self, id, body)
	s, ok := r.(*wire.SentFrame)
	if !ok {
		w.t.Fatalf("send %s: %+v", id, r)
	}
	return s
}

// receive reads envelopes until n have arrived.
func (w *wsClient) receive(n int) []wire.Envelope {
	w.t.Helper()
	var out []wire.Envelope
	for len(out) < n {
		out = append(out, expect[*wire.EnvelopesFrame](w).Envelopes...)
	}
	if len(out) != n {
		w.t.Fatalf("got %d envelopes, want %d", len(out), n)
	}
	return out
}

func (w *wsClient) ack(envs []wire.Envelope) {
	w.t.Helper()
	var seqs []uint64
	for _, e := range envs {
		seqs = append(seqs, e.Seq)
	}
	w.send(&wire.AckFrame{Seqs: seqs})
}

// sync pings and reads up to the pong: nothing but informational frames
// may come first. The relay answers a ping once every earlier ack of this
// connection is committed, so after sync those deletes are durable. It
// says nothing about what the pusher may still send: for "no envelope
// comes", send a marker envelope after it and expect the marker next
// (the pusher sends a mailbox in seq order).
func (w *wsClient) sync() {
	w.t.Helper()
	w.send(&wire.PingFrame{ID: "sync"})
	for {
		switch f := w.frame().(type) {
		case *wire.PongFrame:
			return
		case *wire.KeysLowFrame, *wire.DrainedFrame:
		default:
			w.t.Fatalf("unexpected frame %#v", f)
		}
	}
}

// closeStatus reads until the relay closes and returns the status and reason.
func closeStatus(t testing.TB, c *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err != nil {
			var ce websocket.CloseError
			if errors.As(err, &ce) {
				return ce.Code, ce.Reason
			}
			t.Fatalf("read ended without a close frame: %v", err)
		}
	}
}
