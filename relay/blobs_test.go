//go:build !js

package relay

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sambung/internal/testkit"
	"sambung/relay/blob"
	"sambung/wire"
)

// blobCall does one request to the blob endpoints with the given headers
// and returns the response (body read and closed) and its body. Every
// answer must carry the relay's security headers.
func (r *testRelay) blobCall(method, path string, token []byte, hdr map[string]string, body []byte) (*http.Response, []byte) {
	r.t.Helper()
	h := map[string]string{}
	maps.Copy(h, hdr)
	if token != nil {
		h["Authorization"] = "Bearer " + base64.StdEncoding.EncodeToString(token)
	}
	resp, b := testkit.Do(r.t, method, r.hs.URL+path, h, bytes.NewReader(body))
	got := resp.Header
	if got.Get("Content-Security-Policy") != contentSecurityPolicy || got.Get("X-Content-Type-Options") != "nosniff" ||
		got.Get("Referrer-Policy") != "no-referrer" {
		r.t.Errorf("%s %s: security headers missing: %v", method, path, got)
	}
	return resp, b
}

// wantBlobError checks a coded error answer: its code, and the status
// wire's table gives that code.
func wantBlobError(t *testing.T, resp *http.Response, body []byte, code wire.Code) {
	t.Helper()
	var e wire.Error
	if err := json.Unmarshal(body, &e); err != nil || e.Code != code || resp.StatusCode != code.Status() {
		t.Fatalf("%s %s: want %s (%d), got %d %s", resp.Request.Method, resp.Request.URL.Path, code, code.Status(), resp.StatusCode, body)
	}
}

// patchBlob appends piece at offset and returns the answer's Upload-Offset.
func (r *testRelay) patchBlob(token []byte, id string, offset int, piece []byte) int {
	r.t.Helper()
	resp, b := r.blobCall("PATCH", wire.PathBlobs+"/"+id, token, map[string]string{
		"Content-Type":  wire.ContentTypeOffset,
		"Upload-Offset": strconv.Itoa(offset),
	}, piece)
	if resp.StatusCode != http.StatusNoContent {
		r.t.Fatalf("PATCH at %d: %d %s", offset, resp.StatusCode, b)
	}
	n, err := strconv.Atoi(resp.Header.Get(wire.HeaderUploadOffset))
	if err != nil {
		r.t.Fatalf("PATCH answer Upload-Offset %q", resp.Header.Get(wire.HeaderUploadOffset))
	}
	return n
}

// metric reads one unlabelled value from /metrics.
func (r *testRelay) metric(name string) int64 {
	r.t.Helper()
	resp, b := r.blobCall("GET", wire.PathMetrics, nil, nil, nil)
	if resp.StatusCode != http.StatusOK {
		r.t.Fatalf("metrics: %d", resp.StatusCode)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				r.t.Fatalf("%s: %q", name, line)
			}
			return n
		}
	}
	r.t.Fatalf("metrics have no %s:\n%s", name, b)
	return 0
}

// wantMetrics checks each named value in /metrics, reporting every one
// that differs.
func (r *testRelay) wantMetrics(want map[string]int64) {
	r.t.Helper()
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if got := r.metric(name); got != want[name] {
			r.t.Errorf("%s is %d, want %d", name, got, want[name])
		}
	}
}

// waitMetric waits until the counter name reaches want and fails if it goes
// past it. A download counts its bytes once they are written to the socket,
// so the client can have them all a moment before the count does.
func (r *testRelay) waitMetric(name string, want int64) {
	r.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		got := r.metric(name)
		if got == want {
			return
		}
		if got > want || time.Now().After(deadline) {
			r.t.Fatalf("%s is %d, want %d", name, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestBlobs walks one attachment through the relay: alice uploads it in
// two pieces, resuming from HEAD's offset, bob (another person) downloads
// it whole and in part, and the relay's auth, headers, metrics, restart
// and clock all reach the blob store.
func TestBlobs(t *testing.T) {
	r := startRelay(t)
	alice := r.signUpPhone("+6281234567890", 0)
	bob := r.signUpAccount("bob", "correct horse", 0)
	data := make([]byte, 300_000)
	rand.Read(data)

	resp, b := r.blobCall("POST", wire.PathBlobs, alice.Token, nil, []byte(`{"size":300000}`))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", resp.StatusCode, b)
	}
	var created wire.CreateResponse
	if err := json.Unmarshal(b, &created); err != nil || len(created.ID) != 32 || created.Size != int64(len(data)) || created.Offset != 0 {
		t.Fatalf("POST answer %s (%v)", b, err)
	}
	id := created.ID
	path := wire.PathBlobs + "/" + id
	if loc := resp.Header.Get("Location"); loc != path {
		t.Fatalf("Location %q", loc)
	}

	if n := r.patchBlob(alice.Token, id, 0, data[:123_456]); n != 123_456 {
		t.Fatalf("offset after the first piece: %d", n)
	}
	resp, _ = r.blobCall("HEAD", path, alice.Token, nil, nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get(wire.HeaderUploadOffset) != "123456" ||
		resp.Header.Get(wire.HeaderUploadLength) != "300000" {
		t.Fatalf("HEAD: %d %v", resp.StatusCode, resp.Header)
	}
	resp, b = r.blobCall("GET", path, bob.Token, nil, nil)
	wantBlobError(t, resp, b, wire.CodeBlobIncomplete)
	resp, b = r.blobCall("PATCH", path, bob.Token, map[string]string{
		"Content-Type": wire.ContentTypeOffset, "Upload-Offset": "123456"}, data[123_456:])
	wantBlobError(t, resp, b, wire.CodeNotUploader) // bob's token names bob, not alice
	resp, _ = r.blobCall("HEAD", path, alice.Token, nil, nil)
	offset, err := strconv.Atoi(resp.Header.Get(wire.HeaderUploadOffset))
	if err != nil || offset != 123_456 {
		t.Fatalf("HEAD after bob's PATCH: offset %q", resp.Header.Get(wire.HeaderUploadOffset))
	}
	if n := r.patchBlob(alice.Token, id, offset, data[offset:]); n != len(data) {
		t.Fatalf("offset after the second piece: %d", n)
	}

	resp, b = r.blobCall("GET", path, bob.Token, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, data) {
		t.Fatalf("GET: %d, %d bytes, equal %v", resp.StatusCode, len(b), bytes.Equal(b, data))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Fatalf("GET Content-Type %q", ct)
	}
	resp, b = r.blobCall("GET", path, bob.Token, map[string]string{"Range": "bytes=1000-1999"}, nil)
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(b, data[1000:2000]) ||
		resp.Header.Get("Content-Range") != "bytes 1000-1999/300000" {
		t.Fatalf("GET Range: %d %q, %d bytes", resp.StatusCode, resp.Header.Get("Content-Range"), len(b))
	}
	resp, b = r.blobCall("GET", path, bob.Token, map[string]string{"Range": "bytes=400000-"}, nil)
	wantBlobError(t, resp, b, wire.CodeRangeNotSatisfiable)

	// Without a token, or with one the relay never gave out, nothing.
	bogus := make([]byte, wire.TokenSize)
	for _, tok := range [][]byte{nil, bogus} {
		resp, b = r.blobCall("GET", path, tok, nil, nil)
		wantBlobError(t, resp, b, wire.CodeUnauthorized)
		resp, b = r.blobCall("POST", wire.PathBlobs, tok, nil, []byte(`{"size":1}`))
		wantBlobError(t, resp, b, wire.CodeUnauthorized)
		resp, _ = r.blobCall("HEAD", path, tok, nil, nil)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("HEAD without a valid token: %d", resp.StatusCode)
		}
	}
	resp, b = r.blobCall("GET", path, alice.Token[:10], nil, nil)
	wantBlobError(t, resp, b, wire.CodeUnauthorized)

	r.waitMetric("sambung_blob_bytes_out_total", int64(len(data)+1000))
	r.wantMetrics(map[string]int64{
		"sambung_blob_bytes_in_total": int64(len(data)),
		"sambung_blobs":               1,
		"sambung_blob_reserved_bytes": int64(len(data)),
		"sambung_connections":         0, // the relay's own metrics are still there
	})

	// The bytes live beside Badger's directory, not in it.
	if _, err := os.Stat(filepath.Join(r.dir+"-blobs", id+".blob")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r.dir, id+".blob")); err == nil {
		t.Fatal("a blob in Badger's directory")
	}

	// Close closes the blob store; a new relay finds the blob again.
	r.restart()
	resp, b = r.blobCall("GET", path, bob.Token, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, data) {
		t.Fatalf("GET after restart: %d, %d bytes", resp.StatusCode, len(b))
	}
	// The relay's clock is the store's: 30 days after completion it expires.
	r.clock.Advance(blob.DefaultTTL + time.Minute)
	resp, b = r.blobCall("GET", path, bob.Token, nil, nil)
	wantBlobError(t, resp, b, wire.CodeBlobExpired)
}

// TestBlobConfig checks that the relay's blob settings reach the store.
func TestBlobConfig(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "elsewhere")
	r := startRelay(t, func(c *Config) {
		c.BlobDir = dir
		c.BlobMaxSize = 100
		c.BlobQuota = 150
		c.BlobTTL = time.Hour
	})
	alice := r.signUpAccount("alice", "correct horse", 0)

	resp, b := r.blobCall("POST", wire.PathBlobs, alice.Token, nil, []byte(`{"size":101}`))
	wantBlobError(t, resp, b, wire.CodeBlobTooLarge)
	resp, b = r.blobCall("POST", wire.PathBlobs, alice.Token, nil, []byte(`{"size":100}`))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST: %d %s", resp.StatusCode, b)
	}
	var created wire.CreateResponse
	if err := json.Unmarshal(b, &created); err != nil {
		t.Fatal(err)
	}
	resp, b = r.blobCall("POST", wire.PathBlobs, alice.Token, nil, []byte(`{"size":51}`))
	wantBlobError(t, resp, b, wire.CodeQuotaExceeded)

	r.patchBlob(alice.Token, created.ID, 0, make([]byte, 100))
	if _, err := os.Stat(filepath.Join(dir, created.ID+".blob")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(r.dir + "-blobs"); err == nil {
		t.Fatal("the default blob directory was made though BlobDir was set")
	}
	r.clock.Advance(time.Hour + time.Minute)
	resp, b = r.blobCall("GET", wire.PathBlobs+"/"+created.ID, alice.Token, nil, nil)
	wantBlobError(t, resp, b, wire.CodeBlobExpired)
}

// TestBlobDirDefault: the default blob directory is a sibling of DataDir
// even when DataDir ends in a slash.
func TestBlobDirDefault(t *testing.T) {
	for dataDir, want := range map[string]string{
		"./data":           "data-blobs",
		"./data/":          "data-blobs",
		"/var/lib/sambung": "/var/lib/sambung-blobs",
	} {
		c := Config{DataDir: dataDir}
		c.setDefaults()
		if c.BlobDir != want {
			t.Errorf("DataDir %q: BlobDir %q, want %q", dataDir, c.BlobDir, want)
		}
	}
}
