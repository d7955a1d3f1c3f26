//go:build !js

package relay

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"sambung/relay/internal/httpjson"
	"sambung/relay/store"
	"sambung/wire"
)

// Lookups. A lookup by address answers whether someone has that phone
// number or account ID, which is what an enumerator wants (researchers
// used WhatsApp's contact discovery to list 3.5 billion accounts), so it
// is limited four ways: per person a minute (LookupRate), per person a day
// with an allowance that a fresh account cannot reset (it starts small and
// grows with the account's age and with the people who wrote to it), per
// client address (LookupAddrRate), and a global count of lookups that
// found nobody, which logs when it passes LookupMissAlarm a minute. The
// answer says only that the address exists and what starting a session
// needs: the person id, the address asked for (the person's other
// identities only to someone they have written to), and each device's
// bundle without a one-time prekey.
//
// One-time prekeys are handed out only by GET /v1/people/{id}, the bundle
// fetch that starts sessions, within PreKeyFetchRate per requester and
// PreKeyTargetRate per device; past either the bundle comes without one
// (X3DH runs without it), and a device drained faster than its rate is
// told with an alert frame.

// Allowance is the daily lookup allowance of one person: New, plus PerDay
// for each day since they joined, plus PerWriter for each person who has
// written to them, at most Max.
type Allowance struct {
	New, PerDay, PerWriter, Max int
}

// lookupDay is the window of the daily allowance.
const lookupDay = 24 * time.Hour

// maxAllowances bounds the daily windows kept, as maxBuckets does.
const maxAllowances = 100_000

// allowances counts each person's lookups in their current day.
type allowances struct {
	mu sync.Mutex
	m  map[string]*allowanceDay
}

type allowanceDay struct {
	start         time.Time
	used, allowed int
}

// missCounter counts lookups of addresses nobody has, per minute, for the
// whole relay: an enumeration shows as a flood of misses whatever the
// accounts and addresses it is spread over.
type missCounter struct {
	mu     sync.Mutex
	minute time.Time
	n      int
	logged bool
}

// allowance computes person's daily allowance from their age and writers.
func (s *Server) allowance(ctx context.Context, person string, now time.Time) (int, error) {
	a := s.cfg.LookupAllowance
	p, _, err := s.st.Person(ctx, person)
	if err != nil {
		return 0, err
	}
	n := a.New
	if days := int(now.Sub(time.UnixMilli(p.Created)) / lookupDay); days > 0 {
		n += min(days, a.Max) * a.PerDay
	}
	if a.PerWriter > 0 && n < a.Max {
		w, err := s.st.Writers(ctx, person, (a.Max-n)/a.PerWriter+1)
		if err != nil {
			return 0, err
		}
		n += w * a.PerWriter
	}
	return min(n, a.Max), nil
}

// spendAllowance takes one lookup from person's daily allowance.
func (s *Server) spendAllowance(ctx context.Context, person string) error {
	now := s.cfg.Now()
	l := s.lookupDays
	l.mu.Lock()
	day := l.m[person]
	fresh := day == nil || now.Sub(day.start) >= lookupDay
	l.mu.Unlock()
	if fresh {
		allowed, err := s.allowance(ctx, person, now)
		if err != nil {
			return err
		}
		l.mu.Lock()
		if day = l.m[person]; day == nil || now.Sub(day.start) >= lookupDay {
			if len(l.m) >= maxAllowances {
				for k, d := range l.m {
					if now.Sub(d.start) >= lookupDay {
						delete(l.m, k)
					}
				}
				if len(l.m) >= maxAllowances {
					clear(l.m)
				}
			}
			day = &allowanceDay{start: now, allowed: allowed}
			l.m[person] = day
		}
		l.mu.Unlock()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if day.used >= day.allowed {
		s.metrics.lookupAllowance.Add(1)
		e := wire.ErrorWith(wire.CodeRateLimited, "this account has used its lookups for today; retry after retryAfter seconds")
		e.RetryAfter = retrySeconds(day.start.Add(lookupDay).Sub(now))
		return e
	}
	day.used++
	return nil
}

// miss counts a lookup that found nobody.
func (s *Server) miss() {
	s.metrics.lookupMisses.Add(1)
	now := s.cfg.Now().Truncate(time.Minute)
	m := s.misses
	m.mu.Lock()
	if !m.minute.Equal(now) {
		m.minute, m.n, m.logged = now, 0, false
	}
	m.n++
	alarm := m.n >= s.cfg.LookupMissAlarm && !m.logged
	if alarm {
		m.logged = true
	}
	m.mu.Unlock()
	if alarm {
		s.metrics.lookupAlarms.Add(1)
		s.log.Warn("lookup anomaly: many lookups find nobody; an enumeration?", "misses_this_minute", s.cfg.LookupMissAlarm)
	}
}

// limited is the rate_limited answer after wait.
func limited(wait time.Duration) error {
	e := wire.NewError(wire.CodeRateLimited)
	e.RetryAfter = retrySeconds(wait)
	return e
}

// limitLookup applies the per-person and per-address limits of every
// lookup. They run before the address is even parsed.
func (s *Server) limitLookup(r *http.Request, d device) error {
	if ok, wait := s.lookupAddrLimit.allow(addrKey(r)); !ok {
		return limited(wait)
	}
	if ok, wait := s.lookupLimit.allow(d.person); !ok {
		return limited(wait)
	}
	return nil
}

func (s *Server) handleLookup(w http.ResponseWriter, r *http.Request, d device) error {
	if err := s.limitLookup(r, d); err != nil {
		return err
	}
	addr, err := wire.ParseAddress(r.PathValue("address"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.spendAllowance(ctx, d.person); err != nil {
		return err
	}
	ident, err := s.st.Identity(ctx, addr)
	if errors.Is(err, store.ErrNotFound) {
		s.miss()
		return wire.NewError(wire.CodeUnknownAddress)
	}
	if err != nil {
		return err
	}
	return s.writeLookup(w, ctx, d, ident.Person, []wire.Address{addr}, nil, false)
}

func (s *Server) handlePerson(w http.ResponseWriter, r *http.Request, d device) error {
	if err := s.limitLookup(r, d); err != nil {
		return err
	}
	id := r.PathValue("id")
	if !wire.ValidPersonID(id) {
		return wire.NewError(wire.CodeUnknownPerson)
	}
	devs, err := wire.ParseDeviceList(r.URL.Query().Get("devices"))
	if err != nil {
		return err
	}
	return s.writeLookup(w, r.Context(), d, id, []wire.Address{}, devs, true)
}

// writeLookup answers with a person's bundles, taking one-time prekeys when
// take says so. The identities are known, or, when the person has written
// to the requester (or is the requester), all of theirs.
func (s *Server) writeLookup(w http.ResponseWriter, ctx context.Context, d device, person string, known []wire.Address, devs []uint32, take bool) error {
	p, _, err := s.st.Person(ctx, person)
	if errors.Is(err, store.ErrNotFound) {
		return wire.NewError(wire.CodeUnknownPerson)
	}
	if err != nil {
		return err
	}
	ids := known
	if person == d.person {
		ids = p.Identities
	} else if wrote, err := s.contact.wrote(ctx, person, d.person); err != nil {
		return err
	} else if wrote {
		ids = p.Identities
	}
	drained := map[uint32]bool{} // a set: takeOne runs again on a retry
	takeOne := func(dev uint32) bool {
		if !take || person == d.person {
			return take // one's own devices: no limits
		}
		if ok, _ := s.preKeyTarget.allow(store.MailboxID{Person: person, Device: dev}.String()); !ok {
			drained[dev] = true
			return false
		}
		ok, _ := s.preKeyFetch.allow(d.person)
		return ok
	}
	bundles, err := s.st.TakeBundles(ctx, person, devs, takeOne)
	if errors.Is(err, store.ErrNotFound) {
		return wire.NewError(wire.CodeUnknownPerson)
	}
	if err != nil {
		return err
	}
	out := wire.Lookup{PersonID: person, Identities: ids, Devices: []wire.PreKeyBundle{}}
	for _, b := range bundles {
		out.Devices = append(out.Devices, b.PreKeyBundle)
		if b.Taken && b.Left < wire.PreKeysLow {
			s.hub.keysLow(store.MailboxID{Person: person, Device: b.DeviceID}, b.Left)
		}
	}
	for dev := range drained {
		s.preKeysDrained(store.MailboxID{Person: person, Device: dev})
	}
	return httpjson.Write(w, http.StatusOK, &out)
}

// preKeysDrained alerts a device whose one-time prekeys are being fetched
// faster than PreKeyTargetRate, at most once per the rate's period.
func (s *Server) preKeysDrained(m store.MailboxID) {
	s.metrics.preKeysRefused.Add(1)
	if ok, _ := s.drainAlerts.allow(m.String()); !ok {
		return
	}
	s.log.Warn("one-time prekeys drained", "mailbox", m.String())
	s.hub.send(m, &wire.AlertFrame{Kind: wire.AlertPreKeysDrained, Count: s.cfg.PreKeyTargetRate.Burst})
}
