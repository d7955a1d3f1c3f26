// Package storagetest checks that an implementation of client.Storage
// behaves as the client relies on: ordered scans with prefixes, exclusive
// start bounds, limits, reverse order, atomic batches and values that are
// copies. MemoryStorage, native.FileStorage and the browser's IndexedDB
// storage all run it.
package storagetest

import (
	"context"
	"slices"
	"testing"

	"sambung/client"
)

// Run checks s, which must be empty.
func Run(t *testing.T, s client.Storage) {
	t.Helper()
	ctx := context.Background()
	var puts []client.KV
	for _, k := range []string{"a/1", "a/2", "a/3", "ab", "b/1", "msg/x/1", "msg/x/2", "msg/y/1"} {
		puts = append(puts, client.KV{Key: k, Value: []byte("v" + k)})
	}
	if err := s.Apply(ctx, puts, nil); err != nil {
		t.Fatal(err)
	}
	keys := func(kvs []client.KV) []string {
		out := []string{}
		for _, kv := range kvs {
			out = append(out, kv.Key)
		}
		return out
	}
	if bg, ok := s.(client.BatchGetter); ok {
		want := []string{"a/2", "nope", "msg/y/1", "a/2"}
		vals, oks, err := bg.GetMany(ctx, want)
		if err != nil {
			t.Fatal(err)
		}
		if len(vals) != len(want) || len(oks) != len(want) {
			t.Fatalf("GetMany(%v) answered %d values and %d flags", want, len(vals), len(oks))
		}
		for i, k := range want {
			v, ok, err := s.Get(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			if oks[i] != ok || string(vals[i]) != string(v) {
				t.Errorf("GetMany(%q) = %q, %v; Get = %q, %v", k, vals[i], oks[i], v, ok)
			}
		}
	}
	cases := []struct {
		prefix, start string
		limit         int
		reverse       bool
		want          []string
	}{
		{"a/", "", 0, false, []string{"a/1", "a/2", "a/3"}},
		{"a/", "", 2, false, []string{"a/1", "a/2"}},
		{"a/", "a/1", 0, false, []string{"a/2", "a/3"}},
		{"a/", "", 0, true, []string{"a/3", "a/2", "a/1"}},
		{"a/", "a/3", 1, true, []string{"a/2"}},
		{"a/", "a/0", 0, true, []string{}},
		{"a/", "zzz", 0, true, []string{"a/3", "a/2", "a/1"}},
		{"a/", "0", 0, false, []string{"a/1", "a/2", "a/3"}},
		{"msg/x/", "msg/x/2", 10, true, []string{"msg/x/1"}},
		{"", "", 0, false, []string{"a/1", "a/2", "a/3", "ab", "b/1", "msg/x/1", "msg/x/2", "msg/y/1"}},
		{"c", "", 0, false, []string{}},
		{"c", "", 0, true, []string{}},
	}
	for _, c := range cases {
		got, err := s.Scan(ctx, c.prefix, c.start, c.limit, c.reverse)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys(got), c.want) {
			t.Errorf("Scan(%q, %q, %d, %v) = %v, want %v", c.prefix, c.start, c.limit, c.reverse, keys(got), c.want)
		}
	}
	if err := s.Apply(ctx, []client.KV{{Key: "a/2", Value: []byte("new")}, {Key: "c"}}, []string{"a/1", "missing", "ab"}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Scan(ctx, "a", "", 0, false)
	if want := []string{"a/2", "a/3"}; !slices.Equal(keys(got), want) {
		t.Fatalf("after apply: %v", keys(got))
	}
	if v, ok, _ := s.Get(ctx, "a/2"); !ok || string(v) != "new" {
		t.Fatalf("a/2 = %q %v", v, ok)
	}
	if v, ok, _ := s.Get(ctx, "c"); !ok || len(v) != 0 {
		t.Fatalf("empty value: %q %v", v, ok)
	}
	if _, ok, _ := s.Get(ctx, "a/1"); ok {
		t.Fatal("deleted key still there")
	}
	// Values are copies: changing what was passed or returned changes
	// nothing stored.
	buf := []byte("abc")
	s.Apply(ctx, []client.KV{{Key: "k", Value: buf}}, nil)
	buf[0] = 'X'
	v, _, _ := s.Get(ctx, "k")
	v[1] = 'Y'
	if v2, _, _ := s.Get(ctx, "k"); string(v2) != "abc" {
		t.Fatalf("stored value aliased: %q", v2)
	}
}
