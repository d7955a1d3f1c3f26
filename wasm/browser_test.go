//go:build js && wasm

package main

import (
	"context"
	"syscall/js"
	"testing"
	"time"
)

// These tests need a browser: IndexedDB, fetch and WebSocket as a page's
// worker has them, and a relay at the page's origin. web/bridgetest builds
// this test binary, serves it from a real relay and runs it in headless
// Chromium. Under Node (go_js_wasm_exec) they skip.

// inBrowser skips t unless it runs in a browser worker or page.
func inBrowser(t *testing.T) {
	t.Helper()
	if js.Global().Get("indexedDB").IsUndefined() || js.Global().Get("WebSocket").IsUndefined() {
		t.Skip("needs a browser (IndexedDB, WebSocket); web/bridgetest runs these in Chromium")
	}
}

// relayOrigin is the origin the test binary was loaded from: the relay.
func relayOrigin(t *testing.T) string {
	t.Helper()
	inBrowser(t)
	return js.Global().Get("location").Get("origin").String()
}

// testContext is a context that ends with the test, bounded so that a hung
// browser call fails the test instead of the whole run.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}
