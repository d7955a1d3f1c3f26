//go:build !js

package relay

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"sambung/wire"
)

// Code sending costs the operator money with a real SMS gateway, and SMS
// pumping fraud turns that into someone else's income: requests for codes
// to numbers the fraudster is paid for. The per-address limit does not
// stop an attacker with many addresses, so every code also spends from a
// global budget and from its country calling code's budget. A tripped
// budget refuses with code_throttled, counts in /metrics and logs a line
// (at most one a minute per budget). An operator can add a check of their
// own (a captcha, a fraud service) as Config.CodeCheck.

// CodeCheck decides, before the relay sends a code, whether it may. It is
// where an operator plugs in a captcha or a fraud-scoring service; nil (the
// default) sends without a check. An error refuses the request: a
// *wire.Error is the answer as it is, any other error becomes code_refused.
// It runs after the per-address limit and before the relay's own per-number
// and budget checks, on the request's goroutine.
type CodeCheck func(ctx context.Context, req CodeCheckRequest) error

// CodeCheckRequest is what a CodeCheck knows of a code request.
type CodeCheckRequest struct {
	Phone   string // E.164, normalised
	Country string // the calling code, e.g. "62"
	Addr    string // the client's address: IPv4, or IPv6 /64
	Proof   string // wire.PhoneCodeRequest.Proof, as the client sent it
}

// budgetLogEvery bounds the log lines of one tripped budget.
const budgetLogEvery = time.Minute

// codeBudgets are the global and per-country token buckets.
type codeBudgets struct {
	global  *limiter
	country *limiter
	now     func() time.Time
	log     logFunc
	metrics *metrics

	mu     sync.Mutex
	logged map[string]time.Time
}

type logFunc func(msg string, args ...any)

func newCodeBudgets(global, country Rate, now func() time.Time, log logFunc, m *metrics) *codeBudgets {
	return &codeBudgets{
		global: newLimiter(global, now), country: newLimiter(country, now),
		now: now, log: log, metrics: m, logged: make(map[string]time.Time),
	}
}

// spend takes one code from the global budget and from cc's. Either one
// empty refuses; a country refused does not spend the global budget.
func (b *codeBudgets) spend(cc string) error {
	if ok, wait := b.country.allow(cc); !ok {
		b.metrics.codeBudgetCountry.Add(1)
		return b.tripped("country", "+"+cc, wait)
	}
	if ok, wait := b.global.allow(""); !ok {
		b.metrics.codeBudgetGlobal.Add(1)
		return b.tripped("global", "", wait)
	}
	return nil
}

func (b *codeBudgets) tripped(kind, cc string, wait time.Duration) error {
	now := b.now()
	b.mu.Lock()
	key := kind + cc
	if now.Sub(b.logged[key]) >= budgetLogEvery {
		b.logged[key] = now
		b.mu.Unlock()
		b.log("code budget exhausted", "budget", kind, "country", cc, "retry_in", wait.Round(time.Second).String())
	} else {
		b.mu.Unlock()
	}
	e := wire.ErrorWith(wire.CodeCodeThrottled, "the relay is sending too many codes now; retry after retryAfter seconds")
	e.RetryAfter = retrySeconds(wait)
	return e
}

// runCodeCheck runs the operator's CodeCheck, if any.
func (s *Server) runCodeCheck(ctx context.Context, req CodeCheckRequest) error {
	if s.cfg.CodeCheck == nil {
		return nil
	}
	err := s.cfg.CodeCheck(ctx, req)
	if err == nil {
		return nil
	}
	s.metrics.codeRefused.Add(1)
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	s.log.Info("code check refused", "country", req.Country, "err", err)
	return wire.NewError(wire.CodeCodeRefused)
}

// countryCode is the ITU-T E.164 country calling code of a normalised
// number: +1 and +7 are one digit; the two-digit codes are listed; every
// other number starts with a three-digit code (including the shared and
// international ones such as +800 and +882, which form budgets of their
// own).
func countryCode(phone string) string {
	d := strings.TrimPrefix(phone, "+")
	if len(d) < 3 {
		return d
	}
	if d[0] == '1' || d[0] == '7' {
		return d[:1]
	}
	if strings.Contains(twoDigitCodes, " "+d[:2]+" ") {
		return d[:2]
	}
	return d[:3]
}

// twoDigitCodes are the assigned two-digit country calling codes.
const twoDigitCodes = " 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 " +
	"60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 "
