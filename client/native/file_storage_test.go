//go:build !js

package native

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"sambung/client"
	"sambung/client/storagetest"
)

var ctx = context.Background()

func open(t *testing.T, dir string) *FileStorage {
	t.Helper()
	s, err := OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestFileStorageContract(t *testing.T) {
	storagetest.Run(t, open(t, t.TempDir()))
}

// TestFileStorageReopen: everything applied is there after a reopen, the
// contract still holds on the reopened store.
func TestFileStorageReopen(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	storagetest.Run(t, s)
	before, _ := s.Scan(ctx, "", "", 0, false)
	s.Close()
	s2 := open(t, dir)
	after, _ := s2.Scan(ctx, "", "", 0, false)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("before %v\nafter %v", before, after)
	}
}

// TestFileStorageTornTail: a batch cut off mid-write (a crash) is gone
// whole at reopen, and the store takes new batches after it.
func TestFileStorageTornTail(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	s.Apply(ctx, []client.KV{{Key: "a", Value: []byte("1")}}, nil)
	s.Apply(ctx, []client.KV{{Key: "b", Value: []byte("2")}, {Key: "c", Value: []byte("3")}}, []string{"a"})
	s.Close()
	path := filepath.Join(dir, logName)
	full, _ := os.ReadFile(path)
	first := len(record(encodeBatch([]client.KV{{Key: "a", Value: []byte("1")}}, nil)))
	for cut := first; cut < len(full); cut++ {
		if err := os.WriteFile(path, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		s := open(t, dir)
		if v, ok, _ := s.Get(ctx, "a"); !ok || string(v) != "1" {
			t.Fatalf("cut at %d: a = %q %v", cut, v, ok)
		}
		if _, ok, _ := s.Get(ctx, "b"); ok {
			t.Fatalf("cut at %d: half a batch survived", cut)
		}
		if err := s.Apply(ctx, []client.KV{{Key: "d", Value: []byte("4")}}, nil); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s = open(t, dir)
		if _, ok, _ := s.Get(ctx, "d"); !ok {
			t.Fatalf("cut at %d: batch after the cut lost", cut)
		}
		s.Close()
	}
}

// TestFileStorageCompaction: overwriting keys many times rewrites the log
// and keeps the data.
func TestFileStorageCompaction(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	val := make([]byte, 32<<10)
	for i := 0; i < 200; i++ {
		val[0] = byte(i)
		if err := s.Apply(ctx, []client.KV{{Key: fmt.Sprintf("k%d", i%10), Value: val}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(filepath.Join(dir, logName))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 4*compactMin {
		t.Fatalf("log is %d bytes for 320 KB of data", st.Size())
	}
	s.Close()
	s = open(t, dir)
	v, ok, _ := s.Get(ctx, "k9")
	if !ok || v[0] != byte(199) {
		t.Fatalf("k9 after compaction: %v %v", ok, v[:1])
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(encodeBatch(nil, nil))
	f.Add(encodeBatch([]client.KV{{Key: "a", Value: []byte("1")}}, []string{"b"}))
	f.Add(encodeBatch([]client.KV{{Key: "msg/x/1", Value: nil}, {Key: "", Value: []byte{0}}}, nil))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		puts, dels, err := decodeBatch(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if got := encodeBatch(puts, dels); string(got) != string(b) {
			// Varints may be non-minimal in b; the decoded batch must
			// still round-trip.
			p2, d2, err := decodeBatch(got)
			if err != nil || fmt.Sprint(p2, d2) != fmt.Sprint(puts, dels) {
				t.Fatalf("re-encoding does not decode the same: %v", err)
			}
		}
	})
}
