//go:build !js

package relay

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"sambung/relay/store"
	"sambung/wire"
)

// TestLookupRateLimit: lookups are limited per person, and a limited
// lookup is told apart from an unknown address.
func TestLookupRateLimit(t *testing.T) {
	r := startRelay(t, func(c *Config) { c.LookupRate = Rate{Count: 3, Per: time.Minute, Burst: 3} })
	alice, bob := r.aliceAndBob()
	r.mustCall("GET", "/v1/lookup/account:bob", alice.Token, nil, nil)
	r.wantCode(wire.CodeUnknownAddress, "GET", "/v1/lookup/account:nobody", alice.Token, nil)
	r.wantCode(wire.CodeUnknownAddress, "GET", "/v1/lookup/phone:+6281234567890", alice.Token, nil)
	e := r.wantCode(wire.CodeRateLimited, "GET", "/v1/lookup/account:bob", alice.Token, nil)
	if e.RetryAfter != 20 {
		t.Fatalf("retryAfter %d, want 20 (one token per 20 s)", e.RetryAfter)
	}
	r.wantCode(wire.CodeRateLimited, "GET", "/v1/people/"+bob.PersonID, alice.Token, nil)
	// Per person: Bob still may.
	r.mustCall("GET", "/v1/lookup/account:alice", bob.Token, nil, nil)
	r.clock.Advance(21 * time.Second)
	r.mustCall("GET", "/v1/lookup/account:bob", alice.Token, nil, nil)
}

// TestAuthRateLimit: sign-in attempts are limited per client IP.
func TestAuthRateLimit(t *testing.T) {
	r := startRelay(t, func(c *Config) { c.AuthRate = Rate{Count: 2, Per: time.Minute, Burst: 2} })
	r.signUpAccount("alice", "alice password", 0)
	r.wantCode(wire.CodeBadCredentials, "POST", wire.PathAccountSignIn, nil, wire.AccountRequest{AccountID: "alice", Password: "guess one", Device: keys(t, 0)})
	e := r.wantCode(wire.CodeRateLimited, "POST", wire.PathAccountSignIn, nil, wire.AccountRequest{AccountID: "alice", Password: "guess two", Device: keys(t, 0)})
	if e.RetryAfter < 1 {
		t.Fatal(e)
	}
	r.wantCode(wire.CodeRateLimited, "POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: "+6281234567890"})
}

// TestFrameRateLimit: frames over a connection's rate get rate_limited
// with their request id; the connection stays up.
func TestFrameRateLimit(t *testing.T) {
	r := startRelay(t, func(c *Config) { c.FrameRate = Rate{Count: 1, Per: time.Minute, Burst: 2} })
	alice := r.signUpAccount("alice", "alice password", 0)
	a := r.dial(alice)
	a.send(&wire.PingFrame{ID: "1"})
	expect[*wire.PongFrame](a)
	a.send(&wire.PingFrame{ID: "2"})
	expect[*wire.PongFrame](a)
	a.send(&wire.PingFrame{ID: "3"})
	if e := a.expectError(wire.CodeRateLimited); e.ID != "3" || e.RetryAfter < 1 {
		t.Fatal(e)
	}
	r.clock.Advance(time.Minute)
	a.send(&wire.PingFrame{ID: "4"})
	expect[*wire.PongFrame](a)
}

// TestKeys: top-up, status, and the keys-low frame when bundle fetches
// drain a device's one-time prekeys.
func TestKeys(t *testing.T) {
	r := startRelay(t)
	alice := r.signUpAccount("alice", "alice password", wire.PreKeysLow+1)
	bob := r.signUpAccount("bob", "bob password", 0)
	// dial returns after the ready frame, so the connection is registered
	// for keys-low; one sent on connect (there are enough keys) would fail
	// the count below.
	a := r.dial(alice)
	// Two bundle fetches take Alice below the threshold: she is told.
	r.mustCall("GET", "/v1/people/"+alice.PersonID, bob.Token, nil, nil)
	r.mustCall("GET", "/v1/people/"+alice.PersonID, bob.Token, nil, nil)
	if low := expect[*wire.KeysLowFrame](a); low.Count != wire.PreKeysLow-1 {
		t.Fatalf("keys-low %d", low.Count)
	}
	var st wire.KeyStatus
	more := keys(t, 40).OneTimePreKeys
	for i := range more {
		more[i].ID = uint32(1000 + i)
	}
	r.mustCall("POST", wire.PathKeysPreKeys, alice.Token, wire.PreKeyUpload{OneTimePreKeys: more}, &st)
	if st.OneTimePreKeys != wire.PreKeysLow-1+40 || st.Low {
		t.Fatalf("%+v", st)
	}
	// A device with none left gets keys-low on connect.
	b := &wsClient{t: t, c: r.dialRaw()}
	b.send(&wire.AuthFrame{Token: bob.Token})
	if rd := expect[*wire.ReadyFrame](b); rd.OneTimePreKeys != 0 {
		t.Fatal(rd)
	}
	if f, err := b.next(); err != nil {
		t.Fatal(err)
	} else if low, ok := f.(*wire.KeysLowFrame); !ok || low.Count != 0 {
		t.Fatalf("%#v, want keys-low 0", f)
	}
	// A signed prekey signed by another identity key is refused.
	k := keys(t, 0)
	r.wantCode(wire.CodeBadSignature, "PUT", wire.PathKeysSigned, alice.Token, wire.SignedPreKeyUpload{SignedPreKey: k.SignedPreKey})
	// Over the stored cap.
	for i := 0; i < wire.MaxStoredPreKeys/wire.MaxPreKeysPerUpload; i++ {
		batch := keys(t, wire.MaxPreKeysPerUpload).OneTimePreKeys
		for j := range batch {
			batch[j].ID = uint32(2000 + i*wire.MaxPreKeysPerUpload + j)
		}
		_, e := r.call("POST", wire.PathKeysPreKeys, alice.Token, wire.PreKeyUpload{OneTimePreKeys: batch}, nil)
		if e != nil {
			if e.Code != wire.CodeTooManyPreKeys {
				t.Fatal(e)
			}
			return
		}
	}
	t.Fatal("stored prekeys were never capped")
}

// TestRotateSignedPreKey rotates with a signature by the device's own
// identity key.
func TestRotateSignedPreKey(t *testing.T) {
	r := startRelay(t)
	dk, spk := keysWithSigner(t)
	var s wire.Session
	r.mustCall("POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: "alice", Password: "alice password", Device: dk}, &s)
	next := spk(7)
	var st wire.KeyStatus
	r.mustCall("PUT", wire.PathKeysSigned, s.Token, wire.SignedPreKeyUpload{SignedPreKey: next}, &st)
	if st.SignedPreKeyID != 7 {
		t.Fatal(st)
	}
	bob := r.signUpAccount("bob", "bob password", 0)
	var l wire.Lookup
	r.mustCall("GET", "/v1/lookup/account:alice", bob.Token, nil, &l)
	if l.Devices[0].SignedPreKey.ID != 7 || string(l.Devices[0].SignedPreKey.Signature) != string(next.Signature) {
		t.Fatalf("%+v", l.Devices[0].SignedPreKey)
	}
}

// TestWebhookSender posts codes to an HTTP endpoint on loopback, and
// reports a failing gateway as code_send_failed.
func TestWebhookSender(t *testing.T) {
	got := make(chan map[string]string, 4)
	fail := false
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var m map[string]string
		json.NewDecoder(req.Body).Decode(&m)
		if req.Method != "POST" || req.Header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s", req.Method, req.Header.Get("Content-Type"))
		}
		if fail {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		got <- m
	}))
	defer hook.Close()
	r := startRelay(t, func(c *Config) { c.CodeSender = WebhookSender{URL: hook.URL} })
	r.mustCall("POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: "+62 812 3456 7890"}, nil)
	m := <-got
	if m["phone"] != "+6281234567890" || len(m["code"]) != 6 {
		t.Fatal(m)
	}
	var s wire.Session
	r.mustCall("POST", wire.PathPhoneVerify, nil, wire.PhoneVerifyRequest{Phone: m["phone"], Code: m["code"], Device: keys(t, 0)}, &s)
	if !s.Created {
		t.Fatal(s)
	}
	for _, l := range r.log.all() {
		if strings.Contains(l, m["code"]) {
			t.Fatalf("webhook code in the log: %s", l)
		}
	}
	fail = true
	r.wantCode(wire.CodeCodeSendFailed, "POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: "+6289999999999"})
	// The unsent code does not throttle a retry.
	fail = false
	r.mustCall("POST", wire.PathPhoneCode, nil, wire.PhoneCodeRequest{Phone: "+6289999999999"}, nil)
	<-got

	if err := (WebhookSender{URL: "http://127.0.0.1:1/"}).SendCode(context.Background(), "+1", "1"); err == nil {
		t.Fatal("webhook to a closed port succeeded")
	}
}

// TestDefaultArgon2 runs the production password parameters once and
// checks they are what PROTOCOL.md states.
func TestDefaultArgon2(t *testing.T) {
	r := startRelay(t, func(c *Config) { c.Argon2 = Argon2Params{} })
	r.signUpAccount("alice", "alice password", 0)
	ident, err := r.srv.st.Identity(context.Background(), wire.AccountAddress("alice"))
	if err != nil {
		t.Fatal(err)
	}
	p := ident.Password
	if p.Memory != 19456 || p.Time != 2 || p.Threads != 1 || len(p.Salt) != 16 || len(p.Hash) != 32 {
		t.Fatalf("%+v", p)
	}
	r.signInAccount("alice", "alice password", 0)
	r.wantCode(wire.CodeBadCredentials, "POST", wire.PathAccountSignIn, nil, wire.AccountRequest{AccountID: "alice", Password: "alice passworD", Device: keys(t, 0)})
}

// TestStaticAndHeaders serves the page with security headers, brotli when
// accepted, health and metrics.
func TestStaticAndHeaders(t *testing.T) {
	page := fstest.MapFS{
		"index.html":     {Data: []byte("<!doctype html><title>Sambung</title>")},
		"app.wasm":       {Data: []byte("plain wasm")},
		"app.wasm.br":    {Data: []byte("brotli wasm")},
		"sub/index.html": {Data: []byte("sub page")},
		"js/sambung.js":  {Data: []byte("export {}")},
	}
	r := startRelay(t, func(c *Config) { c.Static = page })
	get := func(path, accept string) (*http.Response, string) {
		req, _ := http.NewRequest("GET", r.hs.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.Header.Get("Content-Security-Policy") != contentSecurityPolicy ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: security headers missing: %v", path, resp.Header)
		}
		return resp, string(b)
	}
	if resp, body := get("/", ""); body != "<!doctype html><title>Sambung</title>" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("index: %q %v", body, resp.Header)
	}
	if resp, body := get("/app.wasm", "gzip, br"); body != "brotli wasm" || resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Content-Type") != "application/wasm" {
		t.Fatalf("br: %q %v", body, resp.Header)
	}
	// Embedded files carry no modification time: a content hash ETag lets
	// the browser revalidate instead of downloading the module again.
	resp, _ := get("/app.wasm", "br")
	tag := resp.Header.Get("ETag")
	if len(tag) != 34 || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("validators: %v", resp.Header)
	}
	req, _ := http.NewRequest("GET", r.hs.URL+"/app.wasm", nil)
	req.Header.Set("Accept-Encoding", "br")
	req.Header.Set("If-None-Match", tag)
	if resp, err := http.DefaultTransport.RoundTrip(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Fatalf("If-None-Match: %v %v", resp, err)
	}
	if resp, _ := get("/app.wasm", "gzip"); resp.Header.Get("ETag") == tag {
		t.Fatal("the brotli and plain files share an ETag")
	}
	if resp, body := get("/app.wasm", "gzip"); body != "plain wasm" || resp.Header.Get("Content-Encoding") != "" {
		t.Fatalf("no br: %q %v", body, resp.Header)
	}
	if _, body := get("/app.wasm", "br;q=0"); body != "plain wasm" {
		t.Fatalf("br refused: %q", body)
	}
	if resp, body := get("/js/sambung.js", "br"); body != "export {}" || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("js: %q %v", body, resp.Header)
	}
	if _, body := get("/sub/", ""); body != "sub page" {
		t.Fatalf("sub: %q", body)
	}
	if resp, _ := get("/missing.js", ""); resp.StatusCode != 404 {
		t.Fatal(resp.Status)
	}
	if resp, err := http.Get(r.hs.URL + "/../../etc/passwd"); err != nil || resp.StatusCode != 404 {
		t.Fatal(resp.Status, err)
	}
	if _, body := get("/healthz", ""); body != "ok\n" {
		t.Fatal(body)
	}

	alice, bob := r.aliceAndBob()
	a := r.dial(alice)
	a.mustSend(bob.PersonID, []uint32{1}, nil, "m", "x")
	resp, body := get("/metrics", "")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatal(resp.Header)
	}
	for _, want := range []string{
		"sambung_connections 1\n", "sambung_envelopes_in_total 1\n", "sambung_queue_depth 1\n",
		"sambung_envelopes_out_total 0\n", "sambung_writer_pending 0\n",
		`sambung_commit_seconds_bucket{le="+Inf"} `, "sambung_commit_seconds_count ",
		`sambung_commit_batch_size_bucket{le="1"} `, "# TYPE sambung_commit_seconds histogram",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
}

// TestPlaceholderPage serves a placeholder when no page is configured.
func TestPlaceholderPage(t *testing.T) {
	r := startRelay(t)
	resp, err := http.Get(r.hs.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "Sambung relay is running") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("%s %v", b, resp.Header)
	}
	r.wantCode(wire.CodeNotFound, "GET", "/app.wasm", nil, nil)
}

// TestStoreErrorsMapped makes sure every store error a handler can meet
// has a code, and an unknown error becomes "internal" without its text.
func TestStoreErrorsMapped(t *testing.T) {
	r := startRelay(t)
	for _, m := range storeErrors {
		if got := r.srv.toWire(m.err); got.Code != m.code {
			t.Errorf("%v -> %s", m.err, got.Code)
		}
	}
	if got := r.srv.toWire(errors.New("disk on fire")); got.Code != wire.CodeInternal || strings.Contains(got.Message, "fire") {
		t.Fatal(got)
	}
	if got := r.srv.toWire(store.ErrNotFound); got.Code != wire.CodeInternal {
		t.Fatal("ErrNotFound must be mapped by each handler, not generically")
	}
}
