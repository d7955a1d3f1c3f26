//go:build !js

package relay

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// histogram is a Prometheus histogram: cumulative bucket counts, sum and
// count.
type histogram struct {
	mu     sync.Mutex
	bounds []float64
	counts []uint64 // per bucket, not cumulative; +Inf is the last
	sum    float64
	n      uint64
}

func newHistogram(bounds ...float64) *histogram {
	return &histogram{bounds: bounds, counts: make([]uint64, len(bounds)+1)}
}

func (h *histogram) observe(v float64) {
	i := 0
	for i < len(h.bounds) && v > h.bounds[i] {
		i++
	}
	h.mu.Lock()
	h.counts[i]++
	h.sum += v
	h.n++
	h.mu.Unlock()
}

func (h *histogram) write(w io.Writer, name, help string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i]
		fmt.Fprintf(w, "%s_bucket{le=\"%g\"} %d\n", name, b, cum)
	}
	cum += h.counts[len(h.bounds)]
	fmt.Fprintf(w, "%s_bucket{le=\"+Inf\"} %d\n%s_sum %g\n%s_count %d\n", name, cum, name, h.sum, name, h.n)
}

// metrics are the relay's counters, written by hand in Prometheus text
// format: the relay takes no client library for nine numbers.
type metrics struct {
	connections  atomic.Int64
	envelopesIn  atomic.Int64
	duplicates   atomic.Int64
	envelopesOut atomic.Int64
	acked        atomic.Int64

	unauthenticated atomic.Int64
	unauthRefused   atomic.Int64
	pingTimeouts    atomic.Int64

	codesSent         atomic.Int64
	codeBudgetGlobal  atomic.Int64
	codeBudgetCountry atomic.Int64
	codeLocked        atomic.Int64
	codeWrong         atomic.Int64
	codeRefused       atomic.Int64
	passwordLocked    atomic.Int64
	lookupAllowance   atomic.Int64
	lookupMisses      atomic.Int64
	lookupAlarms      atomic.Int64
	preKeysRefused    atomic.Int64
	commit            *histogram
	batch             *histogram
}

func newMetrics() *metrics {
	return &metrics{
		commit: newHistogram(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
		batch:  newHistogram(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
	}
}

// observeFlush is the store writer's OnFlush hook.
func (m *metrics) observeFlush(requests, _ int, took time.Duration) {
	m.commit.observe(took.Seconds())
	m.batch.observe(float64(requests))
}

// A sample is one line of /metrics: a name, with labels if its family has
// them, and a value. Samples of one family stand together, and only the
// first writes HELP and TYPE: the others leave help empty.
type sample struct {
	kind  string // "counter" or "gauge"
	name  string // e.g. "sambung_code_budget_refused_total{budget=\"global\"}"
	help  string
	value int64
}

func writeSamples(w io.Writer, samples []sample) {
	prev := ""
	for _, x := range samples {
		family, _, _ := strings.Cut(x.name, "{")
		if family != prev {
			fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", family, x.help, family, x.kind)
			prev = family
		}
		fmt.Fprintf(w, "%s %d\n", x.name, x.value)
	}
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m := s.metrics
	full := int64(0)
	if s.disk.low.Load() {
		full = 1
	}
	// The relay's counters, then the state of its storage.
	writeSamples(w, []sample{
		{"gauge", "sambung_connections", "Authenticated websockets open.", m.connections.Load()},
		{"counter", "sambung_envelopes_in_total", "Envelopes durably stored.", m.envelopesIn.Load()},
		{"counter", "sambung_envelopes_duplicate_total", "Resent envelopes not stored again.", m.duplicates.Load()},
		{"counter", "sambung_envelopes_out_total", "Envelopes pushed to devices.", m.envelopesOut.Load()},
		{"counter", "sambung_envelopes_acked_total", "Envelopes deleted on ack.", m.acked.Load()},
		{"gauge", "sambung_unauthenticated", "Websockets accepted and not yet authenticated.", m.unauthenticated.Load()},
		{"counter", "sambung_unauthenticated_refused_total", "Websockets refused because too many were waiting to authenticate.", m.unauthRefused.Load()},
		{"counter", "sambung_ping_timeouts_total", "Websockets closed for not answering a ping.", m.pingTimeouts.Load()},
		{"counter", "sambung_codes_sent_total", "One-time codes handed to the code sender.", m.codesSent.Load()},
		{"counter", "sambung_code_budget_refused_total{budget=\"global\"}", "Code requests refused because a code budget was spent.", m.codeBudgetGlobal.Load()},
		{"counter", "sambung_code_budget_refused_total{budget=\"country\"}", "", m.codeBudgetCountry.Load()},
		{"counter", "sambung_code_locked_total", "Code requests and tries refused while a number was locked or over its daily caps.", m.codeLocked.Load()},
		{"counter", "sambung_code_wrong_total", "Wrong codes tried (each counts against its number's daily cap).", m.codeWrong.Load()},
		{"counter", "sambung_code_refused_total", "Code requests the operator's CodeCheck refused.", m.codeRefused.Load()},
		{"counter", "sambung_password_locked_total", "Sign-ins refused while an account was throttled for wrong passwords.", m.passwordLocked.Load()},
		{"counter", "sambung_lookup_allowance_refused_total", "Lookups refused because the account's daily allowance was spent.", m.lookupAllowance.Load()},
		{"counter", "sambung_lookup_misses_total", "Lookups of addresses nobody has.", m.lookupMisses.Load()},
		{"counter", "sambung_lookup_alarms_total", "Minutes in which lookups that found nobody passed the alarm level.", m.lookupAlarms.Load()},
		{"counter", "sambung_prekeys_refused_total", "Bundles served without a one-time prekey because their device was drained too fast.", m.preKeysRefused.Load()},
		{"gauge", "sambung_disk_free_bytes", "Least free space of the data and blob filesystems at the last look.", s.disk.free.Load()},
		{"gauge", "sambung_storage_full", "1 while free space is below the reserve and sends and uploads are refused.", full},
		{"gauge", "sambung_queue_depth", "Envelopes stored in all mailboxes.", s.st.QueueDepth()},
		{"gauge", "sambung_writer_pending", "Write requests waiting for the mailbox writer.", int64(s.st.Pending())},
	})
	m.commit.write(w, "sambung_commit_seconds", "Time of one mailbox writer flush, commit and sync included.")
	m.batch.write(w, "sambung_commit_batch_size", "Write requests per mailbox writer flush.")
	s.blobs.WriteMetrics(w)
	if s.turn != nil {
		s.turn.WriteMetrics(w)
	}
	return nil
}
