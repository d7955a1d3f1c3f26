//go:build !js

package e2e

import (
	"context"
	"testing"

	"sambung/client"
	"sambung/client/native"
	"sambung/relay"
)

// TestSecurityAlert: wrong passwords tried for a person's account ID show
// as a notice in their open app, as text.
func TestSecurityAlert(t *testing.T) {
	r := startRelay(t, func(c *relay.Config) {
		c.PasswordFreeFails = 1000 // no waits between the guesses
		c.PasswordNoticeAt = 3
	})
	root := startBrowser(t)
	dewi := newPerson(t, root, r, "dewi")
	p := dewi.open()
	p.signUpAccount("dewi", "correct horse battery staple")

	ctx := context.Background()
	guesser, err := client.New(ctx, client.Config{HTTP: native.NewHTTP(r.URL), Storage: client.NewMemoryStorage()})
	if err != nil {
		t.Fatal(err)
	}
	defer guesser.Close()
	for i := 0; i < 3; i++ {
		if err := guesser.SignInAccount(ctx, "dewi", "<b>not</b> her password"); err == nil {
			t.Fatal("a wrong password signed in")
		}
	}
	p.waitJS(`(() => { const el = document.querySelector('[data-testid="security-alert"]');
		return !!el && !el.hidden && el.textContent.includes('3 wrong passwords'); })()`, "the sign-in alert")
	p.click("security-alert-dismiss")
	p.waitJS(`document.querySelector('[data-testid="security-alert"]').hidden`, "the alert to go away")
}
