// Package e2e holds Sambung's end-to-end tests: the real web app in headless
// Chromium, driven with chromedp, against a real relay on a loopback port
// with Badger in a temporary directory. Each person gets a browser context
// of their own (their own IndexedDB and SharedWorker); two tabs of one
// person share one.
//
// The tests need the wasm module: run web/build.sh first (./build.sh test
// does). Screenshots of the main screens go to e2e/out/.
//
// Nothing here is a library: the package has only tests.
package e2e
