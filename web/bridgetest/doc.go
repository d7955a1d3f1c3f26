// Package bridgetest checks the browser half of Sambung in a real browser:
// it builds the wasm module and the test binary of ../../wasm, serves them
// from a real relay (Badger in a temporary folder), and drives headless
// Chromium with chromedp. It runs the wasm/ tests that need IndexedDB,
// fetch and WebSocket, and a smoke test of sambung.js between two browser
// profiles. It is tests only; the full end-to-end suite of the web app is
// in e/2e.
package bridgetest
