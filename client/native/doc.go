//go:build !js

// Package native gives sambung/client what it needs outside the browser: an
// HTTP client over net/http, a websocket Dialer over coder/websocket, and
// FileStorage, a Storage in a directory that survives restarts. It is for
// tests and tools; the browser build uses wasm/ instead and never links
// this package.
package native
