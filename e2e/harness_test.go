//go:build !js

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"sambung/internal/chromium"
	"sambung/internal/relaytest"
	"sambung/internal/testkit"
	"sambung/relay"
	"sambung/web"
)

// waitTimeout bounds one wait for the page: sign-up generates keys in wasm
// on two shared cores, which takes seconds, not minutes.
const waitTimeout = 45 * time.Second

// outDir receives the screenshots; e2e/.gitignore keeps it out of git.
const outDir = "out"

// requireWasm fails the test with what to do when the module is not built.
func requireWasm(t *testing.T) {
	t.Helper()
	if _, err := fs.Stat(web.Static, "sambung.wasm"); err != nil {
		t.Fatal("web/static/sambung.wasm is missing: run web/build.sh, then go test ./e2e " +
			"(./build.sh test builds it first). The test binary embeds web/static when it is compiled.")
	}
}

// startRelay starts a real relay serving the real web app, with each
// tweak applied to its Config.
func startRelay(t *testing.T, tweak ...func(*relay.Config)) *relaytest.Relay {
	t.Helper()
	requireWasm(t)
	return relaytest.Start(t, append([]func(*relay.Config){func(c *relay.Config) { c.Static = web.Static }}, tweak...)...)
}

// waitConnections waits until the relay has n authenticated websockets
// open, from its metrics: a closed page's core has then really gone.
func waitConnections(t *testing.T, r *relaytest.Relay, n int) {
	t.Helper()
	var last int64
	testkit.WaitFor(t, waitTimeout, fmt.Sprintf("%d connections at the relay", n), func() bool {
		var err error
		if last, err = testkit.Gauge(r.URL, "sambung_connections"); err != nil {
			t.Fatal(err)
		}
		return last == int64(n)
	})
}

// startBrowser starts one headless Chromium with a fresh profile and returns
// its root context; people get browser contexts inside it.
func startBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	return chromium.ForTest(t, extra...)
}

// person is one user with a browser context of their own: their own
// IndexedDB, SharedWorker and core. A blank tab holds the context open while
// their app tabs come and go.
type person struct {
	top   *testing.T // owns the browser context and tabs
	t     *testing.T // the running (sub)test, which failures go to
	name  string
	relay *relaytest.Relay
	ctx   context.Context
	pages []*page
}

// at makes failures of this person's pages go to t, the running subtest.
func (u *person) at(t *testing.T) {
	u.t = t
	for _, p := range u.pages {
		p.t = t
	}
}

func newPerson(t *testing.T, root context.Context, r *relaytest.Relay, name string) *person {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("%s: new browser context: %v", name, err)
	}
	return &person{top: t, t: t, name: name, relay: r, ctx: ctx}
}

// allowNotifications grants this person's browser context the permission
// to show notifications on the relay's origin, as if they had said yes.
func (u *person) allowNotifications() {
	u.t.Helper()
	_, err := chromedp.CallBrowser(u.ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission:       &browser.PermissionDescriptor{Name: "notifications"},
		Setting:          browser.PermissionSettingGranted,
		Origin:           u.relay.URL,
		BrowserContextID: chromedp.FromContext(u.ctx).BrowserContextID,
	})
	if err != nil {
		u.t.Fatalf("%s: granting notifications: %v", u.name, err)
	}
}

// hiddenTabJS makes a page report itself hidden, as a tab in the
// background does (headless Chromium shows every tab), until the test
// calls __setVisibility('visible'); records each Notification the page
// creates in __notes, and each request it sends its core in __requests,
// with the visibility at the time. __timerMark() and __timersRan(mark) are
// a barrier: every timer the page had set by the mark, due within
// timerHorizon ms (the app's batching timers), has run or been cleared.
const hiddenTabJS = `(() => {
	let state = 'hidden';
	Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => state });
	Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => state === 'hidden' });
	window.__setVisibility = (s) => { state = s; document.dispatchEvent(new Event('visibilitychange')); };
	window.__notes = [];
	const Native = window.Notification;
	window.Notification = class extends Native {
		constructor(title, options) {
			window.__notes.push({ title, body: (options && options.body) || '' });
			super(title, options);
		}
	};
	window.__requests = [];
	const post = MessagePort.prototype.postMessage;
	MessagePort.prototype.postMessage = function (msg, ...rest) {
		if (msg && typeof msg.method === 'string') window.__requests.push({ method: msg.method, visibility: state });
		return post.call(this, msg, ...rest);
	};
	const timerHorizon = 5000;
	let timers = 0;
	const due = new Map(); // timer id -> its number, for timers due within timerHorizon
	const setTimer = window.setTimeout, clearTimer = window.clearTimeout;
	window.setTimeout = function (fn, ms, ...args) {
		const n = ++timers;
		const id = setTimer.call(window, (...a) => {
			due.delete(id);
			if (typeof fn === 'function') fn(...a);
		}, ms, ...args);
		if (!(ms > timerHorizon)) due.set(id, n);
		return id;
	};
	window.clearTimeout = function (id) {
		due.delete(id);
		return clearTimer.call(window, id);
	};
	window.__timerMark = () => timers;
	window.__timersRan = (mark) => ![...due.values()].some((n) => n <= mark);
})()`

// page is one tab of the app.
type page struct {
	top    *testing.T
	t      *testing.T
	name   string
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	log      []string
	problems []string // uncaught exceptions and CSP violations
}

// open opens a new tab of the app and waits until the core is ready. Each
// init script runs in the page before the app's own scripts.
func (u *person) open(init ...string) *page {
	u.t.Helper()
	ctx, cancel := chromedp.NewContext(u.ctx)
	p := &page{top: u.top, t: u.t, name: u.name, ctx: ctx, cancel: cancel}
	if err := chromedp.Do(ctx); err != nil {
		u.t.Fatalf("%s: new tab: %v", u.name, err)
	}
	for _, src := range init {
		if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: src}); err != nil {
			u.t.Fatalf("%s: init script: %v", u.name, err)
		}
	}
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			line := m.String()
			p.mu.Lock()
			p.log = append(p.log, line)
			if m.IsException() || strings.Contains(line, "Content Security Policy") {
				p.problems = append(p.problems, line)
			}
			p.mu.Unlock()
		}
	}()
	u.pages = append(u.pages, p)
	u.top.Cleanup(func() {
		if u.top.Failed() {
			p.dumpLog()
		}
		cancel()
	})
	p.do(chromedp.EmulateViewport(chromium.WindowWidth, chromium.WindowHeight), chromedp.Navigate(u.relay.URL+"/"))
	p.waitReady()
	return p
}

// checkConsole fails the test if the page threw an uncaught exception or
// broke the relay's Content-Security-Policy (inline script or style, eval).
func (p *page) checkConsole() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.problems {
		p.t.Errorf("%s console: %s", p.name, l)
	}
}

func (p *page) dumpLog() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.log {
		p.top.Logf("%s console: %s", p.name, l)
	}
}

// close closes the tab, as a person closing the page.
func (p *page) close() {
	p.cancel()
}

func (p *page) waitReady() {
	p.t.Helper()
	p.waitJS(`document.body.dataset.ready === "1"`, "the app to be ready")
}

// do runs actions with waitTimeout.
func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v", p.name, err)
	}
}

// eval evaluates a JavaScript expression and decodes its JSON value into T.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: evaluating %s: %v", p.name, expr, err)
	}
	return v
}

// waitJS waits until expr is truthy; what says what for the failure message.
func (p *page) waitJS(expr, what string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout+5*time.Second)
	defer cancel()
	var err error
	for range contextRetries {
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr,
			chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(waitTimeout)))
		if !staleContext(err) {
			break
		}
	}
	if err != nil {
		p.screenshot("failed-" + sanitize(p.t.Name()) + "-" + p.name)
		p.t.Fatalf("%s: waiting for %s: %v\nscreen text: %s", p.name, what, err, p.screenText())
	}
}

// contextRetries bounds how often a wait starts again after the page's
// JavaScript context changed under it (a navigation that had not settled).
const contextRetries = 3

// staleContext reports the error Chromium gives for a JavaScript context
// that went away while chromedp used it.
func staleContext(err error) bool {
	return err != nil && strings.Contains(err.Error(), "Cannot find context with specified id")
}

// screenText is the visible text of the page, for failure messages.
func (p *page) screenText() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}

// sanitize keeps letters, digits, '-' and '_' of a test name for a file name.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		case r == '/' || r == ' ':
			return '_'
		}
		return -1
	}, s)
}

// screenshot saves the viewport as out/<name>.png.
func (p *page) screenshot(name string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Logf("%s: screenshot %s: %v", p.name, name, err)
		return
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outDir, name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// tid is the CSS selector of a data-testid.
func tid(id string) chromedp.CSS {
	return chromedp.CSS(fmt.Sprintf(`[data-testid=%q]`, id))
}

func (p *page) click(id string) {
	p.t.Helper()
	p.do(chromedp.Click(tid(id)))
}

func (p *page) typeInto(id, text string) {
	p.t.Helper()
	p.do(chromedp.SendKeys(tid(id), text))
}

// pressEnter sends the Enter key to the focused element as a keyboard does:
// keydown and keyup with no separate char event (chromedp's "\r" adds one,
// which would type a new line after the app handled Enter).
func (p *page) pressEnter() {
	p.t.Helper()
	p.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
				Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13,
			}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// shownMessage is one bubble of the open chat as the DOM shows it.
type shownMessage struct {
	ID       string `json:"id"`
	Text     string `json:"text"`
	Status   string `json:"status"`
	Tick     string `json:"tick"`
	Outgoing bool   `json:"outgoing"`
}

func (p *page) messages() []shownMessage {
	p.t.Helper()
	return eval[[]shownMessage](p, `[...document.querySelectorAll('[data-testid="message"]')].map((el) => ({
		id: el.dataset.id,
		text: el.querySelector('[data-testid="message-text"]').textContent,
		status: el.dataset.status,
		tick: el.querySelector('[data-testid="tick"]')?.getAttribute('aria-label') ?? '',
		outgoing: el.dataset.outgoing === '1',
	}))`)
}

// messageJS finds the bubble whose text is text.
func messageJS(text string) string {
	return `[...document.querySelectorAll('[data-testid="message"]')].find((el) =>
		el.querySelector('[data-testid="message-text"]').textContent === ` + js(text) + `)`
}

// waitMessage waits until the open chat shows a message with this text.
func (p *page) waitMessage(text string) {
	p.t.Helper()
	p.waitJS(`!!`+messageJS(text), fmt.Sprintf("message %q", text))
}

// waitTick waits until the message shows the tick for status, both in
// data-status and in the tick's aria-label.
func (p *page) waitTick(text, status string) {
	p.t.Helper()
	p.waitJS(`(() => { const el = `+messageJS(text)+`; return !!el && el.dataset.status === `+js(status)+
		` && el.querySelector('[data-testid="tick"]').getAttribute('aria-label') === `+js(status)+`; })()`,
		fmt.Sprintf("message %q to show %q", text, status))
}

// statusOf is the data-status of the message with this text.
func (p *page) statusOf(text string) string {
	p.t.Helper()
	return eval[string](p, `(`+messageJS(text)+`)?.dataset.status ?? ''`)
}

// waitCount waits until the open chat shows n messages.
func (p *page) waitCount(n int) {
	p.t.Helper()
	p.waitJS(fmt.Sprintf(`document.querySelectorAll('[data-testid="message"]').length === %d`, n), fmt.Sprintf("%d messages", n))
}

// sendMessage types text into the composer and presses Enter.
func (p *page) sendMessage(text string) {
	p.t.Helper()
	p.do(chromedp.Focus(tid("composer-input")))
	p.typeInto("composer-input", text)
	p.pressEnter()
	p.waitMessage(text)
}

// signUpPhone signs up with a phone number and the code the relay "sent".
func (p *page) signUpPhone(r *relaytest.Relay, typed, e164 string) {
	p.t.Helper()
	p.click("tab-phone")
	p.typeInto("phone-input", typed)
	p.click("phone-send-code")
	p.waitJS(`!document.querySelector('[data-testid="code-input"]').closest('[hidden]')`, "the code field")
	p.typeInto("code-input", r.Code(p.t, e164))
	p.click("code-verify")
	p.waitJS(`!!document.querySelector('[data-testid="main"]')`, "the conversation list after sign-up")
}

// signUpAccount signs up with an account ID and a password.
func (p *page) signUpAccount(account, password string) {
	p.t.Helper()
	p.submitAccount("account-signup", account, password, "sign-up")
}

// signInAccount signs in with an existing account ID, as a new device.
func (p *page) signInAccount(account, password string) {
	p.t.Helper()
	p.submitAccount("account-signin", account, password, "sign-in")
}

// submitAccount fills the account form, presses button and waits for the
// conversation list that follows a successful step.
func (p *page) submitAccount(button, account, password, step string) {
	p.t.Helper()
	p.click("tab-account")
	p.typeInto("account-input", account)
	p.typeInto("password-input", password)
	p.click(button)
	p.waitJS(`!!document.querySelector('[data-testid="main"]')`, "the conversation list after "+step)
}

// startChat opens a new chat with kind ("phone" or "account") and value.
func (p *page) startChat(kind, value string) {
	p.t.Helper()
	p.click("new-chat")
	p.click("newchat-kind-" + kind)
	p.typeInto("newchat-input", value)
	p.click("newchat-submit")
	p.waitJS(`!document.querySelector('[data-testid="newchat-dialog"]') && !!document.querySelector('[data-testid="chat-title"]')?.textContent`,
		"the new chat to open")
}

// openChat clicks the conversation whose title is title.
func (p *page) openChat(title string) {
	p.t.Helper()
	sel := `[...document.querySelectorAll('[data-testid="conversation-item"]')].find((el) =>
		el.querySelector('[data-testid="conversation-title"]').textContent === ` + js(title) + `)`
	p.waitJS(`!!`+sel, fmt.Sprintf("conversation %q in the list", title))
	eval[chromedp.Void](p, sel+`.click()`)
	p.waitJS(`document.querySelector('[data-testid="chat-title"]')?.textContent === `+js(title), "the chat to open")
}
