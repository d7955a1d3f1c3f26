//go:build !js

package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sambung/internal/chromium"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/dgraph-io/badger/v4"
)

// The two people of the tests: Ayu signs up with a phone number, Budi with
// an account ID.
const (
	ayuPhoneTyped = "+62 812-0000-1111"
	ayuPhone      = "+6281200001111"
	budiAccount   = "budi"
	budiPassword  = "correct horse battery staple"
)

// xssText is a message that would run script if the app ever parsed
// message text as HTML.
const xssText = `<img src=x onerror="window.__sambungXSS=1"> and <b>bold</b>`

// TestConversation walks one conversation between a phone user and an
// account user through the app, step by step: each step needs the ones
// before it.
func TestConversation(t *testing.T) {
	r := startRelay(t)
	root := startBrowser(t)
	ayu := newPerson(t, root, r, "ayu")
	budi := newPerson(t, root, r, "budi")

	// Every text sent, to look for in the relay's files at the end.
	var sent []string
	var a, b *page
	// say sends text from one page, records it and waits for each reader
	// to show it.
	say := func(from *page, text string, readers ...*page) {
		from.sendMessage(text)
		sent = append(sent, text)
		for _, p := range readers {
			p.waitMessage(text)
		}
	}

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"sign up by phone and by account", func(t *testing.T) {
			a = ayu.open()
			a.screenshot("signin")
			a.signUpPhone(r, ayuPhoneTyped, ayuPhone)
			b = budi.open()
			b.signUpAccount(budiAccount, budiPassword)
		}},
		{"unknown address is a clear error", func(t *testing.T) {
			a.click("new-chat")
			a.click("newchat-kind-account")
			a.typeInto("newchat-input", "nobody_here")
			a.click("newchat-submit")
			a.waitJS(`document.querySelector('[data-testid="newchat-error"]')?.textContent.includes('Nobody on Sambung')`,
				"the unknown-address error")
			a.click("newchat-close")
			a.waitJS(`!document.querySelector('[data-testid="newchat-dialog"]')`, "the dialog to close")
		}},
		{"messages queue while the recipient's page is closed; ticks go sent, delivered, read", func(t *testing.T) {
			b.close()
			waitConnections(t, r, 1) // Budi's core has gone: only Ayu's is online
			a.startChat("account", budiAccount)
			checkBadges(t, a, `[data-testid="chat"]`, []string{"account"})
			for _, text := range []string{"Halo Budi, this is Ayu.", "Second message, sent while you were away."} {
				say(a, text)
				// The relay acked it; Budi's device has not stored it.
				a.waitTick(text, "sent")
			}
			if s := a.statusOf(sent[0]); s != "sent" {
				t.Fatalf("first message is %q before Budi came back, want sent", s)
			}

			b = budi.open()
			// Budi's list shows the conversation with two unread, and the
			// title counts them; the chat is not open, so nothing is read.
			b.waitJS(`document.querySelector('[data-testid="conversation-item"]')?.dataset.unread === "2"`, "2 unread")
			b.waitJS(`document.title === "(2) Sambung"`, `the title "(2) Sambung"`)
			// Ayu wrote first: Budi's core must learn her identities to
			// name her and badge her kind.
			checkBadges(t, b, `[data-testid="conversation-item"]`, []string{"phone"})
			for _, text := range sent {
				a.waitTick(text, "delivered")
			}
			b.screenshot("conversation-list")

			b.openChat(ayuPhone)
			b.waitCount(len(sent))
			got := texts(b.messages())
			if !slices.Equal(got, sent) {
				t.Fatalf("Budi sees %q, want %q in this order", got, sent)
			}
			for _, text := range sent {
				a.waitTick(text, "read")
			}
			b.waitJS(`document.title === "Sambung"`, "the title without unread count")
		}},
		{"replies go the other way", func(t *testing.T) {
			text := "Hi Ayu! Got both."
			say(b, text, a)
			// Ayu has the chat open and the tab visible: she read it.
			b.waitTick(text, "read")
			a.screenshot("chat-first-messages")
		}},
		{"a new chat by phone number opens the same conversation", func(t *testing.T) {
			b.startChat("phone", ayuPhoneTyped)
			b.waitJS(`document.querySelector('[data-testid="chat-title"]').textContent === `+js(ayuPhone), "the chat with Ayu")
			b.waitCount(len(sent))
			// The list is redrawn a frame after the chat opens: wait for it
			// to mark this conversation current before counting.
			b.waitJS(`document.querySelector('[data-testid="conversation-item"][aria-current="true"] [data-testid="conversation-title"]')?.textContent === `+js(ayuPhone),
				"the list to show the open conversation as current")
			if n := eval[int](b, `document.querySelectorAll('[data-testid="conversation-item"]').length`); n != 1 {
				t.Fatalf("Budi has %d conversations, want the one with Ayu", n)
			}
			checkBadges(t, b, `[data-testid="chat"] header`, []string{"phone"})
		}},
		{"typing indicator", func(t *testing.T) {
			a.do(chromedp.Focus(tid("composer-input")))
			a.typeInto("composer-input", "typing something")
			b.waitJS(`(() => { const el = document.querySelector('[data-testid="typing"]'); return !!el && !el.hidden && el.textContent.includes('typing'); })()`,
				"Budi to see Ayu typing")
			eval[chromedp.Void](a, `document.querySelector('[data-testid="composer-input"]').value = ''`)
		}},
		{"message text is never HTML", func(t *testing.T) {
			say(a, xssText, b)
			n := eval[int](b, `document.querySelectorAll('[data-testid="message-list"] img, [data-testid="message-list"] b').length`)
			if n != 0 {
				t.Fatalf("the message created %d elements", n)
			}
			if eval[bool](b, `window.__sambungXSS === 1`) || eval[bool](a, `window.__sambungXSS === 1`) {
				t.Fatal("the message ran script")
			}
			// The list follows the core's 'conversations' event, a frame
			// later than the chat; until then it shows the previous message,
			// or "typing…" from the step before.
			b.waitJS(`(() => { const p = document.querySelector('[data-testid="conversation-preview"]');
				return !!p && p.textContent.includes('<img src=x') && !p.querySelector('img, b'); })()`,
				"the list preview to show the text as text")
		}},
		{"safety numbers match", func(t *testing.T) {
			an := safetyDigits(t, a)
			bn := safetyDigits(t, b)
			if len(an) != 60 || strings.Trim(an, "0123456789") != "" {
				t.Fatalf("Ayu's safety number %q is not 60 digits", an)
			}
			if an != bn {
				t.Fatalf("safety numbers differ:\nAyu  %s\nBudi %s", an, bn)
			}
			groups := eval[int](a, `document.querySelectorAll('[data-testid="safety-number"] .group').length`)
			if groups != 12 {
				t.Fatalf("safety number in %d groups, want 12", groups)
			}
			a.screenshot("safety-number")
			// Escape closes the dialog.
			for _, p := range []*page{a, b} {
				p.do(chromedp.KeyEvent(kbEscape))
				p.waitJS(`!document.querySelector('[data-testid="safety-dialog"]')`, "Escape to close the dialog")
			}
		}},
		{"a reload keeps history and sessions", func(t *testing.T) {
			b.do(chromedp.Reload())
			b.waitReady()
			b.openChat(ayuPhone)
			b.waitCount(len(sent))
			if got := texts(b.messages()); !slices.Equal(got, sent) {
				t.Fatalf("after reload Budi sees %q, want %q", got, sent)
			}
			for _, text := range []string{"Still here after the reload.", "Ayu's answer after Budi's reload."} {
				p, q := b, a
				if strings.HasPrefix(text, "Ayu") {
					p, q = a, b
				}
				say(p, text, q)
				p.waitTick(text, "read")
			}
		}},
		{"two tabs of one person both show new messages", func(t *testing.T) {
			b2 := budi.open()
			b2.openChat(ayuPhone)
			b2.waitCount(len(sent))
			text := "Both of your tabs should show this."
			say(a, text, b, b2)
			// The session survives: the second tab sends, the first shows it
			// as Budi's own message, and Ayu gets it.
			reply := "Sent from Budi's second tab."
			say(b2, reply, a, b)
			more := "And Ayu answers both tabs."
			say(a, more, b, b2)
			if got := texts(b2.messages()); !slices.Equal(got, texts(b.messages())) {
				t.Fatalf("tabs differ:\n%q\n%q", got, texts(b.messages()))
			}
		}},
		{"a hidden tab notifies, counts unread in the title and marks read only when seen", func(t *testing.T) {
			// Ayu's open chat read Budi's last message; her tab closes only
			// once that is done, so the title counts only what follows.
			b.waitTick("Sent from Budi's second tab.", "read")
			a.close()
			ayu.allowNotifications()
			a = ayu.open(hiddenTabJS)
			a.openChat(budiAccount)
			a.waitCount(len(sent))
			text := "Ayu, are you there?"
			say(b, text, a)
			a.waitJS(`__notes.some((n) => n.title === `+js(budiAccount)+` && n.body === `+js(text)+`)`, "a notification of Budi's message")
			a.waitJS(`document.title === "(1) Sambung"`, `the title "(1) Sambung"`)
			b.waitTick(text, "delivered")
			// The page had set its read-receipt timer when it showed the
			// message and counted it in the title; once every timer it had
			// set has run, a receipt it would send is already asked for.
			mark := eval[int](a, `__timerMark()`)
			a.waitJS(fmt.Sprintf(`__timersRan(%d)`, mark), "Ayu's page to run the timers it had set")
			if asked := eval[[]string](a, `__requests.filter((r) => r.method === 'markRead').map((r) => r.visibility)`); len(asked) != 0 {
				t.Fatalf("Ayu's hidden tab asked to mark read (visibility %q)", asked)
			}
			if s := b.statusOf(text); s != "delivered" {
				t.Fatalf("the message is %q while Ayu's tab is hidden, want delivered", s)
			}
			// Blue ticks on what Ayu read, grey on what she has not yet.
			b.screenshot("chat")
			eval[chromedp.Void](a, `__setVisibility('visible')`)
			b.waitTick(text, "read")
			a.waitJS(`document.title === "Sambung"`, "the title without unread count")
			if asked := eval[[]string](a, `__requests.filter((r) => r.method === 'markRead').map((r) => r.visibility)`); len(asked) == 0 || slices.Contains(asked, "hidden") {
				t.Fatalf("Ayu's tab asked to mark read while %q, want only while visible", asked)
			}
		}},
		{"a contact's new device is a changed safety number to accept", func(t *testing.T) {
			laptop := newPerson(t, root, r, "budi-laptop")
			laptop.at(t)
			l := laptop.open()
			l.signInAccount(budiAccount, budiPassword)
			l.startChat("phone", ayuPhoneTyped)
			text := "Hello from my new laptop."
			say(l, text, a)
			a.waitJS(`!document.querySelector('[data-testid="identity-notice"]').hidden`, "the changed-safety-number notice")
			if !eval[bool](a, `document.querySelector('[data-testid="composer-input"]').disabled`) {
				t.Fatal("Ayu can send before accepting the new safety number")
			}
			a.screenshot("identity-changed")
			a.click("identity-accept")
			a.waitJS(`document.querySelector('[data-testid="identity-notice"]').hidden && !document.querySelector('[data-testid="composer-input"]').disabled`,
				"sending to be allowed again")
			a.waitJS(`document.querySelector('[data-testid="conversation-item"]').dataset.unread === "0"`, "the laptop's message to be read")
			reply := "Welcome, new laptop."
			say(a, reply, l, b)

			// The laptop lists Budi's identity and both devices, then signs out.
			l.click("me")
			l.waitJS(`document.querySelectorAll('[data-testid="devices"] li:not(.loading)').length === 2`, "both of Budi's devices")
			if ids := eval[string](l, `document.querySelector('[data-testid="my-identities"]').textContent`); !strings.Contains(ids, budiAccount) {
				t.Fatalf("the laptop lists identities %q", ids)
			}
			l.screenshot("profile")
			l.click("signout")
			l.waitJS(`!!document.querySelector('[data-testid="signin"]')`, "the sign-in screen after signing out")
		}},
		{"a narrow screen shows the list and the chat as two screens", func(t *testing.T) {
			b.do(chromedp.EmulateViewport(360, 740))
			b.waitJS(`getComputedStyle(document.querySelector('.sidebar')).display === 'none'`, "the chat alone on a narrow screen")
			b.screenshot("narrow-chat")
			b.click("back-button")
			b.waitJS(`getComputedStyle(document.querySelector('.chat')).display === 'none' && document.activeElement?.dataset.testid === 'conversation-item'`,
				"the list alone, focus on the conversation")
			b.screenshot("narrow-list")
			if w := eval[int](b, `document.documentElement.scrollWidth`); w > 360 {
				t.Fatalf("the page is %d px wide on a 360 px screen", w)
			}
			b.do(chromedp.EmulateViewport(chromium.WindowWidth, chromium.WindowHeight))
		}},
		{"no page threw or broke the CSP", func(t *testing.T) {
			for _, u := range []*person{ayu, budi} {
				for _, p := range u.pages {
					p.checkConsole()
				}
			}
		}},
		{"the relay stores no plaintext", func(t *testing.T) {
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			checkNoPlaintext(t, r.Config.DataDir, sent, []string{budiAccount})
		}},
	}
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			ayu.at(t)
			budi.at(t)
			s.run(t)
		})
		if !ok {
			return
		}
	}
}

// kbEscape is the Escape key for chromedp.KeyEvent.
const kbEscape = "\u001b"

func texts(ms []shownMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
	}
	return out
}

// checkBadges waits until the identity-kind badges inside the element at
// sel are want: they follow the core as it learns the contact's identities.
func checkBadges(t *testing.T, p *page, sel string, want []string) {
	t.Helper()
	b, _ := json.Marshal(want)
	p.waitJS(`JSON.stringify([...(document.querySelector(`+js(sel)+`)?.querySelectorAll('[data-testid="kind-badge"]') ?? [])].map((b) => b.dataset.kind)) === `+js(string(b)),
		fmt.Sprintf("kind badges %q in %s (none: the core knows no address of the contact)", want, sel))
}

// safetyDigits opens the safety-number dialog of the open chat and returns
// its digits.
func safetyDigits(t *testing.T, p *page) string {
	t.Helper()
	p.click("safety-button")
	p.waitJS(`document.querySelector('[data-testid="safety-number"]')?.dataset.digits?.length > 0`, "the safety number")
	return eval[string](p, `document.querySelector('[data-testid="safety-number"]').dataset.digits`)
}

// checkNoPlaintext searches every file under dir, and every key and value
// of the Badger store there, for the texts in raw, base64 and base64url
// form. present are strings the relay does store (an account ID): finding
// them proves the search reads what Badger wrote.
func checkNoPlaintext(t *testing.T, dir string, texts, present []string) {
	t.Helper()
	type needle struct {
		text, form string
		b          []byte
	}
	var needles []needle
	for _, s := range texts {
		for _, f := range encodings(s) {
			needles = append(needles, needle{s, f.form, f.b})
		}
	}
	var blobs [][]byte
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		blobs = append(blobs, b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := badger.Open(badger.DefaultOptions(dir).WithReadOnly(true).WithLogger(nil))
	if err != nil {
		t.Fatalf("opening the relay's Badger read-only: %v", err)
	}
	defer db.Close()
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			blobs = append(blobs, it.Item().KeyCopy(nil), v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range present {
		found := false
		for _, b := range blobs {
			found = found || bytes.Contains(b, []byte(s))
		}
		if !found {
			t.Fatalf("the search did not find %q, which the relay stores: it is not reading the data", s)
		}
	}
	for _, n := range needles {
		for _, b := range blobs {
			if bytes.Contains(b, n.b) {
				t.Fatalf("the relay's data contains plaintext %q (%s)", n.text, n.form)
			}
		}
	}
}

type encoded struct {
	form string
	b    []byte
}

// encodings are the forms a leaked plaintext could take in the relay's
// data: raw, JSON-escaped, and base64 (standard and URL alphabets) at each
// of the three byte alignments it could have inside a longer encoding.
func encodings(s string) []encoded {
	quoted, _ := json.Marshal(s)
	out := []encoded{{"raw", []byte(s)}, {"json", quoted[1 : len(quoted)-1]}}
	for skip := range 3 {
		n := (len(s) - skip) / 3 * 3
		chunk := []byte(s[skip : skip+n])
		out = append(out,
			encoded{fmt.Sprintf("base64 at offset %d", skip), []byte(base64.StdEncoding.EncodeToString(chunk))},
			encoded{fmt.Sprintf("base64url at offset %d", skip), []byte(base64.URLEncoding.EncodeToString(chunk))})
	}
	return out
}
