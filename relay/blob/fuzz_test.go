//go:build !js

package blob

import (
	"encoding/json"
	"strconv"
	"testing"
)

// FuzzParseOffset: never panics; accepts exactly the canonical decimal
// int64s, which strconv agrees on.
func FuzzParseOffset(f *testing.F) {
	for _, s := range []string{"0", "1", "10", "00", "01", "-1", "+1", " 1", "1 ", "9223372036854775807",
		"9223372036854775808", "99999999999999999999", "", "1e3", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseOffset(s)
		if err != nil {
			return
		}
		if n < 0 || strconv.FormatInt(n, 10) != s {
			t.Fatalf("%q parsed as %d", s, n)
		}
	})
}

// FuzzParseRanges: never panics; every range it returns lies inside the
// blob, first <= last.
func FuzzParseRanges(f *testing.F) {
	for _, s := range []string{"bytes=0-0", "bytes=10-19", "bytes=990-", "bytes=-10", "bytes=995-2000",
		"bytes=-5000", "bytes=0-9,500-509,-3", "bytes=1000-", "bytes=-0", "bytes=5-1", "bytes=abc",
		"items=0-1", "bytes=1-2,3", "bytes=", "bytes=-", "=", "bytes=0-,0-,0-,0-,0-,0-,0-,0-,0-,0-,0-,0-,0-,0-,0-,0-,0-"} {
		f.Add(s, int64(1000))
	}
	f.Add("bytes=0-", int64(1))
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 1 {
			size = 1
		}
		rs, err := parseRanges(h, size)
		if err != nil {
			if len(rs) != 0 {
				t.Fatal("ranges with an error")
			}
			return
		}
		if len(rs) == 0 || len(rs) > maxRanges {
			t.Fatalf("%d ranges", len(rs))
		}
		for _, r := range rs {
			if r.first < 0 || r.first > r.last || r.last >= size {
				t.Fatalf("%q size %d: range %+v", h, size, r)
			}
		}
	})
}

// FuzzValidID: an id that passes is a safe file name that round-trips
// through hex, and nothing else passes.
func FuzzValidID(f *testing.F) {
	for _, s := range []string{newID(), "00000000000000000000000000000000", "../../../../../../../etc/passwd",
		"0000000000000000000000000000000A", "000000000000000000000000000000.0", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !validID(s) {
			return
		}
		if len(s) != idLen {
			t.Fatalf("%q passed", s)
		}
		for _, c := range s {
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				t.Fatalf("%q passed", s)
			}
		}
	})
}

// FuzzDecodeMeta: a record that decodes is consistent and re-encodes to
// a record that decodes to the same.
func FuzzDecodeMeta(f *testing.F) {
	for _, m := range []meta{
		{Person: "alice", Device: 1, Size: 10, Offset: 4, Created: 1, Updated: 2},
		{Person: "bob", Device: 2, Size: 5, Offset: 5, Created: 1, Updated: 2, Completed: 2, Expires: 3},
	} {
		b, _ := json.Marshal(m)
		f.Add(b)
	}
	f.Add([]byte(`{"person":"x","size":1,"offset":2}`))
	f.Add([]byte(`{"person":"x","size":1,"offset":1}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMeta(b)
		if err != nil {
			return
		}
		if m.Size < 1 || m.Offset < 0 || m.Offset > m.Size || m.complete() != (m.Offset == m.Size) {
			t.Fatalf("inconsistent record %+v", m)
		}
		again, _ := json.Marshal(m)
		m2, err := decodeMeta(again)
		if err != nil || m2 != m {
			t.Fatalf("round trip: %+v -> %+v (%v)", m, m2, err)
		}
	})
}
