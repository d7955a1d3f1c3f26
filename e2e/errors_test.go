//go:build !js

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sambung/relay"
)

// errorText is the shown error of the element with this data-testid.
func (p *page) errorText(id string) string {
	p.t.Helper()
	return eval[string](p, `(() => { const e = document.querySelector('[data-testid="`+id+`"]'); return e && !e.hidden ? e.textContent : ''; })()`)
}

// waitError waits until the error element id shows text containing want.
func (p *page) waitError(id, want string) {
	p.t.Helper()
	p.waitJS(`(() => { const e = document.querySelector('[data-testid="`+id+`"]'); return !!e && !e.hidden && e.textContent.includes(`+js(want)+`); })()`,
		"the error "+js(want))
}

// TestErrorsAreClear checks that the app says what went wrong, in words,
// for a wrong code, a wrong password, an unknown address and a lookup rate
// limit.
func TestErrorsAreClear(t *testing.T) {
	r := startRelay(t, func(c *relay.Config) {
		// Three lookups, then one an hour: the test reaches the limit fast.
		c.LookupRate = relay.Rate{Count: 1, Per: time.Hour, Burst: 3}
	})
	root := startBrowser(t)
	u := newPerson(t, root, r, "citra")
	p := u.open()

	p.click("tab-phone")
	p.typeInto("phone-input", "+62 813 5555 0000")
	p.click("phone-send-code")
	p.waitJS(`!document.querySelector('[data-testid="code-input"]').closest('[hidden]')`, "the code field")
	wrong := "000000"
	if r.Code(t, "+6281355550000") == wrong {
		wrong = "111111"
	}
	p.typeInto("code-input", wrong)
	p.click("code-verify")
	p.waitError("signin-error", "code is not right")

	p.click("tab-account")
	p.waitJS(`document.querySelector('[data-testid="signin-error"]').hidden`, "the error to clear with the tab")
	p.typeInto("account-input", "citra")
	p.typeInto("password-input", "not the password")
	p.click("account-signin")
	p.waitError("signin-error", "do not match")
	p.click("account-signup")
	p.waitJS(`!!document.querySelector('[data-testid="main"]')`, "the conversation list after sign-up")

	p.click("new-chat")
	p.click("newchat-kind-account")
	p.typeInto("newchat-input", "nobody_one")
	p.click("newchat-submit")
	p.waitError("newchat-error", "Nobody on Sambung uses that address")
	limited := false
	for range 4 {
		// Clear the last answer first: only this lookup's end can show
		// one again (or close the dialog, if the lookup found someone).
		eval[chromedp.Void](p, `(() => { const e = document.querySelector('[data-testid="newchat-error"]'); e.hidden = true; e.textContent = ''; })()`)
		p.click("newchat-submit")
		p.waitJS(`(() => { const d = document.querySelector('[data-testid="newchat-dialog"]'); if (!d) return true;
			const e = d.querySelector('[data-testid="newchat-error"]');
			return !d.querySelector('[data-testid="newchat-submit"]').disabled && !e.hidden && e.textContent !== ''; })()`,
			"the lookup to finish")
		if msg := p.errorText("newchat-error"); strings.HasPrefix(msg, "Too many attempts. ") {
			limited = true
			break
		} else if msg == "" {
			t.Fatal("a failed lookup showed no error")
		}
	}
	if !limited {
		t.Fatalf("no rate-limit message after 5 lookups; last error %q", p.errorText("newchat-error"))
	}
	p.screenshot("newchat-rate-limited")
	p.checkConsole()
}
