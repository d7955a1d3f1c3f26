//go:build !js

// Package chromium starts the headless Chromium that the browser tests
// (e2e, web/bridgetest) and the browser benchmarks drive through chromedp:
// where it is, the flags this machine needs, a fresh profile each time.
//
// It is for tests and bench programs only: nothing in the relay binary or
// the wasm module imports it.
package chromium

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Path is Debian's chromium, which .ci/run installs.
const Path = "/usr/bin/chromium"

// Window is a laptop's window, the size screenshots and benchmarks see.
const (
	WindowWidth  = 1100
	WindowHeight = 720
)

// Missing says what to do when there is no Chromium at Path, or is nil.
func Missing() error { return missing(Path) }

func missing(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	if _, err := exec.LookPath("chromium"); path == Path && err == nil {
		return nil
	}
	return fmt.Errorf("%s is missing: apt-get install -y chromium (.ci/run does)", path)
}

// Start starts one headless Chromium with a fresh profile and the flags
// this machine needs (no sandbox as root, no GPU, no background
// networking on a closed network), plus extra. It returns the browser's
// root context; stop ends it and removes the profile.
func Start(extra ...chromedp.ExecAllocatorOption) (ctx context.Context, stop func(), err error) {
	return StartAt(Path, extra...)
}

// StartAt is Start with the Chromium binary at path.
func StartAt(path string, extra ...chromedp.ExecAllocatorOption) (ctx context.Context, stop func(), err error) {
	if err := missing(path); err != nil {
		return nil, nil, err
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
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(WindowWidth, WindowHeight),
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

// ForTest is Start for a test: it fails the test when Chromium does not
// start, and stops it when the test ends.
func ForTest(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	ctx, stop, err := Start(extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return ctx
}
