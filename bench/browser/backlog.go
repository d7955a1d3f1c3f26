//go:build !js

package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"sambung/bench/internal/benchkit"
	"sambung/internal/chromium"
	"sambung/relay"
	"sambung/wire"
)

const (
	// receiverAccount is the person in Chromium whom the senders write to.
	receiverAccount = "bench_backlog"
	benchPassword   = "bench password 1"

	// metricEvery is how often the bench reads the relay's gauges while it
	// waits: in-process HTTP, cheap next to the work it waits for, and
	// fine-grained enough for a clock that runs for seconds.
	metricEvery = 20 * time.Millisecond
	// pageEvery is how often the bench asks the receiving page how far it
	// got; the page notes the moment itself, so this bounds nothing but
	// the page's extra work.
	pageEvery = 250 * time.Millisecond
	// progressEvery is how often a long wait reports on stderr.
	progressEvery = 15 * time.Second
)

// Pages the receiver can reopen in: the app, as a person would, or a plain
// page of the relay's origin with the API and nothing else.
const (
	pageApp = "app"
	pageAPI = "api"
)

type backlogOptions struct {
	messages, senders int
	page              string
	timeout           time.Duration // bounds queueing and catching up together; a failure bound, not a measure
	// cpuTime and profileDir ask for profiling (-cputime, -profile) of
	// this and the other measures.
	cpuTime    bool
	profileDir string
}

type backlogResult struct {
	backlogOptions
	chromium string // its version
	took     time.Duration
	// Resident memory of the tab renderers, in bytes: with the receiver's
	// tab blank, just before it opens the page; once the backlog was
	// counted; and the highest sample between.
	memBefore, memAfter, memPeak int64
}

func (r backlogResult) String() string {
	label := "backlog"
	if r.page == pageAPI {
		label = "backlog, API only"
	}
	return fmt.Sprintf("%s: %d messages in %.1f s = %.0f msgs/s, tab memory %+.0f MB",
		label, r.messages, r.took.Seconds(), float64(r.messages)/r.took.Seconds(), float64(r.memAfter-r.memBefore)/1e6)
}

// backlogInOwnBrowser runs backlog in a Chromium of its own, started
// without the spare renderer that Chromium keeps ready for the next
// navigation: a spare starting or being taken in the middle of the run
// would add or hide a whole renderer in the memory reading. The
// disable-features list repeats chromedp's defaults, which the flag
// replaces.
func backlogInOwnBrowser(opt backlogOptions) (backlogResult, error) {
	root, stop, err := chromium.Start(
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,SpareRendererForSitePerProcess"))
	if err != nil {
		return backlogResult{}, err
	}
	defer stop()
	res, err := backlog(root, opt)
	res.chromium = chromiumVersion(root)
	return res, err
}

// backlog measures a receiver catching up: with the receiver's page
// closed, the senders queue opt.messages messages at the relay; then a new
// tab opens the page again and the clock runs from its navigation until
// every message is stored, counted in the conversation list's unread
// counts, and acknowledged (the relay's mailboxes are empty). The clock
// includes the page's start: the app or module load, the core's start and
// its reading of IndexedDB.
//
// The receiver's tab lives in Chromium's default browser context, whose
// profile is on disk like a person's, so IndexedDB outlives the tab.
func backlog(root context.Context, opt backlogOptions) (backlogResult, error) {
	res := backlogResult{backlogOptions: opt}
	browserPID, err := benchkit.BrowserPID(root)
	if err != nil {
		return res, err
	}
	var prof *profiling
	if opt.cpuTime {
		if prof, err = newProfiling(root, opt.profileDir); err != nil {
			return res, err
		}
	}
	r, err := benchkit.StartRelay(func(c *relay.Config) {
		// A mailbox holds 10,000 envelopes by default: room for the backlog
		// and whatever else waits for the receiver.
		c.MaxDepth = max(10_000, 2*opt.messages)
	})
	if err != nil {
		return res, err
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(root)
	defer cancel()

	setup, cancelSetup := context.WithTimeout(ctx, waitTimeout)
	ss, err := startSenders(setup, r, opt.senders)
	cancelSetup()
	if err != nil {
		return res, err
	}
	defer ss.close()
	base, err := meetSenders(root, r, ss)
	if err != nil {
		return res, fmt.Errorf("first messages: %w", err)
	}

	long, cancelLong := context.WithTimeout(ctx, opt.timeout)
	defer cancelLong()
	texts := backlogTexts(opt.messages, opt.senders)
	if err := ss.sendEach(long, "account:"+receiverAccount, func(i int) []string { return texts[i] }); err != nil {
		return res, fmt.Errorf("queueing: %w", err)
	}
	queued, err := r.Metric(ctx, "sambung_queue_depth")
	if err != nil {
		return res, err
	}
	if int(queued) < opt.messages {
		return res, fmt.Errorf("the relay holds %.0f envelopes after %d messages were sent", queued, opt.messages)
	}

	tab, closeTab, err := newTab(root)
	if err != nil {
		return res, err
	}
	defer closeTab()
	res.memBefore = tabMemory(browserPID)
	start := time.Now()
	if err := openReceiver(tab, r, opt.page); err != nil {
		return res, fmt.Errorf("reopening: %w", err)
	}
	if err := watchUnread(tab, base+opt.messages); err != nil {
		return res, err
	}
	// The profile misses the page's start: the core must run before
	// there is a worker to attach to.
	pr, err := prof.start("backlog", opt.messages, "message", map[string]context.Context{"receiver": tab})
	if err != nil {
		return res, err
	}
	defer pr.detach()
	counted, emptied, peak, err := waitCaughtUp(long, tab, r, browserPID, start, base+opt.messages)
	if err != nil {
		return res, err
	}
	if err := pr.stop(); err != nil {
		return res, err
	}
	end := counted
	if emptied.After(end) {
		end = emptied
	}
	res.took = end.Sub(start)
	res.memAfter = tabMemory(browserPID)
	res.memPeak = max(peak, res.memAfter)
	log.Printf("backlog: %s page, %d senders, %.0f envelopes queued, %d unread before; counted at %.2f s, relay empty at %.2f s; tab renderers %.0f MB before, %.0f MB after, %.0f MB at most",
		opt.page, opt.senders, queued, base, counted.Sub(start).Seconds(), emptied.Sub(start).Seconds(),
		float64(res.memBefore)/1e6, float64(res.memAfter)/1e6, float64(res.memPeak)/1e6)
	return res, checkConversations(tab, base, ss, texts)
}

// backlogTexts divides n messages among the senders; each text names its
// sender and its place, so that the check at the end can tell one from
// another.
func backlogTexts(n, senders int) [][]string {
	out := make([][]string, senders)
	for i := range senders {
		count := n / senders
		if i < n%senders {
			count++
		}
		for j := range count {
			out[i] = append(out[i], fmt.Sprintf("backlog %d %d", i, j))
		}
	}
	return out
}

// meetSenders signs the receiver up in a tab, has every sender send it a
// first message (which sets up the sessions), waits until the page counted
// them all and the relay holds nothing more, and closes the tab. It
// returns the unread count the page showed.
func meetSenders(root context.Context, r *benchkit.Relay, ss senders) (int, error) {
	tab, closeTab, err := newTab(root)
	if err != nil {
		return 0, err
	}
	defer closeTab()
	if _, err := readyMs(tab, chromedp.Navigate(r.URL+"/")); err != nil {
		return 0, err
	}
	if _, err := eval[chromedp.Void](tab, `(async () => { `+apiJS+`; await __s.signUp({account: '`+receiverAccount+`', password: '`+benchPassword+`'}); })()`); err != nil {
		return 0, err
	}
	if err := watchUnread(tab, len(ss)); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(root, waitTimeout)
	defer cancel()
	if err := ss.sendEach(ctx, "account:"+receiverAccount, func(int) []string { return []string{"hello"} }); err != nil {
		return 0, err
	}
	if err := poll(tab, `__backlog.at > 0`); err != nil {
		return 0, err
	}
	if err := waitMetric(ctx, r, "sambung_queue_depth", 0); err != nil {
		return 0, err
	}
	unread, err := eval[int](tab, `__backlog.unread`)
	if err != nil {
		return 0, err
	}
	closeTab()
	// The tab's core (a SharedWorker) leaves with its last page; once the
	// relay lost its websocket, nothing the senders send reaches it.
	if err := waitMetric(ctx, r, "sambung_connections", float64(len(ss))); err != nil {
		return 0, fmt.Errorf("closing the receiver: %w", err)
	}
	return unread, nil
}

// newTab opens a blank tab in Chromium's default browser context. The
// tab lives as long as the context of its first run, so that run is here
// and not in a helper's child context with a timeout.
func newTab(root context.Context) (context.Context, context.CancelFunc, error) {
	tab, closeTab := chromedp.NewContext(root)
	if err := chromedp.Do(tab, chromedp.Navigate("about:blank")); err != nil {
		closeTab()
		return nil, nil, err
	}
	return tab, closeTab, nil
}

// openReceiver opens the receiver's page again, as the app or as a plain
// page with the API, and gives the page a handle on the core.
func openReceiver(tab context.Context, r *benchkit.Relay, page string) error {
	switch page {
	case pageApp:
		if _, err := readyMs(tab, chromedp.Navigate(r.URL+"/")); err != nil {
			return err
		}
	case pageAPI:
		if err := do(tab, chromedp.Navigate(r.URL+wire.PathHealth)); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown page %q: want %s or %s", page, pageApp, pageAPI)
	}
	_, err := eval[chromedp.Void](tab, `(async () => { `+apiJS+` })()`)
	return err
}

// watchUnread keeps window.__backlog up to date in the page: the sum of
// the conversation list's unread counts, and the moment (ms since the
// epoch) it first reached target. It listens to the 'conversations' event,
// which carries the list; it asks conversations() itself only at the
// start and when no event came for a second, so that it adds no work
// while the core is busy.
func watchUnread(tab context.Context, target int) error {
	_, err := eval[chromedp.Void](tab, fmt.Sprintf(`(() => {
		const target = %d;
		const st = window.__backlog = { unread: 0, at: 0 };
		let heard = 0, asking = false;
		const count = (list) => {
			st.unread = list.reduce((n, c) => n + c.unread, 0);
			if (!st.at && st.unread >= target) st.at = performance.timeOrigin + performance.now();
		};
		const ask = async () => {
			if (asking) return;
			asking = true;
			try { count(await __s.conversations()); } catch {} finally { asking = false; }
		};
		__s.on('conversations', (list) => {
			heard = performance.now();
			if (Array.isArray(list)) count(list); else ask();
		});
		const quiet = () => {
			if (st.at) return;
			if (performance.now() - heard >= 1000) ask();
			setTimeout(quiet, 1000);
		};
		quiet();
	})()`, target))
	return err
}

type pageProgress struct {
	Unread int     `json:"unread"`
	At     float64 `json:"at"` // ms since the epoch, 0 until target
}

// waitCaughtUp waits until the page counted target unread messages and
// the relay's mailboxes are empty, and returns both moments and the
// highest tab memory it sampled. The relay's gauge counts every mailbox:
// the senders stay connected and acknowledge the receipts the receiver
// sends them, so it reads 0 once the receiver acknowledged the backlog and
// the senders their receipts. The bench prints both moments on stderr.
func waitCaughtUp(ctx context.Context, tab context.Context, r *benchkit.Relay, browserPID int, start time.Time, target int) (counted, emptied time.Time, peak int64, err error) {
	var (
		lastPage   time.Time
		page       pageProgress
		depth      float64
		nextReport = start.Add(progressEvery)
	)
	tick := time.NewTicker(metricEvery)
	defer tick.Stop()
	for {
		if depth, err = r.Metric(ctx, "sambung_queue_depth"); err != nil {
			return
		}
		now := time.Now()
		// Receipts to the senders can empty the mailboxes for a moment and
		// fill them again: the relay is empty since the first of the zeros
		// in a row that lasts.
		switch {
		case depth > 0:
			emptied = time.Time{}
		case emptied.IsZero():
			emptied = now
		}
		if counted.IsZero() && now.Sub(lastPage) >= pageEvery {
			lastPage = now
			peak = max(peak, tabMemory(browserPID))
			if page, err = eval[pageProgress](tab, `__backlog`); err != nil {
				return
			}
			if page.At > 0 {
				counted = time.UnixMicro(int64(page.At * 1000))
			}
		}
		if !counted.IsZero() && !emptied.IsZero() {
			return counted, emptied, peak, nil
		}
		if now.After(nextReport) {
			nextReport = now.Add(progressEvery)
			log.Printf("backlog: %.0f s: %d of %d counted, the relay holds %.0f", now.Sub(start).Seconds(), page.Unread, target, depth)
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			err = fmt.Errorf("after %.0f s: %d of %d counted, the relay holds %.0f: %w",
				time.Since(start).Seconds(), page.Unread, target, depth, ctx.Err())
			return
		}
	}
}

// waitMetric waits until the relay's metric reads want.
func waitMetric(ctx context.Context, r *benchkit.Relay, name string, want float64) error {
	tick := time.NewTicker(metricEvery)
	defer tick.Stop()
	for {
		v, err := r.Metric(ctx, name)
		if err != nil {
			return err
		}
		if v == want {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("%s is %g, want %g: %w", name, v, want, ctx.Err())
		}
	}
}

// tabMemory is the resident memory of every renderer running web content:
// the receiver's tab and its SharedWorker, and the browser's first tab,
// which stays blank (and, with site isolation, shares no process with the
// receiver's page).
func tabMemory(browserPID int) int64 {
	var sum int64
	for _, rss := range benchkit.TabRenderers(browserPID) {
		sum += rss
	}
	return sum
}

// checkConversations makes sure the count is the backlog and not
// something else: the unread counts add up to the first messages and the
// backlog, and each sender's conversation ends with its last message.
func checkConversations(tab context.Context, base int, ss senders, texts [][]string) error {
	type conv struct {
		ID     string `json:"id"`
		Unread int    `json:"unread"`
		Last   string `json:"last"`
	}
	list, err := eval[[]conv](tab, `(async () => (await __s.conversations()).map((c) => ({id: c.id, unread: c.unread, last: c.last?.text ?? ''})))()`)
	if err != nil {
		return err
	}
	var problems []string
	unread := 0
	for _, c := range list {
		unread += c.Unread
	}
	if want := base + len(slices.Concat(texts...)); unread != want {
		problems = append(problems, fmt.Sprintf("%d unread in all, want %d", unread, want))
	}
	for i, t := range texts {
		at := slices.IndexFunc(list, func(c conv) bool { return c.ID == ss[i].personID })
		switch {
		case at < 0:
			problems = append(problems, fmt.Sprintf("no conversation with sender %d", i))
		case len(t) > 0 && list[at].Last != t[len(t)-1]:
			problems = append(problems, fmt.Sprintf("sender %d's conversation ends with %q, want %q", i, list[at].Last, t[len(t)-1]))
		}
	}
	if len(problems) > 0 {
		return errors.New("the receiver's conversations: " + strings.Join(problems, "; "))
	}
	return nil
}
