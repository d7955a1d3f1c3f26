// Package crashtest proves the relay's durability chain across a real
// crash: it runs package relay's Server in a child process on a real Badger
// directory, loads it with real websocket clients over loopback, kills it
// with SIGKILL mid-load, restarts it on the same directory and counts, by
// envelope id, that every envelope the relay acknowledged reaches its
// device exactly once.
//
// SIGKILL ends the process but not the kernel: what the relay had written
// survives in the page cache even without fsync. This test therefore proves
// that the relay acknowledges only what it has committed and that a restart
// recovers, dedupes and delivers it; it does not simulate power loss.
//
// The package has only tests (and this file). It must not be imported.
package crashtest
