//go:build !js

package relay

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"sambung/wire"
)

// postFrom does one unauthenticated POST from source address src and
// returns the coded error, if any.
func (r *testRelay) postFrom(src, path string, body, out any) *wire.Error {
	r.t.Helper()
	b, _ := json.Marshal(body)
	return r.callFrom(src, "POST", path, nil, b, out)
}

// callFrom makes one request from source address src (token nil: none)
// and returns the coded error, if any; out takes a 2xx answer.
func (r *testRelay) callFrom(src, method, path string, token, body []byte, out any) *wire.Error {
	r.t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	c := &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
	defer c.CloseIdleConnections()
	req, _ := http.NewRequest(method, r.hs.URL+path, bytes.NewReader(body))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != nil {
		req.Header.Set("Authorization", "Bearer "+base64.StdEncoding.EncodeToString(token))
	}
	resp, err := c.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var e wire.Error
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Code.Status() != resp.StatusCode {
			r.t.Fatalf("%s: status %d, %v", path, resp.StatusCode, err)
		}
		return &e
	}
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}

func (r *testRelay) logged(prefix string) int {
	r.log.mu.Lock()
	defer r.log.mu.Unlock()
	n := 0
	for _, l := range r.log.lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// TestCodeBudgets: codes to 60 numbers of one country from 60 addresses
// (no per-address limit is near) stop at the country budget's burst of
// 50; another country still gets codes; the global budget stops them all;
// each trip is counted and logged once, not once a request.
func TestCodeBudgets(t *testing.T) {
	r := startRelay(t, func(c *Config) {
		c.AuthRate = Rate{} // the default per-address limit: 60 addresses stay far below it
		c.CodeBudget = Rate{Count: 1000, Per: time.Hour, Burst: 70}
	})
	sent, refused := 0, 0
	for i := range 60 {
		phone := fmt.Sprintf("+628120000%04d", i)
		switch e := r.postFrom(fmt.Sprintf("127.0.3.%d", i+1), wire.PathPhoneCode, wire.PhoneCodeRequest{Phone: phone}, nil); {
		case e == nil:
			sent++
		case e.Code == wire.CodeCodeThrottled && e.RetryAfter > 0:
			refused++
		default:
			t.Fatalf("%s: %+v", phone, e)
		}
	}
	if sent != 50 || refused != 10 {
		t.Fatalf("+62: %d codes sent, %d refused; want the country burst, 50, and 10", sent, refused)
	}
	// Other countries have budgets of their own, until the global one
	// (70 here) is spent.
	for i := range 25 {
		e := r.postFrom(fmt.Sprintf("127.0.4.%d", i+1), wire.PathPhoneCode, wire.PhoneCodeRequest{Phone: fmt.Sprintf("+4420700%05d", i)}, nil)
		if (i < 20) != (e == nil) {
			t.Fatalf("+44 code %d: %+v", i, e)
		}
	}
	r.wantMetrics(map[string]int64{
		`sambung_code_budget_refused_total{budget="country"}`: 10,
		`sambung_code_budget_refused_total{budget="global"}`:  5,
		"sambung_codes_sent_total":                            70,
	})
	if n := r.logged("code budget exhausted budget=country country=+62"); n != 1 {
		t.Errorf("the country budget logged %d lines, want 1", n)
	}
	if n := r.logged("code budget exhausted budget=global"); n != 1 {
		t.Errorf("the global budget logged %d lines, want 1", n)
	}
}

// TestCountryCode checks the calling codes budgets are kept by.
func TestCountryCode(t *testing.T) {
	for phone, want := range map[string]string{
		"+6281234567890": "62", "+12025550123": "1", "+79161234567": "7", "+442071234567": "44",
		"+8801712345678": "880", "+35312345678": "353", "+97150123456": "971", "+861012345678": "86",
	} {
		if got := countryCode(phone); got != want {
			t.Errorf("%s: %s, want %s", phone, got, want)
		}
	}
}

// TestCodeCheck: the operator's hook sees the request and may refuse it,
// with its own coded error or code_refused; refused requests send nothing
// and spend no budget.
func TestCodeCheck(t *testing.T) {
	var seen []CodeCheckRequest
	r := startRelay(t, func(c *Config) {
		c.CodeCheck = func(_ context.Context, req CodeCheckRequest) error {
			seen = append(seen, req)
			switch req.Proof {
			case "captcha ok":
				return nil
			case "":
				return wire.ErrorWith(wire.CodeCodeRefused, "solve the captcha first")
			}
			return errors.New("fraud score too high")
		}
	})
	phone := "+6281234567890"
	if e := r.postFrom("127.0.0.1", wire.PathPhoneCode, wire.PhoneCodeRequest{Phone: phone}, nil); e == nil || e.Message != "solve the captcha first" {
		t.Fatalf("no proof: %+v", e)
	}
	if e := r.postFrom("127.0.0.1", wire.PathPhoneCode, wire.PhoneCodeRequest{Phone: phone, Proof: "bot"}, nil); e == nil || e.Code != wire.CodeCodeRefused || e.Message != wire.CodeCodeRefused.Message() {
		t.Fatalf("a refusal that is not a wire error: %+v", e)
	}
	if n := r.metric("sambung_codes_sent_total"); n != 0 {
		t.Fatalf("%d codes sent for refused requests", n)
	}
	if e := r.postFrom("127.0.0.1", wire.PathPhoneCode, wire.PhoneCodeRequest{Phone: "+62 812 3456 7890", Proof: "captcha ok"}, nil); e != nil {
		t.Fatal(e)
	}
	r.log.code(t, phone)
	want := CodeCheckRequest{Phone: phone, Country: "62", Addr: "127.0.0.1", Proof: "captcha ok"}
	if len(seen) != 3 || seen[2] != want {
		t.Fatalf("the hook saw %+v", seen)
	}
}

// TestCodeGuessing: an attacker guesses one number's codes for 30 days,
// asking for a new code whenever the relay allows one, from any number of
// addresses. The wrong tries stop at 10 in the first day (the daily cap,
// across codes), the lockouts grow, the right code is refused while the
// number is locked, and the month's total stays at 300: odds of 0.03%
// against a six-digit code.
func TestCodeGuessing(t *testing.T) {
	r := startRelay(t)
	r.clock.Freeze()
	phone := "+6281234567890"
	start := r.clock.Now()
	var locks []int
	firstDay := int64(-1)
	for r.clock.Now().Sub(start) < 30*24*time.Hour {
		if firstDay < 0 && r.clock.Now().Sub(start) >= 24*time.Hour {
			firstDay = r.metric("sambung_code_wrong_total")
		}
		if e := r.postFrom("127.0.0.1", wire.PathPhoneCode, wire.PhoneCodeRequest{Phone: phone}, nil); e != nil {
			if e.RetryAfter < 1 {
				t.Fatalf("%+v without retryAfter", e)
			}
			r.clock.Advance(time.Duration(e.RetryAfter) * time.Second)
			continue
		}
		code := r.log.code(t, phone)
		guess := "000000"
		if guess == code {
			guess = "111111"
		}
		for {
			e := r.postFrom("127.0.0.1", wire.PathPhoneVerify, wire.PhoneVerifyRequest{Phone: phone, Code: guess, Device: keys(t, 0)}, nil)
			if e == nil {
				t.Fatal("a wrong code signed in")
			}
			if e.Code == wire.CodeWrongCode {
				continue
			}
			if e.Code != wire.CodeCodeTries && e.Code != wire.CodeCodeLocked {
				t.Fatalf("guess answered %+v", e)
			}
			locks = append(locks, e.RetryAfter)
			// Locked: even the right code is refused now.
			if e := r.postFrom("127.0.0.1", wire.PathPhoneVerify, wire.PhoneVerifyRequest{Phone: phone, Code: code, Device: keys(t, 0)}, nil); e == nil ||
				(e.Code != wire.CodeCodeTries && e.Code != wire.CodeCodeLocked) {
				t.Fatalf("the right code while locked: %+v", e)
			}
			break
		}
	}
	month := r.metric("sambung_code_wrong_total")
	t.Logf("wrong codes tried: %d in the first day, %d in 30 days; lockouts (s): %v", firstDay, month, locks[:min(len(locks), 6)])
	if firstDay != 10 {
		t.Errorf("%d wrong codes in the first day, want the cap, 10", firstDay)
	}
	if month > 300 {
		t.Errorf("%d wrong codes in 30 days, want at most 300", month)
	}
	if len(locks) < 4 || locks[0] != 15*60 || locks[2] <= locks[0] {
		t.Errorf("lockouts %v: want 15 minutes first, growing", locks)
	}

	// The real owner, after the lock, gets a code and signs in.
	r.clock.Advance(24 * time.Hour)
	r.signUpPhone(phone, 0)
}
