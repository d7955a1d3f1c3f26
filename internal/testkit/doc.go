//go:build !js

// Package testkit is what tests and benchmark programs across the tree
// share and what needs no relay: a settable clock, a bounded wait for a
// condition, a buffer safe for concurrent log writes, a child process
// that re-executes the test binary, and the wire-level client side of the
// relay's HTTP and websocket API (device keys, coded errors, frames).
//
// It imports no sambung package but crypto and wire, so the relay's own
// in-package tests can use it; internal/relaytest builds the relay on it.
// Nothing outside tests and bench programs may import it: it is not
// linked into the relay binary or the wasm module.
package testkit
