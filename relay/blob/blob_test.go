//go:build !js

package blob

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sambung/wire"
)

const (
	alice1 = "alice/1"
	alice2 = "alice/2"
	bob1   = "bob/1"
)

func TestUploadInPiecesAndDownload(t *testing.T) {
	e := newEnv(t, Config{})
	data := randomBytes(3<<20 + 17)
	id := e.create(alice1, int64(len(data)))
	for off := 0; off < len(data); {
		n := min(700_000, len(data)-off)
		resp, b := e.patch(alice1, id, int64(off), data[off:off+n])
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("patch at %d: %d %s", off, resp.StatusCode, b)
		}
		off += n
		if got := resp.Header.Get(wire.HeaderUploadOffset); got != itoa(int64(off)) {
			t.Fatalf("Upload-Offset %s, want %d", got, off)
		}
		head, _ := e.do(alice1, "HEAD", wire.PathBlobs+"/"+id, nil, nil)
		if head.Header.Get(wire.HeaderUploadOffset) != itoa(int64(off)) || head.Header.Get(wire.HeaderUploadLength) != itoa(int64(len(data))) {
			t.Fatalf("HEAD %v", head.Header)
		}
		if off < len(data) {
			resp, b := e.do(bob1, "GET", wire.PathBlobs+"/"+id, nil, nil)
			wantError(t, resp, b, wire.CodeBlobIncomplete)
		}
	}
	resp, got := e.do(bob1, "GET", wire.PathBlobs+"/"+id, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET: %d, %d bytes, equal %v", resp.StatusCode, len(got), bytes.Equal(got, data))
	}
	if resp.Header.Get("Content-Type") != "application/octet-stream" || resp.Header.Get(wire.HeaderBlobExpires) == "" {
		t.Fatalf("GET headers %v", resp.Header)
	}
	// A download counts its bytes after writing them to the socket: the
	// client may have them all a moment before the count does.
	waitFor(t, "BytesOut to count the download", func() bool { return e.store.Stats().BytesOut >= int64(len(data)) })
	st := e.store.Stats()
	if st.BytesIn != int64(len(data)) || st.BytesOut != int64(len(data)) || st.Blobs != 1 || st.Reserved != int64(len(data)) {
		t.Fatalf("stats %+v", st)
	}
	var m strings.Builder
	e.store.WriteMetrics(&m)
	if !strings.Contains(m.String(), "sambung_blob_bytes_in_total "+itoa(int64(len(data)))+"\n") {
		t.Fatalf("metrics:\n%s", m.String())
	}
}

func TestOffsetMismatch(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.create(alice1, 10)
	e.patch(alice1, id, 0, []byte("abcd"))
	for _, off := range []int64{0, 3, 5, 10} {
		resp, b := e.patch(alice1, id, off, []byte("x"))
		wantError(t, resp, b, wire.CodeOffsetMismatch)
		if resp.Header.Get(wire.HeaderUploadOffset) != "4" {
			t.Fatalf("offset %d: Upload-Offset %q", off, resp.Header.Get(wire.HeaderUploadOffset))
		}
	}
	e.patch(alice1, id, 4, []byte("efghij"))
	resp, b := e.patch(alice1, id, 10, []byte("k")) // complete: nothing more fits
	wantError(t, resp, b, wire.CodeBodyTooLarge)
	if _, got := e.do(alice1, "GET", wire.PathBlobs+"/"+id, nil, nil); string(got) != "abcdefghij" {
		t.Fatalf("got %q", got)
	}
}

func TestPatchBadHeaders(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.create(alice1, 10)
	for _, h := range []map[string]string{
		{wire.HeaderUploadOffset: "0"},
		{wire.HeaderUploadOffset: "0", "Content-Type": "application/octet-stream"},
		{"Content-Type": wire.ContentTypeOffset},
		{"Content-Type": wire.ContentTypeOffset, wire.HeaderUploadOffset: "-1"},
		{"Content-Type": wire.ContentTypeOffset, wire.HeaderUploadOffset: "+0"},
		{"Content-Type": wire.ContentTypeOffset, wire.HeaderUploadOffset: "00"},
		{"Content-Type": wire.ContentTypeOffset, wire.HeaderUploadOffset: "99999999999999999999"},
	} {
		resp, b := e.do(alice1, "PATCH", wire.PathBlobs+"/"+id, strings.NewReader("abc"), h)
		wantError(t, resp, b, wire.CodeBadRequest)
	}
	if head, _ := e.do(alice1, "HEAD", wire.PathBlobs+"/"+id, nil, nil); head.Header.Get(wire.HeaderUploadOffset) != "0" {
		t.Fatal("a refused PATCH wrote bytes")
	}
}

// TestBodyPastSize: a declared Content-Length past the size is refused
// before a byte is written; a chunked body that runs past it keeps the
// bytes up to the size.
func TestBodyPastSize(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.create(alice1, 10)
	resp, b := e.patch(alice1, id, 0, []byte("0123456789X"))
	wantError(t, resp, b, wire.CodeBodyTooLarge)
	if resp.Header.Get(wire.HeaderUploadOffset) != "0" {
		t.Fatalf("Upload-Offset %q", resp.Header.Get(wire.HeaderUploadOffset))
	}
	chunked := io.MultiReader(strings.NewReader("0123456789"), strings.NewReader("XYZ"))
	resp, b = e.do(alice1, "PATCH", wire.PathBlobs+"/"+id, chunked, map[string]string{
		"Content-Type": wire.ContentTypeOffset, wire.HeaderUploadOffset: "0"})
	wantError(t, resp, b, wire.CodeBodyTooLarge)
	if _, got := e.do(alice1, "GET", wire.PathBlobs+"/"+id, nil, nil); string(got) != "0123456789" {
		t.Fatalf("got %q", got)
	}
}

// failingBody yields n bytes of data, then fails like a dropped client.
type failingBody struct {
	data []byte
	n    int
}

func (f *failingBody) Read(p []byte) (int, error) {
	if f.n == 0 {
		return 0, io.ErrUnexpectedEOF
	}
	k := copy(p, f.data[:min(len(p), f.n)])
	f.data, f.n = f.data[k:], f.n-k
	return k, nil
}

// TestInterruptedBodyKeepsBytes drives the handler with a body that breaks
// after exactly n bytes: all n are durable and recorded.
func TestInterruptedBodyKeepsBytes(t *testing.T) {
	e := newEnv(t, Config{})
	data := randomBytes(1 << 20)
	id := e.create(alice1, int64(len(data)))
	const n = 300_001
	req := httptest.NewRequest("PATCH", wire.PathBlobs+"/"+id, &failingBody{data: data, n: n})
	req.Header.Set(deviceHeader, alice1)
	req.Header.Set("Content-Type", wire.ContentTypeOffset)
	req.Header.Set(wire.HeaderUploadOffset, "0")
	rec := httptest.NewRecorder()
	handler{e.store}.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest || rec.Header().Get(wire.HeaderUploadOffset) != itoa(n) {
		t.Fatalf("interrupted PATCH: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	onDisk, err := os.ReadFile(filepath.Join(e.cfg.Dir, id+blobSuffix))
	if err != nil || !bytes.Equal(onDisk, data[:n]) {
		t.Fatalf("on disk %d bytes (%v), want the first %d", len(onDisk), err, n)
	}
	e.restart() // the record says n too
	if head, _ := e.do(alice1, "HEAD", wire.PathBlobs+"/"+id, nil, nil); head.Header.Get(wire.HeaderUploadOffset) != itoa(n) {
		t.Fatalf("after restart HEAD %v", head.Header)
	}
}

// TestResumeAfterDroppedConnection drops a real connection mid-PATCH, then
// resumes from the offset HEAD reports and checks the blob byte for byte.
func TestResumeAfterDroppedConnection(t *testing.T) {
	e := newEnv(t, Config{})
	data := randomBytes(6 << 20)
	id := e.create(alice1, int64(len(data)))
	req, _ := http.NewRequest("PATCH", e.srv.URL+wire.PathBlobs+"/"+id, &failingBody{data: data, n: 4 << 20})
	req.ContentLength = int64(len(data))
	req.Header.Set(deviceHeader, alice1)
	req.Header.Set("Content-Type", wire.ContentTypeOffset)
	req.Header.Set(wire.HeaderUploadOffset, "0")
	if resp, err := e.srv.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the dropped PATCH succeeded")
	}
	// The relay notices the drop on its own time: resume the way a client
	// does, from HEAD, going by the offset a 409 names if HEAD was early,
	// and trying again after upload_busy if the dropped PATCH still runs
	// (BusyWait is seconds; a loaded machine may take that long).
	head, _ := e.do(alice1, "HEAD", wire.PathBlobs+"/"+id, nil, nil)
	off, err := parseOffset(head.Header.Get(wire.HeaderUploadOffset))
	if err != nil {
		t.Fatal(err)
	}
	for try := 0; ; try++ {
		resp, b := e.patch(alice1, id, off, data[off:])
		if resp.StatusCode == http.StatusNoContent {
			break
		}
		if try == 5 {
			t.Fatalf("no progress: %d %s", resp.StatusCode, b)
		}
		if errorCode(b) == wire.CodeUploadBusy {
			continue
		}
		wantError(t, resp, b, wire.CodeOffsetMismatch)
		off, _ = parseOffset(resp.Header.Get(wire.HeaderUploadOffset))
	}
	if off == 0 {
		t.Fatal("no byte of the dropped PATCH was kept")
	}
	t.Logf("resumed from %d of %d bytes", off, len(data))
	if _, got := e.do(bob1, "GET", wire.PathBlobs+"/"+id, nil, nil); !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes, not the uploaded ones", len(got))
	}
	if st := e.store.Stats(); st.BytesIn != int64(len(data)) {
		t.Fatalf("BytesIn %d, want %d (kept bytes are not counted twice)", st.BytesIn, len(data))
	}
}

func TestRanges(t *testing.T) {
	e := newEnv(t, Config{})
	data := randomBytes(1000)
	id := e.upload(alice1, data)
	path := wire.PathBlobs + "/" + id
	for _, c := range []struct {
		rng         string
		first, last int
	}{
		{"bytes=0-0", 0, 0},
		{"bytes=10-19", 10, 19},
		{"bytes=990-", 990, 999},
		{"bytes=-10", 990, 999},
		{"bytes=995-2000", 995, 999},
		{"bytes=999-999", 999, 999},
		{"bytes=-5000", 0, 999},
		{"bytes= 0-499 ", 0, 499},
	} {
		resp, b := e.do(bob1, "GET", path, nil, map[string]string{"Range": c.rng})
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(b, data[c.first:c.last+1]) ||
			resp.Header.Get("Content-Range") != "bytes "+itoa(int64(c.first))+"-"+itoa(int64(c.last))+"/1000" {
			t.Errorf("%s: %d %q, %d bytes", c.rng, resp.StatusCode, resp.Header.Get("Content-Range"), len(b))
		}
	}

	// Several ranges in one request come back as multipart/byteranges.
	resp, b := e.do(bob1, "GET", path, nil, map[string]string{"Range": "bytes=0-9,500-509,-3"})
	mt, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode != http.StatusPartialContent || mt != "multipart/byteranges" {
		t.Fatalf("multi-range: %d %s", resp.StatusCode, mt)
	}
	mr := multipart.NewReader(bytes.NewReader(b), params["boundary"])
	for _, want := range [][]byte{data[0:10], data[500:510], data[997:]} {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(p); !bytes.Equal(got, want) {
			t.Fatalf("part %s differs", p.Header.Get("Content-Range"))
		}
	}

	for _, rng := range []string{"bytes=1000-", "bytes=1000-1001", "bytes=-0", "bytes=5-1", "bytes=abc", "items=0-1", "bytes=1-2,3"} {
		resp, b := e.do(bob1, "GET", path, nil, map[string]string{"Range": rng})
		wantError(t, resp, b, wire.CodeRangeNotSatisfiable)
		if resp.Header.Get("Content-Range") != "bytes */1000" {
			t.Errorf("%s: Content-Range %q", rng, resp.Header.Get("Content-Range"))
		}
	}

	// A resumed download: If-Range with the ETag keeps the range.
	full, _ := e.do(bob1, "GET", path, nil, nil)
	resp, b = e.do(bob1, "GET", path, nil, map[string]string{"Range": "bytes=100-", "If-Range": full.Header.Get("ETag")})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(b, data[100:]) {
		t.Fatalf("If-Range: %d, %d bytes", resp.StatusCode, len(b))
	}
	// A stale If-Range gets the whole blob; too many ranges never pass.
	resp, b = e.do(bob1, "GET", path, nil, map[string]string{"Range": "bytes=100-", "If-Range": `"other"`})
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, data) {
		t.Fatalf("stale If-Range: %d, %d bytes", resp.StatusCode, len(b))
	}
	many := "bytes=0-0" + strings.Repeat(",1-1", maxRanges)
	resp, b = e.do(bob1, "GET", path, nil, map[string]string{"Range": many, "If-Range": full.Header.Get("ETag")})
	wantError(t, resp, b, wire.CodeRangeNotSatisfiable)
	// HEAD of an unknown blob and of a bad id.
	if head, _ := e.do(bob1, "HEAD", wire.PathBlobs+"/"+strings.Repeat("0", idLen), nil, nil); head.StatusCode != http.StatusNotFound {
		t.Fatalf("HEAD unknown: %d", head.StatusCode)
	}
	if head, _ := e.do(bob1, "HEAD", wire.PathBlobs+"/x", nil, nil); head.StatusCode != http.StatusBadRequest {
		t.Fatalf("HEAD bad id: %d", head.StatusCode)
	}
	if full.Header.Get("Accept-Ranges") != "bytes" || full.Header.Get("Last-Modified") == "" {
		t.Fatalf("GET headers %v", full.Header)
	}
}

func TestQuota(t *testing.T) {
	e := newEnv(t, Config{Quota: 1000, MaxBlobs: 3, TTL: time.Hour, StaleAfter: time.Hour})
	a := e.upload(alice1, randomBytes(600))
	resp, b := e.do(alice2, "POST", wire.PathBlobs, strings.NewReader(`{"size":401}`), nil)
	wantError(t, resp, b, wire.CodeQuotaExceeded) // the quota is per person, not device
	e.create(bob1, 1000)                          // another person's quota is their own
	pending := e.create(alice2, 400)              // reserved at POST, not at PATCH
	if used, n := e.store.Usage("alice"); used != 1000 || n != 2 {
		t.Fatalf("usage %d in %d blobs", used, n)
	}
	resp, b = e.do(alice1, "POST", wire.PathBlobs, strings.NewReader(`{"size":1}`), nil)
	wantError(t, resp, b, wire.CodeQuotaExceeded)

	// DELETE frees at once; only the owner's person may.
	resp, b = e.do(bob1, "DELETE", wire.PathBlobs+"/"+pending, nil, nil)
	wantError(t, resp, b, wire.CodeNotUploader)
	if resp, b := e.do(alice1, "DELETE", wire.PathBlobs+"/"+pending, nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", resp.StatusCode, b)
	}
	e.create(alice1, 1)
	e.create(alice1, 1)
	resp, b = e.do(alice1, "POST", wire.PathBlobs, strings.NewReader(`{"size":1}`), nil)
	wantError(t, resp, b, wire.CodeQuotaExceeded) // three blobs, the most allowed

	// Expiry and the sweep free the rest.
	e.clock.Add(time.Hour)
	if n := e.store.Sweep(e.clock.Now()); n != 4 {
		t.Fatalf("swept %d, want a, the two stale 1-byte uploads and bob's", n)
	}
	if used, n := e.store.Usage("alice"); used != 0 || n != 0 {
		t.Fatalf("usage after sweep %d in %d blobs", used, n)
	}
	e.create(alice1, 1000)
	resp, b = e.do(bob1, "GET", wire.PathBlobs+"/"+a, nil, nil)
	wantError(t, resp, b, wire.CodeUnknownBlob)
}

func TestSizeCap(t *testing.T) {
	e := newEnv(t, Config{MaxSize: 100})
	resp, b := e.do(alice1, "POST", wire.PathBlobs, strings.NewReader(`{"size":101}`), nil)
	wantError(t, resp, b, wire.CodeBlobTooLarge)
	if !strings.Contains(string(b), "100 bytes") {
		t.Fatalf("the error does not say the cap: %s", b)
	}
	e.create(alice1, 100)
	for _, body := range []string{`{"size":0}`, `{"size":-1}`, `{"size":"5"}`, `{}`, `[`, ``, `{"size":1e3}`} {
		resp, b := e.do(alice1, "POST", wire.PathBlobs, strings.NewReader(body), nil)
		wantError(t, resp, b, wire.CodeBadRequest)
	}
	resp, b = e.do(alice1, "POST", wire.PathBlobs, strings.NewReader(`{"size":5,"pad":"`+strings.Repeat("x", 2000)+`"}`), nil)
	wantError(t, resp, b, wire.CodeBodyTooLarge)
}

func TestExpiry(t *testing.T) {
	e := newEnv(t, Config{TTL: 24 * time.Hour})
	id := e.upload(alice1, []byte("hello"))
	path := wire.PathBlobs + "/" + id
	e.clock.Add(24*time.Hour - time.Millisecond)
	if resp, b := e.do(bob1, "GET", path, nil, nil); resp.StatusCode != http.StatusOK || string(b) != "hello" {
		t.Fatalf("before expiry: %d %q", resp.StatusCode, b)
	}
	if n := e.store.Sweep(e.clock.Now()); n != 0 {
		t.Fatalf("swept %d before expiry", n)
	}
	e.clock.Add(time.Millisecond)
	resp, b := e.do(bob1, "GET", path, nil, nil)
	wantError(t, resp, b, wire.CodeBlobExpired)
	if head, _ := e.do(alice1, "HEAD", path, nil, nil); head.StatusCode != http.StatusGone {
		t.Fatalf("HEAD of an expired blob: %d", head.StatusCode)
	}
	if n := e.store.Sweep(e.clock.Now()); n != 1 {
		t.Fatalf("swept %d", n)
	}
	resp, b = e.do(bob1, "GET", path, nil, nil)
	wantError(t, resp, b, wire.CodeUnknownBlob)
	if left, _ := os.ReadDir(e.cfg.Dir); len(left) != 0 {
		t.Fatalf("files left after the sweep: %v", left)
	}
}

// TestStaleUpload: an upload that stops making progress is swept after
// StaleAfter; progress restarts the wait.
func TestStaleUpload(t *testing.T) {
	e := newEnv(t, Config{StaleAfter: time.Hour})
	id := e.create(alice1, 10)
	e.clock.Add(59 * time.Minute)
	e.patch(alice1, id, 0, []byte("abc"))
	e.clock.Add(59 * time.Minute)
	if n := e.store.Sweep(e.clock.Now()); n != 0 {
		t.Fatalf("swept an upload that made progress")
	}
	e.clock.Add(time.Minute)
	if n := e.store.Sweep(e.clock.Now()); n != 1 {
		t.Fatalf("swept %d, want the stale upload", n)
	}
	resp, b := e.patch(alice1, id, 3, []byte("d"))
	wantError(t, resp, b, wire.CodeUnknownBlob)
	if used, _ := e.store.Usage("alice"); used != 0 {
		t.Fatalf("quota still holds %d", used)
	}
}

func TestAuthorisation(t *testing.T) {
	e := newEnv(t, Config{})
	done := e.upload(alice1, []byte("done"))
	open := e.create(alice1, 10)
	for _, c := range []struct{ method, path string }{
		{"POST", wire.PathBlobs}, {"HEAD", wire.PathBlobs + "/" + open}, {"PATCH", wire.PathBlobs + "/" + open},
		{"GET", wire.PathBlobs + "/" + done}, {"DELETE", wire.PathBlobs + "/" + done},
		{"GET", wire.PathBlobs + "/nonsense"},
	} {
		resp, b := e.do("", c.method, c.path, strings.NewReader(`{"size":1}`), map[string]string{
			"Content-Type": wire.ContentTypeOffset, wire.HeaderUploadOffset: "0"})
		if c.method == "HEAD" {
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("HEAD without auth: %d", resp.StatusCode)
			}
			continue
		}
		wantError(t, resp, b, wire.CodeUnauthorized)
	}
	// Another device of the same person may not write the upload.
	resp, b := e.patch(alice2, open, 0, []byte("x"))
	wantError(t, resp, b, wire.CodeNotUploader)
	resp, b = e.patch(bob1, open, 0, []byte("x"))
	wantError(t, resp, b, wire.CodeNotUploader)
	// Any authenticated device may read a completed blob.
	if resp, b := e.do(bob1, "GET", wire.PathBlobs+"/"+done, nil, nil); resp.StatusCode != http.StatusOK || string(b) != "done" {
		t.Fatalf("bob's GET: %d %q", resp.StatusCode, b)
	}
	// Another person may not delete it.
	resp, b = e.do(bob1, "DELETE", wire.PathBlobs+"/"+done, nil, nil)
	wantError(t, resp, b, wire.CodeNotUploader)
}

func TestBadPaths(t *testing.T) {
	e := newEnv(t, Config{})
	id := e.upload(alice1, []byte("x"))
	for _, c := range []struct {
		method, path string
		code         wire.Code
	}{
		{"GET", wire.PathBlobs + "/" + strings.ToUpper(id), wire.CodeBadRequest},
		{"GET", wire.PathBlobs + "/" + id[:31], wire.CodeBadRequest},
		{"GET", wire.PathBlobs + "/" + id + "0", wire.CodeBadRequest},
		{"GET", wire.PathBlobs + "/..%2f..%2fetc%2fpasswd", wire.CodeNotFound},
		{"GET", wire.PathBlobs + "/..%2e", wire.CodeBadRequest},
		{"GET", wire.PathBlobs + "/" + id + ".meta", wire.CodeBadRequest},
		{"GET", wire.PathBlobs + "/" + id + "/x", wire.CodeNotFound},
		{"GET", wire.PathBlobs + "/00000000000000000000000000000000", wire.CodeUnknownBlob},
		{"GET", wire.PathBlobs, wire.CodeMethodNotAllowed},
		{"PUT", wire.PathBlobs + "/" + id, wire.CodeMethodNotAllowed},
		{"POST", wire.PathBlobs + "/" + id, wire.CodeMethodNotAllowed},
	} {
		resp, b := e.do(alice1, c.method, c.path, nil, nil)
		wantError(t, resp, b, c.code)
	}
	// Paths the mux would clean, sent to the handler as they are.
	for _, p := range []string{wire.PathBlobs + "/../secret", wire.PathBlobs + "/./" + id, "/v1/other"} {
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path = p
		req.Header.Set(deviceHeader, alice1)
		rec := httptest.NewRecorder()
		handler{e.store}.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			t.Fatalf("%s: 200", p)
		}
	}
}

func TestRestart(t *testing.T) {
	e := newEnv(t, Config{})
	data := randomBytes(100_000)
	done := e.upload(bob1, data)
	open := e.create(alice1, int64(len(data)))
	e.patch(alice1, open, 0, data[:40_000])

	// Leftovers of a crash: bytes written after the last durable offset,
	// bytes whose record was already removed, a half-written record.
	f, _ := os.OpenFile(filepath.Join(e.cfg.Dir, open+blobSuffix), os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte("not acknowledged"))
	f.Close()
	orphan := newID()
	os.WriteFile(filepath.Join(e.cfg.Dir, orphan+blobSuffix), []byte("orphan"), 0o600)
	os.WriteFile(filepath.Join(e.cfg.Dir, newID()+metaSuffix+tempSuffix), []byte("{"), 0o600)

	e.restart()
	if used, n := e.store.Usage("alice"); used != int64(len(data)) || n != 1 {
		t.Fatalf("alice's usage after restart: %d in %d", used, n)
	}
	head, _ := e.do(alice1, "HEAD", wire.PathBlobs+"/"+open, nil, nil)
	if head.Header.Get(wire.HeaderUploadOffset) != "40000" {
		t.Fatalf("offset after restart %q", head.Header.Get(wire.HeaderUploadOffset))
	}
	if resp, b := e.patch(alice1, open, 40_000, data[40_000:]); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("resume after restart: %d %s", resp.StatusCode, b)
	}
	for _, id := range []string{done, open} {
		if _, got := e.do(alice2, "GET", wire.PathBlobs+"/"+id, nil, nil); !bytes.Equal(got, data) {
			t.Fatalf("%s differs after restart", id)
		}
	}
	left, _ := os.ReadDir(e.cfg.Dir)
	if len(left) != 4 {
		t.Fatalf("want two blobs and two records, got %v", left)
	}
}

// TestUploadBusy: a PATCH waits BusyWait for a running one, then gives up
// with upload_busy and a Retry-After.
func TestUploadBusy(t *testing.T) {
	e := newEnv(t, Config{BusyWait: 50 * time.Millisecond})
	id := e.create(alice1, 10)
	ent, _, _ := e.store.lookup(id)
	ent.lock <- struct{}{} // a PATCH in progress
	resp, b := e.patch(alice1, id, 0, []byte("abc"))
	wantError(t, resp, b, wire.CodeUploadBusy)
	if resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
	}
	<-ent.lock
	if resp, b := e.patch(alice1, id, 0, []byte("abc")); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("after the lock: %d %s", resp.StatusCode, b)
	}
}

// TestBackgroundSweep: the loop New starts sweeps on its own, and Close
// stops it and turns requests away.
func TestBackgroundSweep(t *testing.T) {
	dir := t.TempDir()
	c := newClock()
	s, err := New(Config{Dir: dir, Authenticate: testAuth, Now: c.Now, TTL: time.Minute, SweepEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler{s})
	defer srv.Close()
	e := &env{t: t, store: s, srv: srv, clock: c}
	e.upload(alice1, []byte("x"))
	c.Add(time.Minute)
	waitFor(t, "the background sweeper to remove the expired blob", func() bool { return s.Stats().Blobs == 0 })
	s.Close()
	resp, b := e.do(alice1, "POST", wire.PathBlobs, strings.NewReader(`{"size":1}`), nil)
	wantError(t, resp, b, wire.CodeUnavailable)
}
