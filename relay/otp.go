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

// codeGrace keeps an expired code's record an hour past its expiry, so a
// late try is told code_expired rather than no_code.
const codeGrace = time.Hour

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

// issueCode makes, stores and sends a new code for phone, unless one was
// sent less than CodeResend ago.
func (s *Server) issueCode(ctx context.Context, phone string) error {
	code := newCode()
	now := s.cfg.Now()
	err := s.st.UpdateCode(ctx, phone, s.cfg.CodeTTL+codeGrace, func(rec *store.CodeRecord, found bool) (bool, bool, error) {
		if found {
			if wait := time.UnixMilli(rec.SentAt).Add(s.cfg.CodeResend).Sub(now); wait > 0 {
				e := wire.NewError(wire.CodeCodeThrottled)
				e.RetryAfter = retrySeconds(wait)
				return false, false, e
			}
		}
		*rec = store.CodeRecord{
			MAC:     s.codeMAC(phone, code),
			Expires: now.Add(s.cfg.CodeTTL).UnixMilli(),
			SentAt:  now.UnixMilli(),
		}
		return true, false, nil
	})
	if err != nil {
		return err
	}
	if err := s.cfg.CodeSender.SendCode(ctx, phone, code); err != nil {
		s.log.Warn("code sender failed", "phone", phone, "err", err)
		// Drop the unsent code so the user is not throttled for nothing.
		s.st.UpdateCode(ctx, phone, time.Minute, func(*store.CodeRecord, bool) (bool, bool, error) { return false, true, nil })
		return wire.NewError(wire.CodeCodeSendFailed)
	}
	return nil
}

// checkCode spends a try of phone's code. The right code is used up; a
// wrong one counts, and from the CodeTries-th wrong try on every try fails
// with code_tries.
func (s *Server) checkCode(ctx context.Context, phone, code string) error {
	now := s.cfg.Now()
	return s.st.UpdateCode(ctx, phone, s.cfg.CodeTTL+codeGrace, func(rec *store.CodeRecord, found bool) (bool, bool, error) {
		switch {
		case !found:
			return false, false, wire.NewError(wire.CodeNoCode)
		case now.UnixMilli() >= rec.Expires:
			return false, false, wire.NewError(wire.CodeCodeExpired)
		case rec.Tries >= s.cfg.CodeTries:
			return false, false, wire.NewError(wire.CodeCodeTries)
		}
		if hmac.Equal(s.codeMAC(phone, code), rec.MAC) {
			return false, true, nil
		}
		rec.Tries++
		if rec.Tries >= s.cfg.CodeTries {
			return true, false, wire.NewError(wire.CodeCodeTries)
		}
		return true, false, wire.NewError(wire.CodeWrongCode)
	})
}
