//go:build !js

package bridgetest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sambung/internal/chromium"
	"sambung/internal/relaytest"
	"sambung/relay"
	"sambung/web"
)

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

// startRelay starts a real relay on loopback with Badger in a temporary
// folder, serving the fresh build, testdata/ and web.Static.
func startRelay(t *testing.T) *relaytest.Relay {
	t.Helper()
	dir := buildWasm(t)
	return relaytest.Start(t, func(c *relay.Config) {
		c.Static = layers{os.DirFS(dir), os.DirFS("testdata"), web.Static}
	})
}

// startBrowser starts headless Chromium with a fresh profile and returns
// its root context; contexts made from it with newProfile are separate
// browser contexts (separate storage, separate SharedWorkers).
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	if err := chromium.Missing(); err != nil {
		t.Skip(err)
	}
	// Every step of a test in it ends within three minutes.
	ctx, cancel := context.WithTimeout(chromium.ForTest(t), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
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
