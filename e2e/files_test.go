//go:build !js

package e2e

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"sambung/relay"
)

// blobCap is the relay's size cap in these tests: above the 50 MB file,
// below the file that must be refused.
const blobCap = 60 << 20

// patchLog records the relay's blob PATCH requests and can break the first
// large one off mid-way, as a dropped connection would.
type patchLog struct {
	mu      sync.Mutex
	offsets map[string][]int64 // blob id -> Upload-Offset of each PATCH
	breakAt int64              // bytes after which to drop the next big PATCH; 0: never
	broken  int
}

func (l *patchLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPatch || !strings.HasPrefix(r.URL.Path, "/v1/blobs/") {
			next.ServeHTTP(w, r)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/v1/blobs/")
		off, _ := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
		l.mu.Lock()
		l.offsets[id] = append(l.offsets[id], off)
		cut := l.breakAt
		if cut > 0 && r.ContentLength > cut {
			l.breakAt = 0
			l.broken++
		} else {
			cut = 0
		}
		l.mu.Unlock()
		if cut == 0 {
			next.ServeHTTP(w, r)
			return
		}
		// Let the relay read cut bytes, then fail the body as a dropped
		// connection does, and drop the connection without an answer.
		r.Body = io.NopCloser(io.MultiReader(io.LimitReader(r.Body, cut), errReader{}))
		next.ServeHTTP(discard{h: http.Header{}}, r)
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.(*net.TCPConn).SetLinger(0)
				c.Close()
			}
		}
	})
}

func (l *patchLog) patches(id string) []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]int64(nil), l.offsets[id]...)
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// discard is a ResponseWriter that throws the answer away.
type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(b []byte) (int, error) { return len(b), nil }
func (d discard) WriteHeader(int)             {}

// writeRandom writes n random bytes to a new file in dir.
func writeRandom(t *testing.T, dir, name string, n int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, int64(n)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// writePNG writes a photo-like 1200×800 PNG.
func writePNG(t *testing.T, dir, name string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for y := 0; y < 800; y++ {
		for x := 0; x < 1200; x++ {
			img.Set(x, y, color.RGBA{uint8(x / 5), uint8(y / 4), uint8((x + y) / 8), 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// attach picks files in the page's file picker, as a person would.
func (p *page) attach(paths ...string) {
	p.t.Helper()
	p.do(chromedp.SetUploadFiles(tid("file-input"), paths))
}

// fileState is the state of the newest file bubble with name.
func fileSel(name string) string {
	return `[...document.querySelectorAll('[data-testid="file"]')].filter((el) =>
		el.querySelector('[data-testid="file-name"]').textContent === ` + js(name) + `).pop()`
}

// waitDownload waits for a complete file name in dir and returns its bytes.
func waitDownload(t *testing.T, dir, name string, size int) []byte {
	t.Helper()
	path := filepath.Join(dir, name)
	for deadline := time.Now().Add(2 * waitTimeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		fi, err := os.Stat(path)
		if err == nil && fi.Size() == int64(size) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	entries, _ := os.ReadDir(dir)
	t.Fatalf("%s was not saved in %s (it holds %v)", name, dir, entries)
	return nil
}

// TestFiles sends files between a phone user and an account user through a
// real relay, in two Chromium contexts: a photo with its thumbnail, a 50 MB
// file saved and compared byte for byte, an upload that breaks off and
// resumes, a tampered blob, and a file over the relay's cap.
func TestFiles(t *testing.T) {
	root := startBrowser(t)
	log := &patchLog{offsets: map[string][]int64{}}
	r := startRelay(t, func(c *relay.Config) { c.BlobMaxSize = blobCap })
	r.Wrap(log.wrap)

	ana := newPerson(t, root, r, "ana")
	budi := newPerson(t, root, r, "budi")
	a := ana.open()
	a.signUpPhone(r, "+62 811 2000 3000", "+6281120003000")
	b := budi.open()
	b.signUpAccount("budi", "correct horse battery")
	a.startChat("account", "budi")
	a.sendMessage("files coming")
	b.openChat("+6281120003000")
	b.waitMessage("files coming")

	dir := t.TempDir()
	saved := t.TempDir()
	if _, err := chromedp.CallBrowser(budi.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: saved,
		BrowserContextID: chromedp.FromContext(budi.ctx).BrowserContextID,
	}); err != nil {
		t.Fatal(err)
	}

	t.Run("photo with thumbnail", func(t *testing.T) {
		ana.at(t)
		budi.at(t)
		a.attach(writePNG(t, dir, "pantai.png"))
		sel := fileSel("pantai.png")
		// The thumbnail rides in the encrypted pointer: it shows at once,
		// and the full image replaces it after the download.
		b.waitJS(`(() => { const el = `+sel+`; const img = el?.querySelector('[data-testid="file-thumbnail"], [data-testid="file-image"]');
			return !!img && img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0; })()`, "the photo's preview")
		b.waitJS(sel+`?.dataset.state === 'ready' && `+sel+`.querySelector('[data-testid="file-image"]').naturalWidth === 1200`, "the full photo")
		if meta := eval[string](b, sel+`.querySelector('[data-testid="file-meta"]').textContent`); !strings.Contains(meta, "image/png") {
			t.Fatalf("meta %q", meta)
		}
		b.screenshot("file-photo")
	})

	t.Run("50 MB file saved byte for byte", func(t *testing.T) {
		ana.at(t)
		budi.at(t)
		const size = 50 << 20
		src := writeRandom(t, dir, "data-50mb.bin", size)
		a.attach(src)
		sel := fileSel("data-50mb.bin")
		b.waitJS(`!!`+sel+`?.querySelector('[data-testid="file-download"]')`, "the download button")
		eval[chromedp.Void](b, sel+`.querySelector('[data-testid="file-download"]').click()`)
		b.waitJS(sel+`?.dataset.state === 'downloading' || `+sel+`?.dataset.state === 'ready'`, "the download to start")
		got := waitDownload(t, saved, "data-50mb.bin", size)
		want, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatal("the saved file differs from the sent one")
		}
	})

	t.Run("interrupted upload resumes", func(t *testing.T) {
		ana.at(t)
		budi.at(t)
		const size = 20 << 20
		log.mu.Lock()
		log.breakAt = 3 << 20
		log.mu.Unlock()
		src := writeRandom(t, dir, "resume.bin", size)
		a.attach(src)
		sel := fileSel("resume.bin")
		b.waitJS(`!!`+sel+`?.querySelector('[data-testid="file-download"]')`, "the resumed file to arrive")
		var id string
		log.mu.Lock()
		for k, offs := range log.offsets {
			for _, o := range offs {
				// Inside the first 8 MiB batch (8 MiB of plaintext is
				// 8 MiB + 128 tags of ciphertext): a resumed PATCH.
				if o > 0 && o < 8<<20+128*16 {
					id = k
				}
			}
		}
		broken := log.broken
		log.mu.Unlock()
		if broken != 1 || id == "" {
			t.Fatalf("broken %d, resumed blob %q, offsets %v", broken, id, log.offsets)
		}
		// The upload went on from where the relay got to, not from 0.
		// (Chromium itself may repeat a request whose reused connection
		// dropped before any answer, and the engine sends each batch
		// while the one before is still going, so a batch may be sent
		// twice; the relay answers a PATCH at the wrong offset with
		// offset_mismatch and the durable offset. Three batches: at most
		// two sends each and two repeats.)
		offs := log.patches(id)
		if offs[0] != 0 || !slices.Contains(offs, 3<<20) || len(offs) > 8 {
			t.Fatalf("PATCH offsets %v: want one to resume from the durable offset %d", offs, 3<<20)
		}
		eval[chromedp.Void](b, sel+`.querySelector('[data-testid="file-download"]').click()`)
		got := waitDownload(t, saved, "resume.bin", size)
		want, _ := os.ReadFile(src)
		if !bytes.Equal(got, want) {
			t.Fatal("the resumed file differs from the sent one")
		}
	})

	t.Run("tampered blob is rejected", func(t *testing.T) {
		ana.at(t)
		budi.at(t)
		src := writeRandom(t, dir, "tampered.bin", 300<<10)
		a.attach(src)
		sel := fileSel("tampered.bin")
		b.waitJS(`!!`+sel+`?.querySelector('[data-testid="file-download"]')`, "the file to arrive")
		// Flip one byte of the newest blob on the relay's disk.
		blobs, _ := filepath.Glob(filepath.Join(relay.DefaultBlobDir(r.Config.DataDir), "*.blob"))
		var newest string
		var at time.Time
		for _, p := range blobs {
			if fi, err := os.Stat(p); err == nil && fi.ModTime().After(at) {
				newest, at = p, fi.ModTime()
			}
		}
		if newest == "" {
			t.Fatalf("no blob on disk in %s", relay.DefaultBlobDir(r.Config.DataDir))
		}
		data, err := os.ReadFile(newest)
		if err != nil {
			t.Fatal(err)
		}
		data[len(data)/2] ^= 1
		if err := os.WriteFile(newest, data, 0o600); err != nil {
			t.Fatal(err)
		}
		before := b.opfsFiles()
		eval[chromedp.Void](b, sel+`.querySelector('[data-testid="file-download"]').click()`)
		b.waitJS(sel+`?.dataset.state === 'failed'`, "the download to fail")
		// What the writer wrote before the bad chunk is removed, not kept.
		if after := b.opfsFiles(); !slices.Equal(after, before) {
			t.Fatalf("the origin-private files went from %q to %q", before, after)
		}
		if code := eval[string](b, sel+`.dataset.error`); code != "file_tampered" {
			t.Fatalf("error code %q", code)
		}
		msg := eval[string](b, sel+`.querySelector('[data-testid="file-error"]').textContent`)
		if !strings.Contains(msg, "altered or damaged") {
			t.Fatalf("error shown: %q", msg)
		}
		if eval[bool](b, `!!`+sel+`.querySelector('[data-testid="file-save"], [data-testid="file-image"]')`) {
			t.Fatal("a tampered file is offered as complete")
		}
		if _, err := os.Stat(filepath.Join(saved, "tampered.bin")); err == nil {
			t.Fatal("a tampered file was saved")
		}
		b.screenshot("file-tampered")
	})

	t.Run("over the cap is refused before upload", func(t *testing.T) {
		ana.at(t)
		budi.at(t)
		path := filepath.Join(dir, "too-big.bin")
		if err := os.Truncate(writeRandom(t, dir, "too-big.bin", 1), blobCap+1); err != nil {
			t.Fatal(err)
		}
		log.mu.Lock()
		before := len(log.offsets)
		log.mu.Unlock()
		a.attach(path)
		a.waitJS(`[...document.querySelectorAll('[data-testid="upload"]')].some((el) => el.dataset.state === 'failed' && el.dataset.error === 'blob_too_large')`,
			"the upload to be refused")
		msg := eval[string](a, `[...document.querySelectorAll('[data-testid="upload"]')].find((el) => el.dataset.error === 'blob_too_large').querySelector('[data-testid="upload-error"]').textContent`)
		if !strings.Contains(msg, "bigger than this relay accepts") {
			t.Fatalf("error shown: %q", msg)
		}
		log.mu.Lock()
		after := len(log.offsets)
		log.mu.Unlock()
		if after != before {
			t.Fatal("bytes of a refused file were uploaded")
		}
		a.screenshot("file-too-big")
	})
	a.checkConsole()
	b.checkConsole()
}

// TestVoiceNote records a voice note with MediaRecorder from Chromium's fake
// microphone and plays it on the other side.
func TestVoiceNote(t *testing.T) {
	root := startBrowser(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true))
	r := startRelay(t)
	sari := newPerson(t, root, r, "sari")
	tono := newPerson(t, root, r, "tono")
	a := sari.open()
	a.signUpAccount("sari", "correct horse battery")
	b := tono.open()
	b.signUpPhone(r, "+62 811 4000 5000", "+6281140005000")
	a.startChat("phone", "+62 811 4000 5000")
	a.click("voice-button")
	a.waitJS(`!document.querySelector('[data-testid="voice-recorder"]').hidden`, "the recorder")
	// A voice note of at least 1.5 s, by the recorder's own clock, which
	// shows it rounded: 0:02.
	a.waitJS(`(() => { const m = /^(\d+):(\d\d)$/.exec(document.querySelector('[data-testid="voice-time"]').textContent);
		return !!m && m[1] * 60 + +m[2] >= 2; })()`, "the recorder to show 0:02")
	a.click("voice-send")
	b.openChat("sari")
	sel := `document.querySelector('[data-testid="file"][data-kind="audio"]')`
	b.waitJS(sel+`?.dataset.state === 'ready' && `+sel+`.querySelector('[data-testid="file-audio"]').readyState >= 1`, "the voice note to load")
	// Its length is from start to stop: at least the 0:02 the recorder
	// showed, more if the click came late.
	meta := eval[string](b, sel+`.querySelector('[data-testid="file-meta"]').textContent`)
	length := regexp.MustCompile(`(\d+):(\d\d)$`).FindStringSubmatch(meta)
	if !strings.Contains(meta, "audio/") || length == nil || length[1] == "0" && length[2] < "02" {
		t.Fatalf("voice note shows %q, want audio of 0:02 or more", meta)
	}
	if n := eval[int](b, sel+`.querySelector('[data-testid="file-audio"]').src.startsWith('blob:') ? 1 : 0`); n != 1 {
		t.Fatal("the voice note does not play from a local blob")
	}
	a.checkConsole()
	b.checkConsole()
}

// opfsFilesJS lists the names in the file engine's folder of the
// origin-private file system, sorted.
const opfsFilesJS = `(async () => {
	const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('sambung-files', { create: true });
	const names = [];
	for await (const name of dir.keys()) names.push(name);
	return names.sort();
})()`

// opfsFiles waits until no partly written file (.part) is left in the file
// engine's folder (a writer removes its file after a failure, on its own
// time) and returns the names in it.
func (p *page) opfsFiles() []string {
	p.t.Helper()
	part := func(n string) bool { return strings.HasSuffix(n, ".part") }
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(50 * time.Millisecond) {
		names := eval[[]string](p, opfsFilesJS)
		if !slices.ContainsFunc(names, part) {
			return names
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: partly written files stayed in the origin-private folder: %q", p.name, names)
		}
	}
}
