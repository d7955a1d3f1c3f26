//go:build !js

package relay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"time"

	"sambung/relay/store"
	"sambung/wire"
)

// CodeSender delivers a one-time code to a phone.
type CodeSender interface {
	SendCode(ctx context.Context, phone, code string) error
}

// LogSender is the development sender: it writes the code to the log. It
// is the only place the relay ever logs a secret.
type LogSender struct{ Logger *slog.Logger }

// SendCode logs "otp phone=... code=...".
func (l LogSender) SendCode(ctx context.Context, phone, code string) error {
	l.Logger.InfoContext(ctx, "otp", "phone", phone, "code", code)
	return nil
}

// webhookTimeout bounds one webhook call: an SMS gateway that has not
// answered in 10 s will not, and the user is waiting.
const webhookTimeout = 10 * time.Second

// WebhookSender POSTs {"phone": ..., "code": ...} to URL, which is how an
// SMS gateway is wired in. Any status but 2xx is a failure.
type WebhookSender struct {
	URL    string
	Client *http.Client // nil means one with webhookTimeout
}

// SendCode posts the code.
func (wh WebhookSender) SendCode(ctx context.Context, phone, code string) error {
	body, _ := json.Marshal(struct {
		Phone string `json:"phone"`
		Code  string `json:"code"`
	}{phone, code})
	ctx, cancel := context.WithTimeout(ctx, webhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, wh.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	c := wh.Client
	if c == nil {
		c = &http.Client{Timeout: webhookTimeout}
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("relay: code webhook answered %s", resp.Status)
	}
	return nil
}

// Per-number limits, across codes: a number gets at most CodeDailyCap codes
// and CodeGuessCap wrong tries in a 24-hour window, codes come at least
// CodeResend apart and that wait doubles with each code of the window (up
// to CodeResendMax), and when a code's tries are spent the number is
// locked for CodeLockout, doubling with every lockout. The record holding
// these counts outlives its code by codeRecordTTL; a right code forgives
// the wrong ones. With the defaults a number takes at most 10 wrong codes a day: 300
// in 30 days against a one-in-a-million code, odds of 0.03% that an
// attacker with any number of addresses takes it over in a month
// (docs/SECURITY.md, "Abuse").

const (
	// codeDay is the window the per-number counts run in.
	codeDay = 24 * time.Hour
	// codeRecordTTL keeps a number's counts two days past its last use,
	// so that a lockout and the day's counts outlive any code.
	codeRecordTTL = 2 * codeDay
	// maxCodeLockout bounds a growing lockout.
	maxCodeLockout = codeDay
)

// codeMAC is what the store keeps of a code: HMAC-SHA256 under the relay's
// secret, bound to the phone.
func (s *Server) codeMAC(phone, code string) []byte {
	m := hmac.New(sha256.New, s.otpKey)
	m.Write([]byte(phone))
	m.Write([]byte{0})
	m.Write([]byte(code))
	return m.Sum(nil)
}

// newCode draws CodeDigits uniform decimal digits from crypto/rand.
func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return fmt.Sprintf("%0*d", wire.CodeDigits, n.Int64())
}

// window starts a new 24-hour window of rec's counts when the last one is
// over.
func window(rec *store.CodeRecord, now time.Time) {
	if rec.Day == 0 || now.Sub(time.UnixMilli(rec.Day)) >= codeDay {
		rec.Day, rec.Sent, rec.Fails = now.UnixMilli(), 0, 0
	}
}

// resendWait is how long after the n-th code of a window the next may be
// sent: CodeResend, doubling with each code, at most CodeResendMax.
func (s *Server) resendWait(n int) time.Duration {
	d := s.cfg.CodeResend
	for i := 1; i < n && d < s.cfg.CodeResendMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.CodeResendMax)
}

// codeLocked is the answer while a number is locked until until.
func (s *Server) codeLocked(until, now time.Time) error {
	s.metrics.codeLocked.Add(1)
	e := wire.NewError(wire.CodeCodeLocked)
	e.RetryAfter = retrySeconds(until.Sub(now))
	return e
}

// issueCode makes, stores and sends a new code for req.Phone, unless the
// operator's check, the number's limits or a code budget refuse it. It
// returns how long until the next code may be asked for.
func (s *Server) issueCode(ctx context.Context, req CodeCheckRequest) (time.Duration, error) {
	if err := s.runCodeCheck(ctx, req); err != nil {
		return 0, err
	}
	phone := req.Phone
	code := newCode()
	mac := s.codeMAC(phone, code)
	now := s.cfg.Now()
	var before store.CodeRecord
	var next time.Duration
	err := s.st.UpdateCode(ctx, phone, codeRecordTTL, func(rec *store.CodeRecord, found bool) (bool, bool, error) {
		window(rec, now)
		if until := time.UnixMilli(rec.LockedUntil); until.After(now) {
			return false, false, s.codeLocked(until, now)
		}
		if rec.Sent >= s.cfg.CodeDailyCap {
			return false, false, s.codeLocked(time.UnixMilli(rec.Day).Add(codeDay), now)
		}
		if rec.Sent > 0 {
			if wait := time.UnixMilli(rec.SentAt).Add(s.resendWait(rec.Sent)).Sub(now); wait > 0 {
				e := wire.NewError(wire.CodeCodeThrottled)
				e.RetryAfter = retrySeconds(wait)
				return false, false, e
			}
		}
		if err := s.codeBudget.spend(req.Country); err != nil {
			return false, false, err
		}
		before = *rec
		rec.MAC, rec.Expires, rec.SentAt, rec.Tries = mac, now.Add(s.cfg.CodeTTL).UnixMilli(), now.UnixMilli(), 0
		rec.Sent++
		next = s.resendWait(rec.Sent)
		return true, false, nil
	})
	if err != nil {
		return 0, err
	}
	if err := s.cfg.CodeSender.SendCode(ctx, phone, code); err != nil {
		s.log.Warn("code sender failed", "phone", phone, "err", err)
		// Take the unsent code back so the user is not throttled for
		// nothing, unless another has replaced it meanwhile.
		s.st.UpdateCode(ctx, phone, codeRecordTTL, func(rec *store.CodeRecord, found bool) (bool, bool, error) {
			if !found || !hmac.Equal(rec.MAC, mac) {
				return false, false, nil
			}
			*rec = before
			return true, false, nil
		})
		return 0, wire.NewError(wire.CodeCodeSendFailed)
	}
	s.metrics.codesSent.Add(1)
	return next, nil
}

// checkCode spends a try of phone's code. The right code is used up and
// forgives the number's wrong tries; a wrong one counts against the code
// (CodeTries) and against the number (CodeGuessCap a day), and spending
// either locks the number, for a growing time or until the day is over.
func (s *Server) checkCode(ctx context.Context, phone, code string) error {
	now := s.cfg.Now()
	return s.st.UpdateCode(ctx, phone, codeRecordTTL, func(rec *store.CodeRecord, found bool) (bool, bool, error) {
		if !found {
			return false, false, wire.NewError(wire.CodeNoCode)
		}
		window(rec, now)
		switch until := time.UnixMilli(rec.LockedUntil); {
		case rec.MAC != nil && rec.Tries >= s.cfg.CodeTries:
			return false, false, wire.NewError(wire.CodeCodeTries)
		case until.After(now):
			return false, false, s.codeLocked(until, now)
		case rec.MAC == nil:
			return false, false, wire.NewError(wire.CodeNoCode)
		case now.UnixMilli() >= rec.Expires:
			return false, false, wire.NewError(wire.CodeCodeExpired)
		}
		if hmac.Equal(s.codeMAC(phone, code), rec.MAC) {
			// Used up, and the guesses forgiven. The day's codes still
			// count: whoever holds the phone (an SMS pumper with numbers
			// of its own) must not reset its code cap by verifying.
			rec.MAC, rec.Tries, rec.Fails, rec.Lockouts, rec.LockedUntil = nil, 0, 0, 0, 0
			return true, false, nil
		}
		rec.Tries++
		rec.Fails++
		s.metrics.codeWrong.Add(1)
		if rec.Fails >= s.cfg.CodeGuessCap {
			// The day's guesses are spent: no code works until it ends.
			rec.MAC = nil
			rec.Lockouts++
			until := time.UnixMilli(rec.Day).Add(codeDay)
			rec.LockedUntil = until.UnixMilli()
			s.log.Warn("phone locked: wrong codes", "country", countryCode(phone), "fails", rec.Fails)
			return true, false, s.codeLocked(until, now)
		}
		if rec.Tries >= s.cfg.CodeTries {
			lock := s.cfg.CodeLockout
			for i := 0; i < rec.Lockouts && lock < maxCodeLockout; i++ {
				lock *= 2
			}
			rec.Lockouts++
			rec.LockedUntil = now.Add(min(lock, maxCodeLockout)).UnixMilli()
			e := wire.NewError(wire.CodeCodeTries)
			e.RetryAfter = retrySeconds(min(lock, maxCodeLockout))
			return true, false, e
		}
		return true, false, wire.NewError(wire.CodeWrongCode)
	})
}
