//go:build !js

package relay

import (
	"math"
	"sync"
	"time"
)

// bucket is one token bucket.
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills b for the time since its last use and takes one token. When
// none is left it says how long until one is.
func (b *bucket) take(r Rate, now time.Time) (bool, time.Duration) {
	perToken := r.Per.Seconds() / float64(r.Count)
	if b.last.IsZero() {
		b.tokens = float64(r.Burst)
	} else if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(float64(r.Burst), b.tokens+el/perToken)
	}
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) * perToken * float64(time.Second))
}

// maxBuckets bounds a limiter's memory. Past it, buckets that have refilled
// (idle keys) are swept; an attacker with more addresses than this gains
// only a fresh burst each.
const maxBuckets = 100_000

// limiter is a token bucket per key (a person, an IP).
type limiter struct {
	rate    Rate
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

func newLimiter(r Rate, now func() time.Time) *limiter {
	return &limiter{rate: r, now: now, buckets: make(map[string]*bucket)}
}

// allow takes a token for key, or says how long to wait.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{}
		l.buckets[key] = b
	}
	return b.take(l.rate, now)
}

// sweep forgets buckets that are full again, so they hold no state.
func (l *limiter) sweep(now time.Time) {
	full := l.rate.Per * time.Duration(l.rate.Burst) / time.Duration(l.rate.Count)
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= maxBuckets {
		clear(l.buckets)
	}
}

// retrySeconds rounds a wait up to whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	s := int(math.Ceil(d.Seconds()))
	if s < 1 {
		s = 1
	}
	return s
}
