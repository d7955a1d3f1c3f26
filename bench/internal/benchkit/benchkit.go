//go:build !js

// Package benchkit is what the browser benchmark programs share: a real
// relay in the same process (internal/relaytest, with the benchmarks' own
// limits and its data removed on Close) and the process measurements of
// the Chromium that internal/chromium starts.
package benchkit

import (
	"log/slog"
	"os"
	"time"

	"sambung/internal/relaytest"
	"sambung/relay"
	"sambung/web"
)

// Relay is a real relay serving the embedded web app on a loopback port,
// with its data in a temporary directory.
type Relay struct {
	*relaytest.Relay
	dir string
}

// StartRelay starts a relay whose per-IP and per-connection limits are
// lifted (every browser comes from 127.0.0.1, and benchmarks send faster
// than people); tweak changes the Config further.
func StartRelay(tweak func(*relay.Config)) (*Relay, error) {
	dir, err := os.MkdirTemp("", "sambung-bench-")
	if err != nil {
		return nil, err
	}
	r := &Relay{dir: dir}
	cfg := relay.Config{
		DataDir:    dir,
		Logger:     slog.New(slog.DiscardHandler),
		Static:     web.Static,
		AuthRate:   relay.Rate{Count: 1000, Per: time.Second, Burst: 1000},
		LookupRate: relay.Rate{Count: 1000, Per: time.Second, Burst: 1000},
		FrameRate:  relay.Rate{Count: 100000, Per: time.Second, Burst: 100000},
	}
	if tweak != nil {
		tweak(&cfg)
	}
	if r.Relay, err = relaytest.New(cfg); err != nil {
		r.removeData()
		return nil, err
	}
	return r, nil
}

// Close stops the relay and removes its data.
func (r *Relay) Close() {
	r.Relay.Close()
	r.removeData()
}

// removeData removes the relay's directory and the blob directory that
// the relay makes beside it by default. A BlobDir that tweak set is the
// caller's.
func (r *Relay) removeData() {
	os.RemoveAll(r.dir)
	os.RemoveAll(relay.DefaultBlobDir(r.dir))
}
