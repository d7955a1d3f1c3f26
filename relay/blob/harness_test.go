//go:build !js

package blob

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sambung/internal/testkit"
	"sambung/wire"
)

// deviceHeader is the test double of the relay's bearer tokens: the
// caller says "person/device" and is believed. The real check lives in
// the relay, which hands New its own Authenticate.
const deviceHeader = "X-Test-Device"

func testAuth(r *http.Request) (string, uint32, error) {
	person, dev, ok := strings.Cut(r.Header.Get(deviceHeader), "/")
	n, err := strconv.ParseUint(dev, 10, 32)
	if !ok || person == "" || err != nil {
		return "", 0, wire.NewError(wire.CodeUnauthorized)
	}
	return person, uint32(n), nil
}

// handler serves s as the relay mounts it. Writing the error is the test
// double of the relay's handleError, which the relay's own blob tests
// check: a *wire.Error as JSON with its status and Retry-After, any other
// error as internal.
type handler struct{ s *Store }

func (h handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h.s.Serve(w, r)
	if err == nil {
		return
	}
	var we *wire.Error
	if !errors.As(err, &we) {
		we = wire.NewError(wire.CodeInternal)
	}
	if we.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(we.RetryAfter))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(we.Code.Status())
	json.NewEncoder(w).Encode(we)
}

// waitTimeout bounds a wait for something the store does on its own time
// (a count after a download, a background sweep): seconds on a loaded
// machine, so a store that never does it still fails.
const waitTimeout = 30 * time.Second

// waitFor polls cond until it holds, failing with what after waitTimeout.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, waitTimeout, what, cond)
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.UnixMilli(1_700_000_000_000)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// env is a Store served over real HTTP on loopback.
type env struct {
	t     testing.TB
	store *Store
	srv   *httptest.Server
	clock *clock
	cfg   Config
}

func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	c := newClock()
	cfg.Now = c.Now
	cfg.Authenticate = testAuth
	cfg.SweepEvery = -1
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	e := &env{t: t, clock: c, cfg: cfg}
	e.start()
	return e
}

func (e *env) start() {
	s, err := New(e.cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.store = s
	mux := http.NewServeMux()
	mux.Handle(wire.PathBlobs, handler{s})
	mux.Handle(wire.PathBlobs+"/", handler{s})
	e.srv = httptest.NewServer(mux)
	e.t.Cleanup(e.stop)
}

func (e *env) stop() {
	if e.srv != nil {
		e.srv.Close()
		e.store.Close()
		e.srv = nil
	}
}

// restart closes the Store and opens a new one on the same directory.
func (e *env) restart() {
	e.stop()
	e.start()
}

// do sends a request as dev ("" for none) and returns the response with
// its body read.
func (e *env) do(dev, method, path string, body io.Reader, hdr map[string]string) (*http.Response, []byte) {
	e.t.Helper()
	h := map[string]string{}
	maps.Copy(h, hdr)
	if dev != "" {
		h[deviceHeader] = dev
	}
	return testkit.Do(e.t, method, e.srv.URL+path, h, body)
}

// create makes an upload of size bytes as dev and returns its id.
func (e *env) create(dev string, size int64) string {
	e.t.Helper()
	resp, b := e.do(dev, "POST", wire.PathBlobs, strings.NewReader(`{"size":`+itoa(size)+`}`), nil)
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("create %d: %d %s", size, resp.StatusCode, b)
	}
	var cr wire.CreateResponse
	if err := json.Unmarshal(b, &cr); err != nil || !validID(cr.ID) || cr.Offset != 0 || cr.Size != size {
		e.t.Fatalf("create answer %s (%v)", b, err)
	}
	if loc := resp.Header.Get("Location"); loc != wire.PathBlobs+"/"+cr.ID {
		e.t.Fatalf("Location %q", loc)
	}
	return cr.ID
}

func (e *env) patch(dev, id string, offset int64, body []byte) (*http.Response, []byte) {
	return e.do(dev, "PATCH", wire.PathBlobs+"/"+id, bytes.NewReader(body), map[string]string{
		"Content-Type": wire.ContentTypeOffset, wire.HeaderUploadOffset: itoa(offset)})
}

// upload creates a blob of data as dev and uploads it in one PATCH.
func (e *env) upload(dev string, data []byte) string {
	e.t.Helper()
	id := e.create(dev, int64(len(data)))
	if resp, b := e.patch(dev, id, 0, data); resp.StatusCode != http.StatusNoContent {
		e.t.Fatalf("patch: %d %s", resp.StatusCode, b)
	}
	return id
}

// errorCode is the code of an error answer's body, "" if it is none.
func errorCode(body []byte) wire.Code {
	var we wire.Error
	if json.Unmarshal(body, &we) != nil {
		return ""
	}
	return we.Code
}

// wantError checks an error answer's status and code.
func wantError(t *testing.T, resp *http.Response, body []byte, code wire.Code) {
	t.Helper()
	var we wire.Error
	if err := json.Unmarshal(body, &we); err != nil {
		t.Fatalf("want %s, got %d %q", code, resp.StatusCode, body)
	}
	if we.Code != code || resp.StatusCode != code.Status() || we.Message == "" {
		t.Fatalf("want %s (%d), got %d %s", code, code.Status(), resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("error Content-Type %q", ct)
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
