//go:build !js

package relay

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"sambung/relay/store"
	"sambung/wire"
)

// signIn tries one account sign-in from src.
func (r *testRelay) signInFrom(src, account, password string) *wire.Error {
	r.t.Helper()
	return r.postFrom(src, wire.PathAccountSignIn, wire.AccountRequest{AccountID: account, Password: password, Device: keys(r.t, 0)}, nil)
}

// TestPasswordGuessing: 20 addresses guess one account's password at once,
// as in the issue (200 guesses in 5 s before). The account's own throttle
// lets 6 through (5 free, then the one that locks it), whatever the
// addresses; even the right password waits out the lock; the person's
// signed-in device keeps working and is alerted; over a month of patient
// guessing the attacker gets about 126 tries.
func TestPasswordGuessing(t *testing.T) {
	r := startRelay(t, func(c *Config) { c.AuthRate = Rate{} }) // the default per-address limit
	r.clock.Freeze()
	alice := r.signUpAccount("alice", "the right password", 0)
	bob := r.signUpAccount("bob", "bob's password", 0)
	a := r.dial(alice)
	b := r.dial(bob)

	var mu sync.Mutex
	answers := map[string]int{}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				e := r.signInFrom(fmt.Sprintf("127.0.6.%d", i+1), "alice", fmt.Sprintf("guess %d of %d", n, i))
				mu.Lock()
				answers[string(e.Code)]++
				mu.Unlock()
				if e.Code != wire.CodeBadCredentials {
					return
				}
			}
		}()
	}
	wg.Wait()
	if answers["bad_credentials"] != 6 || answers["rate_limited"] != 20 {
		t.Fatalf("20 addresses at once: %v; want 6 checked, then rate_limited for all", answers)
	}
	if e := r.signInFrom("127.0.7.1", "alice", "the right password"); e == nil || e.Code != wire.CodeRateLimited || e.RetryAfter != 1 {
		t.Fatalf("the right password while locked: %+v", e)
	}
	// Alice's device is untouched.
	a.mustSend(bob.PersonID, []uint32{1}, nil, "still-here", "still signed in")
	if got := b.receive(1)[0]; got.ID != "still-here" {
		t.Fatal(got)
	}
	var me wire.Me
	r.mustCall("GET", wire.PathMe, alice.Token, nil, &me)

	// A patient attacker for 30 days, from a new address each time.
	start := r.clock.Now()
	tries := answers["bad_credentials"]
	for i := 0; r.clock.Now().Sub(start) < 30*24*time.Hour; i++ {
		e := r.signInFrom(fmt.Sprintf("127.0.%d.%d", 8+i/250, 1+i%250), "alice", "patient guess")
		switch e.Code {
		case wire.CodeBadCredentials:
			tries++
		case wire.CodeRateLimited:
			r.clock.Advance(time.Duration(e.RetryAfter) * time.Second)
		default:
			t.Fatal(e)
		}
	}
	t.Logf("password guesses in 30 days: %d", tries)
	if tries < 100 || tries > 130 {
		t.Errorf("%d guesses in 30 days, want about 126", tries)
	}
	// The device was told at 10, 20, 40, 80 and 100 failures.
	for _, want := range []int{10, 20, 40, 80, 100} {
		if f := expect[*wire.AlertFrame](a); f.Kind != wire.AlertSignInFailures || f.Count != want {
			t.Fatalf("alert %+v, want %d failures", f, want)
		}
	}

	// Past 100 failures every wrong password locks the account for a day;
	// after the lock the right password signs in and clears the count.
	if e := r.signInFrom("127.0.7.1", "alice", "one more"); e.Code == wire.CodeRateLimited {
		r.clock.Advance(time.Duration(e.RetryAfter) * time.Second)
		r.signInFrom("127.0.7.1", "alice", "one more")
	}
	e := r.signInFrom("127.0.7.2", "alice", "the right password")
	if e == nil || e.Code != wire.CodeRateLimited || e.RetryAfter != 24*60*60 {
		t.Fatalf("right after a wrong guess past 100: %+v", e)
	}
	r.clock.Advance(time.Duration(e.RetryAfter) * time.Second)
	if e := r.signInFrom("127.0.7.3", "alice", "the right password"); e != nil {
		t.Fatal(e)
	}
	for i := range 5 {
		if e := r.signInFrom("127.0.7.4", "alice", "wrong again"); e.Code != wire.CodeBadCredentials {
			t.Fatalf("free try %d after a success: %+v", i, e)
		}
	}
}

// TestPasswordText: a password must be valid UTF-8 (a JSON decoder turns
// bad bytes into U+FFFD, which is refused too), and its NFC form is what
// counts: a composed and a decomposed "é" are the same password.
func TestPasswordText(t *testing.T) {
	r := startRelay(t)
	composed, decomposed := "caf\u00e9 au lait", "cafe\u0301 au lait"
	r.signUpAccount("alice", decomposed, 0)
	r.signInAccount("alice", composed, 0)
	r.signInAccount("alice", decomposed, 0)
	// A hash made before passwords were normalised still takes the bytes
	// it was made from.
	legacy := store.PasswordHash{Salt: make([]byte, saltSize), Memory: testArgon2.Memory, Time: testArgon2.Time, Threads: testArgon2.Threads}
	legacy.Hash = r.srv.argon([]byte(decomposed), &legacy, hashSize)
	if !r.srv.checkPassword(decomposed, &legacy) || r.srv.checkPassword("something else", &legacy) {
		t.Fatal("legacy hash")
	}
	for _, bad := range []string{"bad \xff bytes here", "replaced \ufffd here"} {
		e := r.wantCode(wire.CodeBadPassword, "POST", wire.PathAccountSignUp, nil, []byte(`{"accountId":"bob","password":"`+bad+`","device":{}}`))
		if !strings.Contains(e.Message, "UTF-8") {
			t.Fatalf("%q: %s", bad, e.Message)
		}
	}
}
