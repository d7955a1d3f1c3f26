//go:build !js

// Package benchkit is what the browser benchmark programs share: a headless
// Chromium with a fresh profile, and a real relay in the same process with
// a code book in place of SMS.
package benchkit

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"sambung/relay"
	"sambung/web"
)

// ChromiumPath is Debian's chromium, which .ci/run installs.
const ChromiumPath = "/usr/bin/chromium"

// StartChromium starts one headless Chromium at path with a fresh profile
// and the flags this machine needs (no sandbox as root, no background
// networking on a closed network), plus extra. stop ends it and removes
// the profile.
func StartChromium(path string, extra ...chromedp.ExecAllocatorOption) (ctx context.Context, stop func(), err error) {
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("%s is missing: apt-get install -y chromium", path)
	}
	dir, err := os.MkdirTemp("", "sambung-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.WindowSize(1100, 720),
	)
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	stop = func() {
		cancel()
		cancelAlloc()
		os.RemoveAll(dir)
	}
	if err := chromedp.Do(ctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("starting %s: %w", path, err)
	}
	return ctx, stop, nil
}

// CodeBook is the relay's CodeSender in benchmarks: it keeps the one-time
// codes the relay would send by SMS.
type CodeBook struct {
	mu    sync.Mutex
	codes map[string]string
}

// SendCode implements relay.CodeSender.
func (b *CodeBook) SendCode(_ context.Context, phone, code string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.codes == nil {
		b.codes = map[string]string{}
	}
	b.codes[phone] = code
	return nil
}

// Code waits up to timeout for the code sent to phone (E.164).
func (b *CodeBook) Code(phone string, timeout time.Duration) (string, error) {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b.mu.Lock()
		c, ok := b.codes[phone]
		b.mu.Unlock()
		if ok {
			return c, nil
		}
	}
	return "", fmt.Errorf("no code sent to %s", phone)
}

// Relay is a real relay serving the embedded web app on a loopback port,
// with its data in a temporary directory.
type Relay struct {
	URL   string
	Codes *CodeBook
	dir   string
	srv   *relay.Server
	hs    *http.Server
}

// StartRelay starts a relay whose per-IP and per-connection limits are
// lifted (every browser comes from 127.0.0.1, and benchmarks send faster
// than people); tweak changes the Config further.
func StartRelay(tweak func(*relay.Config)) (*Relay, error) {
	dir, err := os.MkdirTemp("", "sambung-bench-")
	if err != nil {
		return nil, err
	}
	r := &Relay{dir: dir, Codes: &CodeBook{}}
	cfg := relay.Config{
		DataDir:    dir,
		Logger:     slog.New(slog.DiscardHandler),
		CodeSender: r.Codes,
		Static:     web.Static,
		AuthRate:   relay.Rate{Count: 1000, Per: time.Second, Burst: 1000},
		LookupRate: relay.Rate{Count: 1000, Per: time.Second, Burst: 1000},
		FrameRate:  relay.Rate{Count: 100000, Per: time.Second, Burst: 100000},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	if r.srv, err = relay.New(cfg); err != nil {
		r.removeData()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		r.srv.Close()
		r.removeData()
		return nil, err
	}
	r.URL = "http://" + ln.Addr().String()
	r.hs = &http.Server{Handler: r.srv}
	go r.hs.Serve(ln)
	return r, nil
}

// Close stops the relay and removes its data.
func (r *Relay) Close() {
	r.hs.Close()
	r.srv.Close()
	r.removeData()
}

// removeData removes the relay's directory and the blob directory that
// the relay makes beside it by default. A BlobDir that tweak set is the
// caller's.
func (r *Relay) removeData() {
	os.RemoveAll(r.dir)
	os.RemoveAll(relay.DefaultBlobDir(r.dir))
}
