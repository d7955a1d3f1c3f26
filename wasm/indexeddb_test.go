//go:build js && wasm

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"syscall/js"
	"testing"

	"sambung/client"
)

// openTestDB opens a fresh database for one test and deletes it after.
func openTestDB(t *testing.T) (*idbStorage, string) {
	t.Helper()
	inBrowser(t)
	ctx := testContext(t)
	name := "sambung-test-" + t.Name() + "-" + strconv.FormatUint(rand.Uint64(), 36)
	st, err := openIDB(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.close()
		req := js.Global().Get("indexedDB").Call("deleteDatabase", name)
		if _, err := awaitRequest(context.Background(), req); err != nil {
			t.Errorf("deleting %s: %v", name, err)
		}
	})
	return st, name
}

// TestStorageMatchesMemory applies the same random batches to IndexedDB
// and to client.MemoryStorage, the reference, and checks that every Get
// and Scan agrees, including starts outside the prefix, limits and
// reverse order.
func TestStorageMatchesMemory(t *testing.T) {
	st, _ := openTestDB(t)
	ctx := testContext(t)
	ref := client.NewMemoryStorage()
	rng := rand.New(rand.NewPCG(1, 2))

	prefixes := []string{"", "msg/", "msg/a/", "msg/b/", "outbox/", "session/", "m", "msg/a/0"}
	key := func() string {
		p := []string{"msg/a/", "msg/b/", "msg/", "outbox/", "session/", "z", "msg0"}[rng.IntN(7)]
		return p + fmt.Sprintf("%04d", rng.IntN(60))
	}
	for round := range 8 {
		var puts []client.KV
		var dels []string
		for range rng.IntN(20) + 1 {
			puts = append(puts, client.KV{Key: key(), Value: []byte(fmt.Sprintf("v%d-%d", round, rng.IntN(1000)))})
		}
		for range rng.IntN(6) {
			dels = append(dels, key())
		}
		if round == 3 {
			puts = append(puts, client.KV{Key: "empty", Value: []byte{}})
		}
		if err := st.Apply(ctx, puts, dels); err != nil {
			t.Fatal(err)
		}
		if err := ref.Apply(ctx, puts, dels); err != nil {
			t.Fatal(err)
		}

		for range 10 {
			k := key()
			got, gotOK, err := st.Get(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			want, wantOK, _ := ref.Get(ctx, k)
			if gotOK != wantOK || !bytes.Equal(got, want) {
				t.Fatalf("round %d Get(%q) = %q %v, want %q %v", round, k, got, gotOK, want, wantOK)
			}
		}
		for _, prefix := range prefixes {
			starts := []string{"", prefix, prefix + "0030", key(), "a", "zz", prefix + "\xef\xbf\xbf"}
			for _, start := range starts {
				for _, limit := range []int{0, 1, 3} {
					for _, reverse := range []bool{false, true} {
						got, err := st.Scan(ctx, prefix, start, limit, reverse)
						if err != nil {
							t.Fatal(err)
						}
						want, _ := ref.Scan(ctx, prefix, start, limit, reverse)
						if !equalKVs(got, want) {
							t.Fatalf("round %d Scan(%q, %q, %d, %v):\n got %s\nwant %s",
								round, prefix, start, limit, reverse, keysOf(got), keysOf(want))
						}
					}
				}
			}
		}
	}
}

func equalKVs(a, b []client.KV) bool {
	return slices.EqualFunc(a, b, func(x, y client.KV) bool {
		return x.Key == y.Key && bytes.Equal(x.Value, y.Value)
	})
}

func keysOf(kvs []client.KV) []string {
	out := make([]string, len(kvs))
	for i, kv := range kvs {
		out[i] = kv.Key
	}
	return out
}

// TestStoragePrefixEnd checks the scan bound on prefixes whose last
// character cannot simply be raised in UTF-8 terms: IndexedDB orders by
// UTF-16 code units.
func TestStoragePrefixEnd(t *testing.T) {
	st, _ := openTestDB(t)
	ctx := testContext(t)
	keys := []string{"a\uffff", "a\uffffb", "a\U00010000", "a\u00ff", "b", "a\uffff\uffff", "a\ud7ffx", "a\ue000"}
	var puts []client.KV
	for _, k := range keys {
		puts = append(puts, client.KV{Key: k, Value: []byte(k)})
	}
	if err := st.Apply(ctx, puts, nil); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"a\uffff", []string{"a\uffff", "a\uffffb", "a\uffff\uffff"}},
		{"a\ud7ff", []string{"a\ud7ffx"}},
		{"a\U00010000", []string{"a\U00010000"}},
		{"b", []string{"b"}},
	} {
		got, err := st.Scan(ctx, tc.prefix, "", 0, false)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keysOf(got), tc.want) {
			t.Errorf("Scan(%q) = %q, want %q", tc.prefix, keysOf(got), tc.want)
		}
	}
}

// TestStorageSurvivesReopen: what Apply wrote is there for the next core,
// as after a reload.
func TestStorageSurvivesReopen(t *testing.T) {
	st, name := openTestDB(t)
	ctx := testContext(t)
	if err := st.Apply(ctx, []client.KV{{Key: "identity", Value: []byte{1, 2, 3}}}, nil); err != nil {
		t.Fatal(err)
	}
	st.close()
	again, err := openIDB(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	st.db = again.db // the cleanup closes this one
	v, ok, err := again.Get(ctx, "identity")
	if err != nil || !ok || !bytes.Equal(v, []byte{1, 2, 3}) {
		t.Fatalf("after reopen Get = %v %v %v", v, ok, err)
	}
}

// TestStorageApplyAllOrNothing: an Apply whose context ends before the
// transaction commits aborts it, and none of its writes is visible.
func TestStorageApplyAllOrNothing(t *testing.T) {
	st, _ := openTestDB(t)
	ctx := testContext(t)
	if err := st.Apply(ctx, []client.KV{{Key: "keep", Value: []byte("old")}}, nil); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	err := st.Apply(cancelled, []client.KV{{Key: "a", Value: []byte("1")}, {Key: "keep", Value: []byte("new")}}, []string{"keep"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply with an ended context = %v, want context.Canceled", err)
	}
	all, err := st.Scan(ctx, "", "", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Key != "keep" || string(all[0].Value) != "old" {
		t.Fatalf("after the aborted Apply the store holds %q", keysOf(all))
	}
}

// TestStorageBadKey: a key that is not UTF-8 is refused, not mangled.
func TestStorageBadKey(t *testing.T) {
	st, _ := openTestDB(t)
	ctx := testContext(t)
	bad := "msg/\xff"
	if err := st.Apply(ctx, []client.KV{{Key: bad, Value: []byte("x")}}, nil); !errors.Is(err, errBadKey) {
		t.Errorf("Apply = %v, want errBadKey", err)
	}
	if _, _, err := st.Get(ctx, bad); !errors.Is(err, errBadKey) {
		t.Errorf("Get = %v, want errBadKey", err)
	}
	if _, err := st.Scan(ctx, bad, "", 0, false); !errors.Is(err, errBadKey) {
		t.Errorf("Scan = %v, want errBadKey", err)
	}
}
