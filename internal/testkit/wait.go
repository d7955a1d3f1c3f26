//go:build !js

package testkit

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// Patience bounds a wait for something the code under test does on its
// own time: seconds on a loaded machine (both cores busy), so that what
// never happens still fails, and what does happen passes.
const Patience = 30 * time.Second

// pollEvery is how often WaitFor checks again.
const pollEvery = 5 * time.Millisecond

// WaitFor polls cond until it holds, failing with what after patience.
func WaitFor(t testing.TB, patience time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(patience); !cond(); time.Sleep(pollEvery) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", patience, what)
		}
	}
}

// Buffer is a bytes.Buffer safe for concurrent writes, such as a logger's
// from the goroutines of a server.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
