//go:build !js

package bridgetest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sambung/internal/relaytest"
	"slices"
	"testing"

	"github.com/chromedp/chromedp"
)

// The JSON shapes of sambung.d.ts that these tests read back.
type profile struct {
	PersonID   string   `json:"personId"`
	DeviceID   int      `json:"deviceId"`
	Identities []string `json:"identities"`
}

type contact struct {
	PersonID   string   `json:"personId"`
	Identities []string `json:"identities"`
	Kind       string   `json:"kind"`
}

type message struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversationId"`
	From           string `json:"from"`
	Outgoing       bool   `json:"outgoing"`
	Text           string `json:"text"`
	SentAt         int64  `json:"sentAt"`
	Order          string `json:"order"`
	Status         string `json:"status"`
}

// page opens the smoke test page in tab.
func page(t *testing.T, tab context.Context, r *relaytest.Relay) {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(r.URL+"/smoke.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := eval[bool](tab, `waitFor(() => window.ready, 'the page')`); err != nil {
		t.Fatal(err)
	}
}

// must evaluates expr in tab and fails the test on an error.
func must[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := eval[T](tab, expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// openCore opens sambung.js in tab as window.s, recording its events.
const openCore = `(async () => { window.s = watch(await sambung.open()); return s.me(); })()`

// TestSambungJS signs up an account user and a phone user in two browser
// profiles through sambung.js alone and sends messages both ways, with
// receipts, history, safety numbers, coded errors, and a second tab that
// joins the first tab's core.
func TestSambungJS(t *testing.T) {
	r := startRelay(t)
	browser := startBrowser(t)
	alice, bob := newProfile(t, browser), newProfile(t, browser)
	page(t, alice, r)
	page(t, bob, r)

	if me := must[*profile](t, alice, openCore); me != nil {
		t.Fatalf("a fresh profile is signed in: %+v", me)
	}
	pa := must[profile](t, alice, `s.signUp({account: 'Alice', password: 'correct horse battery'})`)
	if !slices.Equal(pa.Identities, []string{"account:alice"}) || pa.PersonID == "" || pa.DeviceID == 0 {
		t.Fatalf("alice's profile: %+v", pa)
	}

	must[*profile](t, bob, openCore)
	must[chromedp.Void](t, bob, `s.requestPhoneCode('+62 812-3456-7890')`)
	code, wrong := r.Code(t, "+6281234567890"), "000000"
	if code == wrong {
		wrong = "111111"
	}
	if got := must[string](t, bob, `s.verifyPhone('+62 812-3456-7890', '`+wrong+`').then(() => 'signed in', (e) => e.code)`); got != "wrong_code" {
		t.Fatalf("a wrong code gave %q, want wrong_code", got)
	}
	pb := must[profile](t, bob, `s.verifyPhone('+62 812-3456-7890', '`+code+`')`)
	if !slices.Equal(pb.Identities, []string{"phone:+6281234567890"}) {
		t.Fatalf("bob's profile: %+v", pb)
	}
	for _, tab := range []context.Context{alice, bob} {
		must[string](t, tab, `waitFor(() => s.status === 'online' && s.status, 'online')`)
	}

	// Errors are SambungErrors with the relay's or the bridge's code.
	for expr, want := range map[string]string{
		`s.lookup('account:nobody')`:    "unknown_address",
		`s.lookup('phone:12')`:          "bad_phone",
		`s.send(42, 'x')`:               "bad_argument",
		`s.lookup(() => 'uncloneable')`: "bad_argument",
	} {
		got := must[string](t, alice, expr+`.then(() => 'resolved', (e) => e instanceof sambung.SambungError ? e.code : 'not a SambungError: ' + e)`)
		if got != want {
			t.Errorf("%s rejected with %q, want %q", expr, got, want)
		}
	}

	c := must[contact](t, alice, `s.lookup('phone:+6281234567890')`)
	if c.PersonID != pb.PersonID || c.Kind != "phone" {
		t.Fatalf("alice's lookup of bob: %+v, want person %s, kind phone", c, pb.PersonID)
	}
	const hello = `hello bob <img src=x onerror="document.title='pwned'">`
	sent := must[message](t, alice, "s.send('phone:+6281234567890', "+jsString(hello)+")")
	if !sent.Outgoing || sent.ConversationID != pb.PersonID || sent.Text != hello || sent.ID == "" {
		t.Fatalf("send returned %+v", sent)
	}

	got := must[message](t, bob, `waitFor(() => seen.message.find((m) => !m.outgoing && m.id === `+jsString(sent.ID)+`), "alice's message")`)
	if got.From != pa.PersonID || got.ConversationID != pa.PersonID || got.Text != hello {
		t.Fatalf("bob received %+v", got)
	}
	receipt := func(status string) string {
		return `waitFor(() => seen.receipt.some((r) => r.status === '` + status + `' && r.messageIds.includes(` +
			jsString(sent.ID) + `)), 'receipt ` + status + `')`
	}
	must[bool](t, alice, receipt("delivered"))
	must[chromedp.Void](t, bob, `s.markRead(`+jsString(pa.PersonID)+`, `+jsString(got.ID)+`)`)
	must[bool](t, alice, receipt("read"))

	reply := must[message](t, bob, `s.send(`+jsString(pa.PersonID)+`, 'hi alice')`)
	must[message](t, alice, `waitFor(() => seen.message.find((m) => m.id === `+jsString(reply.ID)+` && !m.outgoing), "bob's reply")`)

	hist := must[[]message](t, alice, `s.history(`+jsString(pb.PersonID)+`)`)
	if len(hist) != 2 || hist[0].ID != sent.ID || hist[1].ID != reply.ID || hist[0].Status != "read" || hist[0].Order >= hist[1].Order {
		t.Fatalf("alice's history: %+v", hist)
	}
	convs := must[[]struct {
		ID     string `json:"id"`
		Unread int    `json:"unread"`
	}](t, alice, `waitFor(() => seen.conversations.length && seen.conversations.at(-1), 'a conversations event')`)
	if len(convs) != 1 || convs[0].ID != pb.PersonID {
		t.Fatalf("alice's conversations event: %+v", convs)
	}

	safety := `s.safetyNumber(%s).then((n) => n.scannable instanceof Uint8Array && n.scannable.length > 0 && n.displayable)`
	sa := must[string](t, alice, fmt.Sprintf(safety, jsString(pb.PersonID)))
	sb := must[string](t, bob, fmt.Sprintf(safety, jsString(pa.PersonID)))
	if sa != sb || !regexp.MustCompile(`^[0-9]{60}$`).MatchString(sa) {
		t.Fatalf("safety numbers %q and %q, want the same 60 digits", sa, sb)
	}

	// A second tab of bob's profile joins the same core: signed in
	// already, and it gets the events too.
	bob2 := newTab(t, bob)
	page(t, bob2, r)
	if me := must[*profile](t, bob2, openCore); me == nil || me.PersonID != pb.PersonID || me.DeviceID != pb.DeviceID {
		t.Fatalf("bob's second tab: %+v, want the first tab's device %+v", me, pb)
	}
	both := must[message](t, alice, `s.send(`+jsString(pb.PersonID)+`, 'to both tabs')`)
	for _, tab := range []context.Context{bob, bob2} {
		must[message](t, tab, `waitFor(() => seen.message.find((m) => m.id === `+jsString(both.ID)+`), 'the message in every tab')`)
	}
	if title := must[string](t, bob, `document.title`); title == "pwned" {
		t.Fatal("message text ran as HTML")
	}
}

// TestDedicatedWorkerLock: without SharedWorker, each tab runs its own
// worker, and only the one holding the Web Lock "sambung-core" starts a
// core; a second tab's open() waits until the first tab lets go.
func TestDedicatedWorkerLock(t *testing.T) {
	r := startRelay(t)
	first := newProfile(t, startBrowser(t))
	second := newTab(t, first)
	page(t, first, r)
	page(t, second, r)

	must[*profile](t, first, `(async () => { window.s = await sambung.open({worker: 'dedicated'}); return s.me(); })()`)
	must[bool](t, second, `(() => {
		window.state = 'waiting';
		sambung.open({worker: 'dedicated'}).then((s) => { window.s = s; state = 'open'; }, (e) => { state = 'failed: ' + e.code; });
		return true;
	})()`)
	// The second tab's worker asks for the lock and waits in the queue.
	must[bool](t, second, `(async () => {
		for (let i = 0; i < 500; i++) {
			const q = await navigator.locks.query();
			if (q.pending.some((l) => l.name === 'sambung-core')) return true;
			await new Promise((r) => setTimeout(r, 20));
		}
		throw new Error('the second worker never asked for the core lock: ' + JSON.stringify(await navigator.locks.query()) + ' ' + state);
	})()`)
	if state := must[string](t, second, `state`); state != "waiting" {
		t.Fatalf("the second tab opened while the first held the core: %s", state)
	}
	must[chromedp.Void](t, first, `s.close()`)
	must[string](t, second, `waitFor(() => state !== 'waiting' && state, 'the second tab to open')`)
	if state := must[string](t, second, `state`); state != "open" {
		t.Fatalf("second tab: %s", state)
	}
	if me := must[*profile](t, second, `s.me()`); me != nil {
		t.Fatalf("the second tab's core is signed in: %+v", me)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err) // a Go string always marshals
	}
	return string(b)
}
