//go:build !js

// Package native gives sambung/client what it needs outside the browser: an
// HTTP client over net/http, a websocket Dialer over coder/websocket, and
// FileStorage, a Storage in a directory that survives restarts. It is for
// tests and tools; the browser build uses wasm/ instead and never links
// this package.
//
// One client per directory: OpenFileStorage takes an exclusive flock(2) on
// the file "lock" in the directory and holds it until Close, and a second
// opener, in another process or in this one, fails with an error wrapping
// ErrLocked. Two clients on one directory would fork the same ratchets and
// the peer would receive messages it cannot decrypt. The kernel drops the
// lock when its holder exits, even by SIGKILL, so a crash leaves no stale
// lock and no pid file to clean up. Where there is no flock (Windows,
// Plan 9, Solaris) the directory is not guarded.
package native
