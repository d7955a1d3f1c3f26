//go:build !js

package relay

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"sambung/wire"
)

// getFrom does one authenticated GET from source address src and returns
// the coded error, if any.
func (r *testRelay) getFrom(src, path string, token []byte, out any) *wire.Error {
	r.t.Helper()
	return r.callFrom(src, "GET", path, token, nil, out)
}

// enumerate looks up phone numbers as s, the n-th from src(n), until
// refused, and returns how many lookups were answered (found or not) and
// the refusal.
func (r *testRelay) enumerate(src func(n int) string, s wire.Session, from int) (int, *wire.Error) {
	r.t.Helper()
	for n := 0; ; n++ {
		e := r.getFrom(src(n), "/v1/lookup/"+url.PathEscape(fmt.Sprintf("phone:+6289%09d", from+n)), s.Token, nil)
		if e == nil || e.Code == wire.CodeUnknownAddress {
			continue
		}
		if e.Code != wire.CodeRateLimited || e.RetryAfter < 1 {
			r.t.Fatalf("lookup refused with %+v", e)
		}
		return n, e
	}
}

// TestLookupAllowance: ten fresh accounts, each on its own address, look
// up phone numbers. Each stops at the new-account allowance (20 a day):
// more accounts do not buy more lookups per account, and one address
// stops at its own limit (30 at once) however many accounts it uses. The
// allowance grows with age and with people who wrote to the account, and
// the misses raise the global alarm once a minute.
func TestLookupAllowance(t *testing.T) {
	r := startRelay(t, func(c *Config) {
		c.LookupAddrRate = Rate{} // the defaults: the harness lifts only the per-minute person limit
		c.LookupMissAlarm = 150
	})
	r.clock.Freeze()
	var fresh []wire.Session
	for i := range 10 {
		fresh = append(fresh, r.signUpAccount(fmt.Sprint("fresh", i), "fresh password", 0))
	}
	total := 0
	for i, s := range fresh {
		n, e := r.enumerate(func(int) string { return fmt.Sprintf("127.0.9.%d", i+1) }, s, 1000*i)
		if n != 20 || e.RetryAfter != 24*60*60 {
			t.Fatalf("fresh account %d: %d lookups, then %+v; want 20, then a day", i, n, e)
		}
		total += n
	}
	if n := r.metric("sambung_lookup_allowance_refused_total"); n != 10 {
		t.Fatalf("allowance refusals %d", n)
	}
	if n := r.logged("lookup anomaly"); n != 1 {
		t.Fatalf("the anomaly was logged %d times in one minute, want 1", n)
	}

	// One address, ten more fresh accounts: 30 lookups in all.
	sum := 0
	for i := range 10 {
		s := r.signUpAccount(fmt.Sprint("same", i), "fresh password", 0)
		for j := range 3 {
			if e := r.getFrom("127.0.10.1", fmt.Sprintf("/v1/lookup/phone:+6288%04d%04d", i, j), s.Token, nil); e.Code != wire.CodeUnknownAddress {
				t.Fatalf("lookup %d of account %d on one address: %+v", j, i, e)
			}
			sum++
		}
	}
	if e := r.getFrom("127.0.10.1", "/v1/lookup/phone:+628800000000", fresh[5].Token, nil); e.Code != wire.CodeRateLimited {
		t.Fatalf("the 31st lookup from one address: %+v", e)
	}

	// Age and writers grow it: three days later, with two people who wrote
	// to it, an account gets 20 + 3·10 + 2·10.
	old := fresh[0]
	for _, w := range fresh[1:3] {
		r.dial(w).mustSend(old.PersonID, []uint32{1}, nil, "hello", "hello")
	}
	r.clock.Advance(3 * 24 * time.Hour)
	if n, _ := r.enumerate(func(n int) string { return fmt.Sprintf("127.0.11.%d", 1+n/25) }, old, 50000); n != 70 {
		t.Fatalf("after 3 days and 2 writers: %d lookups, want 70", n)
	}
	t.Logf("10 fresh accounts: %d lookups; one address, 10 accounts: %d", total, sum)
}

// TestPreKeysNotDrained: plain lookups never take one-time prekeys (the
// issue's 40 lookups by 4 throwaway accounts emptied a device); bundle
// fetches take them within PreKeyTargetRate per device and
// PreKeyFetchRate per requester, and past that serve bundles without one
// and alert the drained device.
func TestPreKeysNotDrained(t *testing.T) {
	r := startRelay(t)
	victim := r.signUpAccount("victim", "victim password", 30)
	v := r.dial(victim)
	var throwaways []wire.Session
	for i := range 4 {
		throwaways = append(throwaways, r.signUpAccount(fmt.Sprint("throwaway", i), "throwaway password", 0))
	}
	status := func() int {
		var st wire.KeyStatus
		r.mustCall("GET", wire.PathKeys, victim.Token, nil, &st)
		return st.OneTimePreKeys
	}
	for i := range 40 {
		var l wire.Lookup
		r.mustCall("GET", "/v1/lookup/account:victim", throwaways[i%4].Token, nil, &l)
		if len(l.Devices) != 1 || l.Devices[0].OneTimePreKey != nil {
			t.Fatalf("lookup %d: %+v", i, l.Devices)
		}
	}
	if n := status(); n != 30 {
		t.Fatalf("40 lookups left %d one-time prekeys of 30", n)
	}

	// 40 bundle fetches: 20 take a key (the device's burst), the rest get
	// a bundle without one, and the device hears of it once.
	taken := 0
	for i := range 40 {
		var l wire.Lookup
		r.mustCall("GET", "/v1/people/"+victim.PersonID, throwaways[i%4].Token, nil, &l)
		if len(l.Devices) != 1 || len(l.Devices[0].SignedPreKey.Signature) != 64 {
			t.Fatalf("fetch %d: %+v", i, l.Devices)
		}
		if l.Devices[0].OneTimePreKey != nil {
			taken++
		}
	}
	if taken != 20 || status() != 10 {
		t.Fatalf("40 fetches took %d keys, %d left; want 20 and 10", taken, status())
	}
	if a := expect[*wire.AlertFrame](v); a.Kind != wire.AlertPreKeysDrained || a.Count != 20 {
		t.Fatalf("alert %+v", a)
	}
	v.sync() // one alert, not one per fetch

	// Per requester: a fresh relay where one person may take 3 an hour.
	r2 := startRelay(t, func(c *Config) { c.PreKeyFetchRate = Rate{Count: 1, Per: time.Hour, Burst: 3} })
	var targets []wire.Session
	for i := range 2 {
		t1 := r2.signUpAccount(fmt.Sprint("target", i), "target password", 5)
		r2.signInAccount(fmt.Sprint("target", i), "target password", 5)
		targets = append(targets, t1)
	}
	asker := r2.signUpAccount("asker", "asker password", 0)
	got := 0
	for _, tg := range targets {
		var l wire.Lookup
		r2.mustCall("GET", "/v1/people/"+tg.PersonID, asker.Token, nil, &l)
		for _, b := range l.Devices {
			if b.OneTimePreKey != nil {
				got++
			}
		}
	}
	if got != 3 {
		t.Fatalf("one requester took %d one-time prekeys of 4 devices, want 3", got)
	}
}
