//go:build !js

package testkit

import (
	"sync"
	"time"
)

// Clock is a settable time source: the wall clock plus an offset, or,
// once frozen, a fixed time that moves only when advanced. The zero Clock
// follows the wall clock.
type Clock struct {
	mu    sync.Mutex
	off   time.Duration
	fixed time.Time
}

// FixedClock is a Clock stopped at start.
func FixedClock(start time.Time) *Clock { return &Clock{fixed: start} }

// Now is the clock's time; pass it as a Config's Now.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.fixed.IsZero() {
		return c.fixed.Add(c.off)
	}
	return time.Now().Add(c.off)
}

// Freeze stops the clock where it is.
func (c *Clock) Freeze() {
	c.mu.Lock()
	c.fixed = time.Now().Add(c.off)
	c.off = 0
	c.mu.Unlock()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}
