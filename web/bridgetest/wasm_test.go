//go:build !js

package bridgetest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestWasmInChromium runs the test binary of ./wasm in a worker of headless
// Chromium, served by a real relay: IndexedDB storage against the
// reference MemoryStorage, fetch and WebSocket against the relay. Under
// Node those tests skip; here none may.
func TestWasmInChromium(t *testing.T) {
	r := startRelay(t)
	tab := newProfile(t, startBrowser(t))
	args := "-test.v -test.count=1"
	if err := chromedp.Do(tab, chromedp.Navigate(r.URL+"/gotest.html?args="+url.QueryEscape(args))); err != nil {
		t.Fatal(err)
	}
	type result struct {
		Code   int    `json:"code"`
		Output string `json:"output"`
	}
	res, err := eval[result](tab, "window.goTestResult")
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + res.Output)
	if res.Code != 0 {
		t.Fatalf("wasm tests exited with %d", res.Code)
	}
	if strings.Contains(res.Output, "--- SKIP") {
		t.Error("a wasm test skipped in the browser")
	}
	if !strings.Contains(res.Output, "--- PASS: TestStorageMatchesMemory") {
		t.Error("TestStorageMatchesMemory did not run")
	}
}
