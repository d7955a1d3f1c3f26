//go:build !js

package main

import (
	"fmt"
	"os"
	"sambung/bench/internal/benchkit"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sampleEvery is how often the sampler reads /proc: often enough to see a
// transfer's peak (a 200 MB transfer lasts seconds), rarely enough that
// reading /proc costs nothing next to it on two cores.
const sampleEvery = 100 * time.Millisecond

// peaks are the highest resident set sizes seen during one phase, in bytes.
type peaks struct {
	Renderers   int   // how many renderers ran web content, at most
	RendererSum int64 // those renderer processes together: the pages and the SharedWorkers
	RendererMax int64 // the largest renderer
	Browser     int64 // Chromium's browser process (blob registry, file system, storage)
	BrowserAnon int64 // its anonymous part (RssAnon): heap, not mapped files or shared memory
	BrowserShm  int64 // its shared memory (RssShmem): data pipes and blob transport
	Chromium    int64 // every Chromium process together (browser, renderers, network, GPU, ...)
	Relay       int64 // the relay process
	Samples     int
	CPU         cpuUse // CPU time during the phase; merge leaves it out
}

func (p *peaks) merge(q peaks) {
	p.Renderers = max(p.Renderers, q.Renderers)
	p.RendererSum = max(p.RendererSum, q.RendererSum)
	p.RendererMax = max(p.RendererMax, q.RendererMax)
	p.Browser = max(p.Browser, q.Browser)
	p.BrowserAnon = max(p.BrowserAnon, q.BrowserAnon)
	p.BrowserShm = max(p.BrowserShm, q.BrowserShm)
	p.Chromium = max(p.Chromium, q.Chromium)
	p.Relay = max(p.Relay, q.Relay)
	p.Samples += q.Samples
}

// sampler reads the RSS of Chromium's process tree and of the relay every
// sampleEvery between start and stop.
type sampler struct {
	browserPID, relayPID int

	mu      sync.Mutex
	cur     peaks
	cpu0    cpuSnap
	stopped chan struct{}
	quit    chan struct{}
}

func newSampler(browserPID, relayPID int) *sampler {
	return &sampler{browserPID: browserPID, relayPID: relayPID}
}

// start begins a phase: it resets the relay's high-water mark (VmHWM) so
// that a peak between two samples is not lost either.
func (s *sampler) start() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.relayPID), []byte("5"), 0)
	s.mu.Lock()
	s.cur = peaks{}
	s.mu.Unlock()
	s.quit = make(chan struct{})
	s.stopped = make(chan struct{})
	s.cpu0 = snapCPU(s.browserPID, s.relayPID)
	go func() {
		defer close(s.stopped)
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.quit:
				return
			case <-t.C:
			}
		}
	}()
}

// stop ends the phase and returns its peaks.
func (s *sampler) stop() peaks {
	close(s.quit)
	<-s.stopped
	cpu := snapCPU(s.browserPID, s.relayPID).since(s.cpu0)
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	if hwm := vmHWM(s.relayPID); hwm > s.cur.Relay {
		s.cur.Relay = hwm
	}
	s.cur.CPU = cpu
	return s.cur
}

func (s *sampler) sample() {
	var q peaks
	q.Samples = 1
	for _, pid := range benchkit.Descendants(s.browserPID) {
		rss := benchkit.RSS(pid)
		q.Chromium += rss
		if pid == s.browserPID {
			q.Browser = rss
			q.BrowserAnon = statusKB(pid, "RssAnon:")
			q.BrowserShm = statusKB(pid, "RssShmem:")
			continue
		}
		if benchkit.IsTabRenderer(pid) {
			q.Renderers++
			q.RendererSum += rss
			q.RendererMax = max(q.RendererMax, rss)
		}
	}
	q.Relay = benchkit.RSS(s.relayPID)
	s.mu.Lock()
	s.cur.merge(q)
	s.mu.Unlock()
}

// vmHWM is a process's peak resident set since start or the last reset.
func vmHWM(pid int) int64 { return statusKB(pid, "VmHWM:") }

// statusKB reads a field in kB of /proc/<pid>/status, in bytes.
func statusKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }
