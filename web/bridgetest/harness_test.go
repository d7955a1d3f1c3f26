//go:build !js

package bridgetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sambung/relay"
	"sambung/web"
)

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// built holds the module and the test binary, built once per run from the
// working tree into a temporary folder that the relay serves over
// web.Static, so these tests never depend on web/build.sh having run.
var built struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildWasm builds sambung.wasm and wasm_test.wasm (the test binary of
// ./wasm) and copies wasm_exec.js, all into one folder.
func buildWasm(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		dir, err := os.MkdirTemp("", "bridgetest")
		if err != nil {
			built.err = err
			return
		}
		built.dir = dir
		root, err := filepath.Abs("../..")
		if err != nil {
			built.err = err
			return
		}
		for _, args := range [][]string{
			{"build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "sambung.wasm"), "./wasm"},
			{"test", "-c", "-o", filepath.Join(dir, "wasm_test.wasm"), "./wasm"},
			{"env", "GOROOT"},
		} {
			cmd := exec.Command("go", args...)
			cmd.Dir = root
			cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
			out, err := cmd.CombinedOutput()
			if err != nil {
				built.err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
				return
			}
			if args[0] == "env" {
				glue, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js"))
				if err == nil {
					err = os.WriteFile(filepath.Join(dir, "wasm_exec.js"), glue, 0o644)
				}
				built.err = err
			}
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.dir
}

// layers is an fs.FS that looks in each layer in turn. A precompressed
// "X.br" is taken only from the layer that has X, so a stale .br left in
// web/static by an earlier web/build.sh never shadows the fresh build.
type layers []fs.FS

func (l layers) Open(name string) (fs.File, error) {
	for _, layer := range l {
		if raw, ok := strings.CutSuffix(name, ".br"); ok {
			if _, err := fs.Stat(layer, raw); err != nil {
				continue
			}
		}
		f, err := layer.Open(name)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return f, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// codes is the relay's CodeSender in these tests: it keeps the last code
// sent to each phone.
type codes struct {
	mu   sync.Mutex
	last map[string]string
}

func (c *codes) SendCode(_ context.Context, phone, code string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.last[phone] = code
	return nil
}

func (c *codes) code(t *testing.T, phone string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	code, ok := c.last[phone]
	if !ok {
		t.Fatalf("the relay sent no code to %s", phone)
	}
	return code
}

// testRelay is a real relay on loopback with Badger in a temporary
// folder, serving the fresh build, testdata/ and web.Static.
type testRelay struct {
	url   string
	codes *codes
}

func startRelay(t *testing.T) *testRelay {
	t.Helper()
	dir := buildWasm(t)
	r := &testRelay{codes: &codes{last: map[string]string{}}}
	srv, err := relay.New(relay.Config{
		DataDir:    t.TempDir(),
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		CodeSender: r.codes,
		Static:     layers{os.DirFS(dir), os.DirFS("testdata"), web.Static},
		// Cheap password hashing: these tests are about the bridge.
		Argon2:       relay.Argon2Params{Memory: 64, Time: 1, Threads: 1},
		MemTableSize: 8 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	r.url = hs.URL
	return r
}

// startBrowser starts headless Chromium with a fresh profile and returns
// its root context; contexts made from it with newProfile are separate
// browser contexts (separate storage, separate SharedWorkers).
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no Chromium at %s (apt-get install chromium)", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil {
		t.Fatal(err)
	}
	return browser
}

// newProfile returns a tab in a new browser context of browser.
func newProfile(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	return ctx
}

// newTab returns another tab in the same browser context as tab.
func newTab(t *testing.T, tab context.Context) context.Context {
	t.Helper()
	// A child context takes its parent's browser context only once the
	// parent has a target; before, it would open in the default one.
	if err := chromedp.Do(tab); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(tab)
	t.Cleanup(cancel)
	return ctx
}

// eval evaluates a JavaScript expression in tab, awaiting it when it is a
// Promise, and decodes the result as a T (chromedp.Void to drop it). A
// rejection is an error carrying its text.
func eval[T any](tab context.Context, expr string) (T, error) {
	return chromedp.Run(tab, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}
