//go:build !js

package relay

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"sambung/relay/store"
	"sambung/wire"
)

const (
	saltSize = 16 // RFC 9106 recommends 16 bytes of salt
	hashSize = 32 // RFC 9106's recommended tag length
)

// hashPassword hashes pw's NFC form with argon2id under the configured
// costs and a fresh salt. At most cap(argonSem) run at once.
func (s *Server) hashPassword(pw string) store.PasswordHash {
	p := s.cfg.Argon2
	h := store.PasswordHash{Salt: make([]byte, saltSize), Memory: p.Memory, Time: p.Time, Threads: p.Threads}
	rand.Read(h.Salt)
	h.Hash = s.argon([]byte(norm.NFC.String(pw)), &h, hashSize)
	return h
}

// checkPassword recomputes pw's hash with h's own salt and costs. It tries
// pw's NFC form, then, when that differs, pw as it came: a hash made
// before passwords were normalised.
func (s *Server) checkPassword(pw string, h *store.PasswordHash) bool {
	if h == nil || h.Threads == 0 || len(h.Hash) == 0 {
		return false
	}
	nfc := norm.NFC.String(pw)
	n := len(h.Hash)
	if subtle.ConstantTimeCompare(s.argon([]byte(nfc), h, n), h.Hash) == 1 {
		return true
	}
	return nfc != pw && subtle.ConstantTimeCompare(s.argon([]byte(pw), h, n), h.Hash) == 1
}

// argon runs argon2id on pw with h's salt and costs, for a tag of n bytes.
func (s *Server) argon(pw []byte, h *store.PasswordHash, n int) []byte {
	s.argonSem <- struct{}{}
	defer func() { <-s.argonSem }()
	return argon2.IDKey(pw, h.Salt, h.Time, h.Memory, h.Threads, uint32(n))
}

// Password guessing. Sign-ins are limited per address, but an attacker has
// many, so every account also has a throttle of its own, whatever the
// source: PasswordFreeFails wrong passwords in a row cost nothing, each
// further one locks the account's sign-in for PasswordDelay, doubling up
// to PasswordMaxDelay, and from PasswordMaxFails on (NIST SP 800-63B's
// bound of 100 consecutive failures) each locks it for PasswordLockout. An
// attempt is counted before its password is checked, so that parallel
// guesses cannot slip in ahead of the count; a right password clears the
// count. A lock refuses even the right password (else it would tell), but
// never touches devices already signed in: their tokens work as ever, and
// they get an alert frame at PasswordNoticeAt failures and at each
// doubling of it. With the defaults an attacker gets about 126 guesses a
// month at one account (docs/SECURITY.md, "Abuse").

// passwordThrottleTTL keeps an account's failure count a month past the
// last failure.
const passwordThrottleTTL = 30 * 24 * time.Hour

func passwordThrottle(addr wire.Address) string { return "password:" + addr.String() }

// passwordDelay is the lock after the n-th failure in a row.
func (s *Server) passwordDelay(n int) time.Duration {
	c := &s.cfg
	switch {
	case n >= c.PasswordMaxFails:
		return c.PasswordLockout
	case n <= c.PasswordFreeFails:
		return 0
	}
	d := c.PasswordDelay
	for i := c.PasswordFreeFails + 1; i < n && d < c.PasswordMaxDelay; i++ {
		d *= 2
	}
	return min(d, c.PasswordMaxDelay)
}

// chargePassword counts an attempt at addr's password, or refuses it while
// the account is locked. It returns the failures in a row, this attempt
// included.
func (s *Server) chargePassword(ctx context.Context, addr wire.Address) (int, error) {
	now := s.cfg.Now()
	fails := 0
	err := s.st.UpdateThrottle(ctx, passwordThrottle(addr), passwordThrottleTTL, func(t *store.Throttle, _ bool) (bool, bool, error) {
		if until := time.UnixMilli(t.LockedUntil); until.After(now) {
			s.metrics.passwordLocked.Add(1)
			e := wire.ErrorWith(wire.CodeRateLimited, "too many wrong passwords for this account; retry after retryAfter seconds")
			e.RetryAfter = retrySeconds(until.Sub(now))
			return false, false, e
		}
		t.Fails++
		t.LockedUntil = 0
		if d := s.passwordDelay(t.Fails); d > 0 {
			t.LockedUntil = now.Add(d).UnixMilli()
		}
		fails = t.Fails
		return true, false, nil
	})
	return fails, err
}

// passwordRight clears addr's failure count.
func (s *Server) passwordRight(ctx context.Context, addr wire.Address) {
	err := s.st.UpdateThrottle(ctx, passwordThrottle(addr), passwordThrottleTTL, func(*store.Throttle, bool) (bool, bool, error) {
		return false, true, nil
	})
	if err != nil {
		s.log.Warn("clear password throttle", "err", err)
	}
}

// passwordWrong tells person's connected devices when fails reaches
// PasswordNoticeAt, each doubling of it, or PasswordMaxFails.
func (s *Server) passwordWrong(ctx context.Context, person string, fails int) {
	at := s.cfg.PasswordNoticeAt
	for at < fails {
		at *= 2
	}
	if at != fails && fails != s.cfg.PasswordMaxFails {
		return
	}
	s.log.Warn("wrong passwords for an account", "person", person, "fails", fails)
	s.alert(ctx, person, &wire.AlertFrame{Kind: wire.AlertSignInFailures, Count: fails})
}
