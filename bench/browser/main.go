//go:build !js

// Command browser measures Sambung in headless Chromium against a real relay
// on a loopback port: the wasm module's size raw and brotli, cold start from
// navigation to "ready", and messages per second between two browser
// contexts through the relay, each send awaited or many in flight. It
// prints a markdown table for docs/PERFORMANCE.md, and then the backlog
// line: how fast a receiver whose page was closed catches up on messages
// that native Go senders queued. With -cputime it also says where the time
// went: CPU per process and thread, the cores' calls, V8 profiles.
//
//	web/build.sh && go run ./bench/browser [-runs 7] [-msgs 500] [-inflight 100] [-backlog 10000]
//	go run ./bench/browser -only backlog -backlog 1000 [-backlog-page api]
//	go run ./bench/browser -cputime [-profile /tmp/prof]   # where the time goes
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/chromedp"

	"sambung/bench/internal/benchkit"
	"sambung/internal/chromium"
	"sambung/web"
	"sambung/wire"
)

// waitTimeout bounds one wait for a page.
const waitTimeout = 60 * time.Second

func main() {
	runs := flag.Int("runs", 7, "cold and warm start runs; the median counts")
	msgs := flag.Int("msgs", 500, "messages in the throughput run")
	pings := flag.Int("pings", 20, "round trips in the latency run")
	inFlight := flag.Int("inflight", 100, "sends the page keeps in flight in the second API-only throughput run")
	var bl backlogOptions
	flag.IntVar(&bl.messages, "backlog", 10000, "messages queued for the receiver while its page is closed; 0 skips the backlog measure")
	flag.IntVar(&bl.senders, "backlog-senders", 10, "native Go clients that queue the backlog")
	flag.StringVar(&bl.page, "backlog-page", pageApp, "the page the receiver reopens: app (as a person would) or api (the API alone)")
	flag.DurationVar(&bl.timeout, "backlog-timeout", 15*time.Minute, "give up on the backlog after this long (queueing, and catching up)")
	only := flag.String("only", "", `run one measure alone: "backlog"`)
	flag.BoolVar(&bl.cpuTime, "cputime", false, "during the throughput, round-trip and backlog runs, print the CPU time of every Chromium thread and of the relay, and count the cores' calls to IndexedDB, the WebSocket and their pages")
	flag.StringVar(&bl.profileDir, "profile", "", "also record V8 CPU profiles of the cores into this directory (implies -cputime; the numbers then include the profiler's cost)")
	flag.Parse()
	log.SetFlags(0)
	if err := checkFlags(*only, *inFlight, bl); err != nil {
		fmt.Fprintln(os.Stderr, "bench/browser:", err)
		flag.Usage()
		os.Exit(2)
	}
	if bl.profileDir != "" {
		bl.cpuTime = true
	}
	if err := run(*runs, *msgs, *pings, *inFlight, *only, bl); err != nil {
		log.Fatal("bench/browser: ", err)
	}
}

func checkFlags(only string, inFlight int, bl backlogOptions) error {
	switch {
	case inFlight < 1:
		return errors.New("-inflight must be at least 1")
	case only != "" && only != "backlog":
		return fmt.Errorf(`-only %q: the one measure that runs alone is "backlog"`, only)
	case only == "backlog" && bl.messages <= 0:
		return errors.New("-only backlog needs -backlog above 0")
	case bl.messages < 0:
		return errors.New("-backlog must not be negative")
	case bl.senders < 1:
		return errors.New("-backlog-senders must be at least 1")
	case bl.page != pageApp && bl.page != pageAPI:
		return fmt.Errorf("-backlog-page %q: want %s or %s", bl.page, pageApp, pageAPI)
	case bl.timeout <= 0:
		return errors.New("-backlog-timeout must be above 0")
	}
	return nil
}

func run(runs, msgs, pings, inFlight int, only string, bl backlogOptions) error {
	raw, br, err := wasmSizes()
	if err != nil {
		return err
	}
	// The backlog runs first, in a browser and with a relay of its own, so
	// that nothing the other measures leave behind shares its clock or its
	// memory reading.
	var caughtUp backlogResult
	if bl.messages > 0 {
		if caughtUp, err = backlogInOwnBrowser(bl); err != nil {
			return fmt.Errorf("backlog: %w", err)
		}
	}
	if only == "backlog" {
		fmt.Printf("Chromium headless, %s, %d CPUs, %s\n\n", caughtUp.chromium, runtime.NumCPU(), runtime.Version())
		fmt.Println(caughtUp)
		return nil
	}

	r, err := benchkit.StartRelay(nil)
	if err != nil {
		return err
	}
	defer r.Close()
	root, stop, err := chromium.Start()
	if err != nil {
		return err
	}
	defer stop()
	var prof *profiling
	if bl.cpuTime {
		if prof, err = newProfiling(root, bl.profileDir); err != nil {
			return err
		}
	}

	cold, err := coldStarts(root, r, runs)
	if err != nil {
		return fmt.Errorf("cold start: %w", err)
	}
	a, b, err := twoPeople(root, r)
	if err != nil {
		return fmt.Errorf("sign-up: %w", err)
	}
	warm, err := warmStarts(b, runs)
	if err != nil {
		return fmt.Errorf("warm start: %w", err)
	}
	tp, err := throughput(a, b, r, throughputRun{"throughput-app", msgs, 1, openChat}, prof)
	if err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	bare, err := throughput(a, b, r, throughputRun{"throughput-api", msgs, 1, apiOnly(r)}, prof)
	if err != nil {
		return fmt.Errorf("throughput without the app: %w", err)
	}
	burst, err := throughput(a, b, r, throughputRun{"throughput-api-inflight", msgs, inFlight, apiOnly(r)}, prof)
	if err != nil {
		return fmt.Errorf("throughput with %d sends in flight: %w", inFlight, err)
	}
	rtt, err := roundTrips(a, b, pings, prof)
	if err != nil {
		return fmt.Errorf("round trips: %w", err)
	}

	fmt.Printf("Chromium headless, %s, %d CPUs, %s\n\n", chromiumVersion(root), runtime.NumCPU(), runtime.Version())
	fmt.Println("| measure | value | note |")
	fmt.Println("| --- | --- | --- |")
	fmt.Printf("| sambung.wasm raw | %s | |\n", kb(raw))
	fmt.Printf("| sambung.wasm brotli | %s | budget 885 KB |\n", kb(br))
	ready := pick(cold, func(p phases) float64 { return p.Ready })
	fmt.Printf("| cold start, first visit (median of %d) | %.0f ms | fresh browser context: no cache, no IndexedDB; runs %s; medians: app modules %.0f ms, core open %.0f ms |\n",
		runs, median(ready), msList(ready), median(pick(cold, func(p phases) float64 { return p.App })), median(pick(cold, func(p phases) float64 { return p.Open })))
	fmt.Printf("| start, returning user (median of %d) | %.0f ms | reload, signed in, HTTP cache warm; runs %s |\n", runs, median(warm), msList(warm))
	fmt.Printf("| messages/s, one way | %.0f | %d messages, first send to last arrival in the other context; sends resolved at %.0f/s |\n", tp.perSecond, msgs, tp.sendRate)
	fmt.Printf("| messages/s, one way, API only | %.0f | the same with no app in either page; sends resolved at %.0f/s |\n", bare.perSecond, bare.sendRate)
	fmt.Printf("| messages/s, one way, API only, %d sends in flight | %.0f | the same, each finished send starting the next; sends resolved at %.0f/s |\n", inFlight, burst.perSecond, burst.sendRate)
	fmt.Printf("| round trip (median of %d) | %.0f ms | send in A until B's automatic reply arrives in A |\n", pings, median(rtt))
	if bl.messages > 0 {
		fmt.Printf("\n%s\n", caughtUp)
	}
	return nil
}

// wasmSizes returns the module's size raw and brotli-compressed: the .br
// file the relay serves when it exists, else compressed here at quality 11.
func wasmSizes() (raw, br int, err error) {
	mod, err := fs.ReadFile(web.Static, "sambung.wasm")
	if err != nil {
		return 0, 0, errors.New("web/static/sambung.wasm is missing: run web/build.sh first (./build.sh bench does)")
	}
	if packed, err := fs.ReadFile(web.Static, "sambung.wasm.br"); err == nil {
		return len(mod), len(packed), nil
	}
	var buf bytes.Buffer
	w := brotli.NewWriterLevel(&buf, brotli.BestCompression)
	w.Write(mod)
	w.Close()
	return len(mod), buf.Len(), nil
}

func chromiumVersion(ctx context.Context) string {
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? ''`))
	if err != nil || v == "" {
		return "unknown version"
	}
	return v
}

// newContext opens a fresh browser context (its own storage and cache) with
// one blank tab.
func newContext(root context.Context) (context.Context, context.CancelFunc, error) {
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		cancel()
		return nil, nil, err
	}
	return ctx, cancel, nil
}

func do(ctx context.Context, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

func eval[T any](ctx context.Context, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

func poll(ctx context.Context, expr string) error {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout+5*time.Second)
	defer cancel()
	var err error
	// Chromium drops a JavaScript context that a navigation replaced while
	// chromedp still used it; start the wait again, a bounded number of times.
	for range 3 {
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(waitTimeout)))
		if err == nil || !strings.Contains(err.Error(), "Cannot find context with specified id") {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("waiting for %s: %w", expr, err)
	}
	return nil
}

// readyMs loads url in ctx and returns the time from navigation start to
// the app's "sambung-ready" mark, which it sets once the core answered.
func readyMs(ctx context.Context, load chromedp.Action[chromedp.Void]) (float64, error) {
	if err := do(ctx, load); err != nil {
		return 0, err
	}
	if err := poll(ctx, `document.body.dataset.ready === "1"`); err != nil {
		return 0, err
	}
	return eval[float64](ctx, `performance.getEntriesByName('sambung-ready')[0].startTime`)
}

// phases are the app's marks of one start, in ms from navigation start.
type phases struct {
	App   float64 `json:"app"`   // app.js and its imports evaluated
	Open  float64 `json:"open"`  // the core answered open(): worker up, wasm compiled and started
	Ready float64 `json:"ready"` // me() answered and the first screen is drawn
}

func readPhases(ctx context.Context) (phases, error) {
	return eval[phases](ctx, `(() => {
		const t = (n) => performance.getEntriesByName(n)[0]?.startTime ?? 0;
		return { app: t('sambung-app'), open: t('sambung-open'), ready: t('sambung-ready') };
	})()`)
}

// coldStarts loads the app in a new browser context each run: nothing is
// cached, the wasm is fetched, compiled and instantiated, IndexedDB is empty.
func coldStarts(root context.Context, r *benchkit.Relay, runs int) ([]phases, error) {
	var out []phases
	for range runs {
		ctx, cancel, err := newContext(root)
		if err != nil {
			return nil, err
		}
		_, err = readyMs(ctx, chromedp.Navigate(r.URL+"/"))
		var ph phases
		if err == nil {
			ph, err = readPhases(ctx)
		}
		cancel()
		if err != nil {
			return nil, err
		}
		out = append(out, ph)
	}
	return out, nil
}

// warmStarts reloads a signed-in person's page: the HTTP cache is warm and
// the core loads its state from IndexedDB.
func warmStarts(ctx context.Context, runs int) ([]float64, error) {
	var out []float64
	for range runs {
		ms, err := readyMs(ctx, chromedp.Reload())
		if err != nil {
			return nil, err
		}
		out = append(out, ms)
	}
	return out, nil
}

// apiJS gives the page a handle on the core, beside the app's own.
const apiJS = `window.__s ??= await (await import('/sambung.js')).open()`

// twoPeople signs up a phone user (A) and an account user (B) in two
// browser contexts, A starts a chat with B and both pages show it open.
func twoPeople(root context.Context, r *benchkit.Relay) (context.Context, context.Context, error) {
	const phone = "+6281299990000"
	a, _, err := newContext(root)
	if err != nil {
		return nil, nil, err
	}
	b, _, err := newContext(root)
	if err != nil {
		return nil, nil, err
	}
	for _, ctx := range []context.Context{a, b} {
		if _, err := readyMs(ctx, chromedp.Navigate(r.URL+"/")); err != nil {
			return nil, nil, err
		}
	}
	if _, err := eval[chromedp.Void](a, `(async () => { `+apiJS+`; await __s.requestPhoneCode('`+phone+`'); })()`); err != nil {
		return nil, nil, err
	}
	code, err := r.Codes.Wait(phone, waitTimeout)
	if err != nil {
		return nil, nil, err
	}
	steps := []struct {
		ctx context.Context
		js  string
	}{
		{a, `(async () => { await __s.verifyPhone('` + phone + `', '` + code + `'); })()`},
		{b, `(async () => { ` + apiJS + `; await __s.signUp({account: 'bench_b', password: 'bench password 1'}); })()`},
		{a, `(async () => { await __s.lookup('account:bench_b'); await __s.send('account:bench_b', 'hello'); })()`},
	}
	for _, s := range steps {
		if _, err := eval[chromedp.Void](s.ctx, s.js); err != nil {
			return nil, nil, err
		}
	}
	for _, ctx := range []context.Context{a, b} {
		if err := openChat(ctx); err != nil {
			return nil, nil, err
		}
	}
	if err := poll(b, `[...document.querySelectorAll('[data-testid="message-text"]')].some((e) => e.textContent === 'hello')`); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// openChat reloads the page so that the app shows the signed-in screen,
// opens the one conversation (so the receiving app renders every message
// and marks it read, as a person watching the chat) and gives the page a
// handle on the core.
func openChat(ctx context.Context) error {
	if _, err := readyMs(ctx, chromedp.Reload()); err != nil {
		return err
	}
	if err := poll(ctx, `!!document.querySelector('[data-testid="conversation-item"]')`); err != nil {
		return err
	}
	if _, err := eval[chromedp.Void](ctx, `document.querySelector('[data-testid="conversation-item"]').click()`); err != nil {
		return err
	}
	_, err := eval[chromedp.Void](ctx, `(async () => { `+apiJS+` })()`)
	return err
}

// apiOnly loads a plain page of the relay's origin (no app) and gives it a
// handle on the core: the difference to openChat is the app's cost.
func apiOnly(r *benchkit.Relay) func(context.Context) error {
	return func(ctx context.Context) error {
		if err := do(ctx, chromedp.Navigate(r.URL+wire.PathHealth)); err != nil {
			return err
		}
		_, err := eval[chromedp.Void](ctx, `(async () => { `+apiJS+` })()`)
		return err
	}
}

type rate struct{ perSecond, sendRate float64 }

// throughputRun is one throughput measure.
type throughputRun struct {
	name     string // names its profiles
	msgs     int
	inFlight int                         // sends A keeps going
	prepare  func(context.Context) error // loads the page in A and in B
}

// throughput sends msgs messages from A and times from the first send until
// B's core has emitted them all. A keeps inFlight sends going: it starts
// the next as soon as one resolves, so with 1 each send waits for the one
// before.
func throughput(a, b context.Context, r *benchkit.Relay, run throughputRun, prof *profiling) (rate, error) {
	for _, ctx := range []context.Context{a, b} {
		if err := run.prepare(ctx); err != nil {
			return rate{}, err
		}
	}
	// Each page notes its core's connection states, for stalled.
	for _, ctx := range []context.Context{a, b} {
		if _, err := eval[chromedp.Void](ctx, `(() => {
			const log = window.__statuses = [];
			__s.on('status', (st) => log.push(Math.round(performance.now()) + ' ms ' + st.state + (st.error ? ' (' + st.error + ')' : '')));
		})()`); err != nil {
			return rate{}, err
		}
	}
	// The tag keeps a late copy of an earlier run's message out of the
	// count.
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	if _, err := eval[chromedp.Void](b, `(() => {
		window.__got = 0; window.__last = 0;
		__s.on('message', (m) => { if (!m.outgoing && m.text.startsWith('bench ') && m.text.endsWith(' `+tag+`')) { __got++; __last = performance.timeOrigin + performance.now(); } });
	})()`); err != nil {
		return rate{}, err
	}
	msgs := run.msgs
	type sendResult struct {
		Start float64 `json:"start"`
		End   float64 `json:"end"`
	}
	pr, err := prof.start(run.name, msgs, "message", map[string]context.Context{"a": a, "b": b})
	if err != nil {
		return rate{}, err
	}
	defer pr.detach()
	res, err := eval[sendResult](a, fmt.Sprintf(`(async () => {
		const msgs = %d;
		let next = 0;
		const sender = async () => {
			while (next < msgs) {
				const i = next++;
				await __s.send('account:bench_b', 'bench ' + i + ' %s');
			}
		};
		const start = performance.timeOrigin + performance.now();
		await Promise.all(Array.from({ length: %d }, sender));
		return { start, end: performance.timeOrigin + performance.now() };
	})()`, msgs, tag, run.inFlight))
	if err != nil {
		return rate{}, err
	}
	if err := poll(b, fmt.Sprintf(`__got >= %d`, msgs)); err != nil {
		return rate{}, fmt.Errorf("%w; %s", err, stalled(a, b, r, tag))
	}
	last, err := eval[float64](b, `__last`)
	if err != nil {
		return rate{}, err
	}
	if err := pr.stop(); err != nil {
		return rate{}, err
	}
	return rate{
		perSecond: float64(msgs) / ((last - res.Start) / 1000),
		sendRate:  float64(msgs) / ((res.End - res.Start) / 1000),
	}, nil
}

// stalled says where the messages of a throughput run that did not all
// arrive are: how many B's core emitted, their status in A's history,
// both cores' connection states since the run began, and what the relay
// holds.
func stalled(a, b context.Context, r *benchkit.Relay, tag string) string {
	var parts []string
	got, err := eval[int](b, `__got`)
	parts = append(parts, fmt.Sprintf("B's core emitted %d (%v)", got, err))
	statuses, err := eval[map[string]int](a, `(async () => {
		const list = await __s.conversations();
		const out = {};
		for (const m of await __s.history(list[0].id, { limit: 500 })) {
			if (m.outgoing && m.text.endsWith(' `+tag+`')) out[m.status] = (out[m.status] ?? 0) + 1;
		}
		return out;
	})()`)
	parts = append(parts, fmt.Sprintf("A's last 500 of them by status %v (%v)", statuses, err))
	for _, p := range []struct {
		name string
		ctx  context.Context
	}{{"A", a}, {"B", b}} {
		st, err := eval[[]string](p.ctx, `[...__statuses, 'now ' + Math.round(performance.now()) + ' ms']`)
		parts = append(parts, fmt.Sprintf("%s's core: %s (%v)", p.name, strings.Join(st, ", "), err))
	}
	for _, m := range []string{"sambung_queue_depth", "sambung_connections"} {
		v, err := r.Metric(context.Background(), m)
		parts = append(parts, fmt.Sprintf("relay %s %g (%v)", m, v, err))
	}
	return strings.Join(parts, "; ")
}

// roundTrips has B answer each "ping" with a "pong" and times each pair
// from A.
func roundTrips(a, b context.Context, pings int, prof *profiling) ([]float64, error) {
	if _, err := eval[chromedp.Void](b, `(() => {
		__s.on('message', (m) => { if (!m.outgoing && m.text.startsWith('ping ')) __s.send('phone:+6281299990000', 'pong ' + m.text.slice(5)); });
	})()`); err != nil {
		return nil, err
	}
	pr, err := prof.start("roundtrip", pings, "round trip", map[string]context.Context{"a": a, "b": b})
	if err != nil {
		return nil, err
	}
	defer pr.detach()
	out, err := eval[[]float64](a, fmt.Sprintf(`(async () => {
		const times = [];
		for (let i = 0; i < %d; i++) {
			const start = performance.now();
			await new Promise((resolve) => {
				const off = __s.on('message', (m) => { if (m.text === 'pong ' + i) { off(); resolve(); } });
				__s.send('account:bench_b', 'ping ' + i);
			});
			times.push(performance.now() - start);
		}
		return times;
	})()`, pings))
	if err != nil {
		return nil, err
	}
	return out, pr.stop()
}

func pick(ps []phases, f func(phases) float64) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = f(p)
	}
	return out
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func msList(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(parts, ", ") + " ms"
}

func kb(n int) string {
	return fmt.Sprintf("%d bytes (%.0f KB)", n, float64(n)/1000)
}
