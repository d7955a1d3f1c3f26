//go:build !js

package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/heapprofiler"
	"github.com/chromedp/cdproto/profiler"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"sambung/bench/internal/benchkit"
)

const (
	// samplingInterval is V8's sampling interval for the worker profiles,
	// in µs: fine enough to see a 1 ms send, coarse enough that sampling
	// does not become the work (V8's default is 1000).
	samplingInterval = 250
	// topFunctions is how many functions the summary lists per profile.
	topFunctions = 25
)

// profiling records, around one measure, the CPU time that every thread
// of Chromium and of this process (the relay, the bench) spent and
// waited for a CPU, and counts the calls the core (the SharedWorker) of
// each page the measure names makes to IndexedDB, the WebSocket and its
// pages; it prints both on stderr. With a dir it also records a V8 CPU
// profile of each core, writes it as dir/<measure>-<page>.cpuprofile,
// which Chrome's DevTools (Performance panel) and speedscope open, and
// prints a summary. A nil *profiling records nothing.
type profiling struct {
	dir        string // "": no V8 profiles
	browserPID int
}

// profileRun is one measure being profiled.
type profileRun struct {
	p       *profiling
	measure string
	units   int // messages or round trips, for the costs per unit
	unit    string
	workers []workerProfile
	start   time.Time
	cpu     map[int]procCPU // by pid, at the start
}

type workerProfile struct {
	name   string          // the page's
	page   context.Context // the page's tab
	ctx    context.Context // attached to the page's core
	detach context.CancelFunc
}

func newProfiling(root context.Context, dir string) (*profiling, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
	}
	pid, err := benchkit.BrowserPID(root)
	if err != nil {
		return nil, err
	}
	return &profiling{dir: dir, browserPID: pid}, nil
}

// start begins profiling measure, which does units of work (messages,
// round trips): it attaches to the core of each page (by name), counts
// its calls and, with V8 profiles, starts V8's sampler there.
func (p *profiling) start(measure string, units int, unit string, pages map[string]context.Context) (*profileRun, error) {
	if p == nil {
		return nil, nil
	}
	run := &profileRun{p: p, measure: measure, units: units, unit: unit}
	for _, name := range slices.Sorted(maps.Keys(pages)) {
		w, err := attachWorker(pages[name])
		if err != nil {
			run.detach()
			return nil, fmt.Errorf("profiling %s's core: %w", name, err)
		}
		run.workers = append(run.workers, workerProfile{name: name, page: pages[name], ctx: w.ctx, detach: w.detach})
		err = chromedp.Do(w.ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			if _, err := chromedp.Evaluate[chromedp.Void](countCallsJS)(ctx, t); err != nil {
				return fmt.Errorf("counting calls: %w", err)
			}
			if p.dir == "" {
				return nil
			}
			if _, err := cdp.Call(ctx, t, profiler.Enable, cdp.Empty{}); err != nil {
				return err
			}
			if _, err := cdp.Call(ctx, t, profiler.SetSamplingInterval, profiler.SetSamplingIntervalParams{Interval: samplingInterval}); err != nil {
				return err
			}
			_, err := cdp.Call(ctx, t, profiler.Start, cdp.Empty{})
			return err
		}))
		if err != nil {
			run.detach()
			return nil, fmt.Errorf("profiling %s's core: %w", name, err)
		}
	}
	run.cpu = cpuTimes(p.browserPID)
	run.start = time.Now()
	return run, nil
}

// stop ends the profiles, writes them and prints the summary: CPU time,
// then the V8 profiles, the calls, and last the memory once V8 collected
// the garbage (which the profiles and the CPU times must not see).
func (r *profileRun) stop() error {
	if r == nil {
		return nil
	}
	defer r.detach()
	wall := time.Since(r.start)
	after := cpuTimes(r.p.browserPID)
	log.Printf("profile %s: %d %ss in %.2f s wall; CPU time per process over it:", r.measure, r.units, r.unit, wall.Seconds())
	for _, line := range cpuReport(r.cpu, after, wall, r.units, r.unit) {
		log.Printf("  %s", line)
	}
	if r.p.dir != "" {
		for _, w := range r.workers {
			if err := r.writeProfile(w); err != nil {
				return err
			}
		}
	}
	for _, w := range r.workers {
		counts, err := chromedp.Run(w.ctx, chromedp.Evaluate[map[string]int](`globalThis.__benchCalls`))
		if err != nil {
			return fmt.Errorf("calls of %s's core: %w", w.name, err)
		}
		log.Printf("profile %s, %s's core: %s", r.measure, w.name, callReport(counts, r.units, r.unit))
	}
	if len(r.workers) == 0 {
		return nil
	}
	for _, w := range r.workers {
		for _, ctx := range []context.Context{w.ctx, w.page} {
			if err := chromedp.Do(ctx, collectGarbage); err != nil {
				return fmt.Errorf("collecting %s's garbage: %w", w.name, err)
			}
		}
	}
	for _, w := range r.workers {
		mem, err := chromedp.Run(w.ctx, workerMemory)
		if err != nil {
			return fmt.Errorf("memory of %s's core: %w", w.name, err)
		}
		log.Printf("profile %s, %s's core after V8 collected the garbage: %s", r.measure, w.name, mem)
		if mem, err = chromedp.Run(w.page, pageMemory); err != nil {
			return fmt.Errorf("memory of %s: %w", w.name, err)
		}
		log.Printf("profile %s, %s's page after V8 collected the garbage: %s", r.measure, w.name, mem)
	}
	var parts []string
	for pid, rss := range benchkit.TabRenderers(r.p.browserPID) {
		parts = append(parts, fmt.Sprintf("pid %d %.0f MB", pid, float64(rss)/1e6))
	}
	slices.Sort(parts)
	log.Printf("profile %s: tab renderers after V8 collected the garbage (in use, or kept by the allocators): %s", r.measure, strings.Join(parts, ", "))
	return nil
}

// writeProfile stops w's V8 profile, writes it and prints its summary.
func (r *profileRun) writeProfile(w workerProfile) error {
	prof, err := chromedp.Run(w.ctx, func(ctx context.Context, t *chromedp.Target) (*profiler.Profile, error) {
		res, err := cdp.Call(ctx, t, profiler.Stop, cdp.Empty{})
		if err != nil {
			return nil, err
		}
		return res.Profile, nil
	})
	if err != nil {
		return fmt.Errorf("profile of %s's core: %w", w.name, err)
	}
	b, err := json.Marshal(prof)
	if err != nil {
		return err
	}
	path := filepath.Join(r.p.dir, r.measure+"-"+w.name+".cpuprofile")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	log.Printf("profile %s, %s's core (%s):", r.measure, w.name, path)
	for _, line := range summarize(prof, r.units, r.unit) {
		log.Printf("  %s", line)
	}
	return nil
}

// detach leaves the workers without stopping their profiles; it is safe
// to call on a nil run and more than once.
func (r *profileRun) detach() {
	if r == nil {
		return
	}
	for _, w := range r.workers {
		w.detach()
	}
}

// countCallsJS wraps, in a core's worker, the methods through which the
// core reaches IndexedDB, the relay and its pages, so that each call adds
// one to globalThis.__benchCalls; it starts the counts again. A worker
// outlives a page that another page of its browser context replaced, so
// the wrappers may be there already. Go's syscall/js looks a method up at
// every call, so the core calls the wrappers.
const countCallsJS = `(() => {
	globalThis.__benchCalls = {};
	const count = (proto, method, label) => {
		const orig = proto[method];
		if (orig.__benchCounted) return;
		const f = function (...args) {
			const l = typeof label === 'function' ? label(args) : label;
			const calls = globalThis.__benchCalls;
			calls[l] = (calls[l] ?? 0) + 1;
			return orig.apply(this, args);
		};
		f.__benchCounted = true;
		proto[method] = f;
	};
	count(IDBDatabase.prototype, 'transaction', (a) => 'idb ' + (a[1] ?? 'readonly') + ' tx');
	for (const m of ['get', 'getAll', 'put', 'delete', 'openCursor']) count(IDBObjectStore.prototype, m, 'idb ' + m);
	count(WebSocket.prototype, 'send', 'websocket send');
	count(MessagePort.prototype, 'postMessage', 'post to a page');
})()`

// callReport prints the counts, each per unit.
func callReport(counts map[string]int, units int, unit string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%s %d (%.2f/%s)", k, counts[k], float64(counts[k])/float64(max(units, 1)), unit))
	}
	if len(parts) == 0 {
		return "no calls counted"
	}
	return strings.Join(parts, ", ")
}

// workerMemory reads a worker's memory: V8's heap, Blink's, the array
// buffers outside them, and the size of each WebAssembly memory (the Go
// heap lives in one, which grows and never shrinks).
func workerMemory(ctx context.Context, t *chromedp.Target) (string, error) {
	heap, err := cdp.Call(ctx, t, cdpruntime.GetHeapUsage, cdp.Empty{})
	if err != nil {
		return "", err
	}
	proto, err := cdp.Call(ctx, t, cdpruntime.Evaluate, cdpruntime.EvaluateParams{Expression: "WebAssembly.Memory.prototype", ObjectGroup: "bench"})
	if err != nil {
		return "", err
	}
	defer cdp.Call(ctx, t, cdpruntime.ReleaseObjectGroup, cdpruntime.ReleaseObjectGroupParams{ObjectGroup: "bench"})
	mems, err := cdp.Call(ctx, t, cdpruntime.QueryObjects, cdpruntime.QueryObjectsParams{PrototypeObjectID: proto.Result.ObjectID, ObjectGroup: "bench"})
	if err != nil {
		return "", err
	}
	byValue := true
	sizes, err := cdp.Call(ctx, t, cdpruntime.CallFunctionOn, cdpruntime.CallFunctionOnParams{
		FunctionDeclaration: "function () { return this.map((m) => m.buffer.byteLength); }",
		ObjectID:            mems.Objects.ObjectID,
		ReturnByValue:       &byValue,
	})
	if err != nil {
		return "", err
	}
	var bytes []float64
	if err := json.Unmarshal(sizes.Result.Value, &bytes); err != nil {
		return "", fmt.Errorf("wasm memory sizes %s: %w", sizes.Result.Value, err)
	}
	var wasm []string
	for _, b := range bytes {
		wasm = append(wasm, fmt.Sprintf("%.0f MB", b/1e6))
	}
	return heapReport(heap) + ", WebAssembly memory " + strings.Join(wasm, " + "), nil
}

// collectGarbage has V8 collect the garbage of a page or a worker.
func collectGarbage(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
	_, err := cdp.Call(ctx, t, heapprofiler.CollectGarbage, cdp.Empty{})
	return chromedp.Void{}, err
}

// pageMemory reads a page's heaps.
func pageMemory(ctx context.Context, t *chromedp.Target) (string, error) {
	heap, err := cdp.Call(ctx, t, cdpruntime.GetHeapUsage, cdp.Empty{})
	if err != nil {
		return "", err
	}
	return heapReport(heap), nil
}

func heapReport(h cdpruntime.GetHeapUsageResult) string {
	return fmt.Sprintf("V8 heap %.1f MB used of %.1f MB, Blink's heap (Oilpan) %.1f MB, array buffers and external strings %.1f MB",
		h.UsedSize/1e6, h.TotalSize/1e6, h.EmbedderHeapUsedSize/1e6, h.BackingStorageSize/1e6)
}

type attached struct {
	ctx    context.Context
	detach context.CancelFunc
}

// attachWorker attaches to the SharedWorker that runs the core of page's
// browser context; detaching leaves the worker running.
func attachWorker(page context.Context) (attached, error) {
	c := chromedp.FromContext(page)
	if c == nil || c.Target == nil {
		return attached{}, fmt.Errorf("the page has no target yet")
	}
	ctx, cancel := context.WithTimeout(page, waitTimeout)
	defer cancel()
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		return attached{}, err
	}
	var browserContext cdp.BrowserContextID
	for _, t := range infos {
		if t.TargetID == c.Target.TargetID {
			browserContext = t.BrowserContextID
		}
	}
	var worker *target.Info
	for _, t := range infos {
		if t.Type == "shared_worker" && t.BrowserContextID == browserContext {
			if worker != nil {
				return attached{}, fmt.Errorf("two shared workers in the page's browser context: %s and %s", worker.URL, t.URL)
			}
			worker = t
		}
	}
	if worker == nil {
		return attached{}, fmt.Errorf("no shared worker in the page's browser context")
	}
	wctx, detach := chromedp.NewContext(page, chromedp.WithTargetID(worker.TargetID), chromedp.WithDetachOnCancel())
	// The first run attaches, and the target lives as long as its context:
	// wctx, not a child with a timeout.
	if err := chromedp.Do(wctx); err != nil {
		detach()
		return attached{}, err
	}
	return attached{wctx, detach}, nil
}

// summarize reads a V8 profile: how the worker's time divides between
// idle, V8's bookkeeping, the garbage collector and code, which scripts
// the code time went to, and the functions with the most self time.
func summarize(p *profiler.Profile, units int, unit string) []string {
	byID := make(map[int64]*profiler.ProfileNode, len(p.Nodes))
	for _, n := range p.Nodes {
		byID[n.ID] = n
	}
	// A sample's time is the gap to the next one: V8 records the delta
	// before each sample.
	self := map[int64]time.Duration{}
	var total time.Duration
	for i, id := range p.Samples {
		if i+1 < len(p.TimeDeltas) {
			d := time.Duration(p.TimeDeltas[i+1]) * time.Microsecond
			self[id] += d
			total += d
		}
	}
	if total == 0 {
		return []string{"no samples"}
	}
	type entry struct {
		name string
		d    time.Duration
	}
	funcs := map[string]time.Duration{}
	scripts := map[string]time.Duration{}
	special := map[string]time.Duration{}
	for id, d := range self {
		n := byID[id]
		if n == nil || n.CallFrame == nil {
			continue
		}
		name := n.CallFrame.FunctionName
		switch name {
		case "(idle)", "(program)", "(garbage collector)", "(root)":
			special[name] += d
			continue
		}
		if name == "" {
			name = "(anonymous)"
		}
		script := scriptName(n.CallFrame.URL)
		funcs[name+" "+script] += d
		scripts[script] += d
	}
	pct := func(d time.Duration) string { return fmt.Sprintf("%5.1f%%", 100*float64(d)/float64(total)) }
	busy := total - special["(idle)"]
	out := []string{fmt.Sprintf("%.2f s sampled: busy %s (%.0f ms, %.2f ms/%s), idle %s, program %s, GC %s",
		total.Seconds(), pct(busy), float64(busy)/1e6, float64(busy)/1e6/float64(max(units, 1)), unit,
		pct(special["(idle)"]), pct(special["(program)"]), pct(special["(garbage collector)"]))}
	sorted := func(m map[string]time.Duration) []entry {
		var es []entry
		for k, v := range m {
			es = append(es, entry{k, v})
		}
		slices.SortFunc(es, func(a, b entry) int { return cmp.Or(cmp.Compare(b.d, a.d), strings.Compare(a.name, b.name)) })
		return es
	}
	var parts []string
	for _, e := range sorted(scripts) {
		parts = append(parts, fmt.Sprintf("%s %s", e.name, pct(e.d)))
	}
	out = append(out, "by script: "+strings.Join(parts, ", "))
	for i, e := range sorted(funcs) {
		if i == topFunctions {
			break
		}
		out = append(out, fmt.Sprintf("%s %7.1f ms  %s", pct(e.d), float64(e.d)/1e6, e.name))
	}
	return out
}

// scriptName shortens a script's URL to its file name ("sambung.wasm",
// "worker.js"), or says it is the browser's own.
func scriptName(url string) string {
	if url == "" {
		return "(native)"
	}
	if i := strings.LastIndexByte(url, '/'); i >= 0 {
		url = url[i+1:]
	}
	return url
}
