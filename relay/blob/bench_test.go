//go:build !js

package blob

import (
	"bytes"
	"crypto/rand"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sambung/wire"
	"strconv"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// The storage decision (docs/BLOBS.md) rests on these benchmarks: 64 MiB
// written in 1 MiB pieces and read back, durably, into Badger's value log
// and into a plain file. Run with
//
//	go test ./relay/blob -run '^$' -bench . -benchtime 3x -count 3
//
// b.SetBytes makes the MB/s column the figure to compare. Measured here
// (2 shared cores, go1.26.8, -count 3, 2026-11-24; the machine was shared,
// so ranges):
//
//	Badger v4, SyncWrites, one txn per 1 MiB piece   write 133-166 MB/s
//	file, fsync after every 1 MiB piece              write 400-980 MB/s
//	file, one fsync after 64 MiB                     write 710-1700 MB/s
//	read back: Badger 6-13 GB/s, file 2.6-9.8 GB/s (both from page cache)
//	through the Store over loopback HTTP: upload (8 MiB PATCHes, each
//	fsynced) 330-440 MB/s, download 520-1220 MB/s
//
// So blobs live in files: writing is 3 to 10 times faster, and Badger would
// also keep a 2 GiB blob in its value log and copy it again in value-log GC
// long after the blob was deleted.

const (
	benchTotal = 64 << 20
	benchPiece = 1 << 20
)

func benchPieces(b *testing.B) [][]byte {
	pieces := make([][]byte, benchTotal/benchPiece)
	for i := range pieces {
		pieces[i] = make([]byte, benchPiece)
		rand.Read(pieces[i])
	}
	return pieces
}

// BenchmarkStorageBadgerWrite commits each piece in its own synced
// transaction, as a blob store on Badger would for each PATCH.
func BenchmarkStorageBadgerWrite(b *testing.B) {
	pieces := benchPieces(b)
	db := openBenchBadger(b)
	b.SetBytes(benchTotal)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i, p := range pieces {
			key := []byte("blob/" + strconv.Itoa(n) + "/" + strconv.Itoa(i))
			if err := db.Update(func(txn *badger.Txn) error { return txn.Set(key, p) }); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkStorageBadgerRead reads the pieces back in order.
func BenchmarkStorageBadgerRead(b *testing.B) {
	pieces := benchPieces(b)
	db := openBenchBadger(b)
	for i, p := range pieces {
		key := []byte("blob/" + strconv.Itoa(i))
		if err := db.Update(func(txn *badger.Txn) error { return txn.Set(key, p) }); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(benchTotal)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		for i, p := range pieces {
			key := []byte("blob/" + strconv.Itoa(i))
			err := db.View(func(txn *badger.Txn) error {
				it, err := txn.Get(key)
				if err != nil {
					return err
				}
				return it.Value(func(v []byte) error {
					if !bytes.Equal(v, p) {
						b.Fatal("piece differs")
					}
					return nil
				})
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func openBenchBadger(b *testing.B) *badger.DB {
	db, err := badger.Open(badger.DefaultOptions(b.TempDir()).WithSyncWrites(true).WithLogger(nil))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkStorageFileWriteSyncEach appends the pieces to one file with an
// fsync after each: one 1 MiB PATCH per piece, the worst case.
func BenchmarkStorageFileWriteSyncEach(b *testing.B) { benchFileWrite(b, 1) }

// BenchmarkStorageFileWriteSyncEnd appends all 64 pieces and fsyncs once:
// one 64 MiB PATCH.
func BenchmarkStorageFileWriteSyncEnd(b *testing.B) { benchFileWrite(b, benchTotal/benchPiece) }

func benchFileWrite(b *testing.B, syncEvery int) {
	pieces := benchPieces(b)
	dir := b.TempDir()
	b.SetBytes(benchTotal)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		f, err := os.OpenFile(filepath.Join(dir, strconv.Itoa(n)), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			b.Fatal(err)
		}
		for i, p := range pieces {
			if _, err := f.Write(p); err != nil {
				b.Fatal(err)
			}
			if (i+1)%syncEvery == 0 {
				if err := f.Sync(); err != nil {
					b.Fatal(err)
				}
			}
		}
		f.Close()
	}
}

// BenchmarkStorageFileRead reads a 64 MiB file back in 1 MiB pieces.
func BenchmarkStorageFileRead(b *testing.B) {
	pieces := benchPieces(b)
	name := filepath.Join(b.TempDir(), "blob")
	if err := os.WriteFile(name, bytes.Join(pieces, nil), 0o600); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, benchPiece)
	b.SetBytes(benchTotal)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range pieces {
			if _, err := io.ReadFull(f, buf); err != nil {
				b.Fatal(err)
			}
			if !bytes.Equal(buf, p) {
				b.Fatal("piece differs")
			}
		}
		f.Close()
	}
}

// BenchmarkHTTPUpload uploads 64 MiB over loopback HTTP in 8 MiB PATCHes,
// each fsynced: the relay's raw upload speed, for docs/PERFORMANCE.md.
func BenchmarkHTTPUpload(b *testing.B) {
	e := newBenchEnv(b)
	data := bytes.Join(benchPieces(b), nil)
	b.SetBytes(benchTotal)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		id := e.create(alice1, benchTotal)
		for off := 0; off < benchTotal; off += 8 << 20 {
			if resp, _ := e.patch(alice1, id, int64(off), data[off:off+8<<20]); resp.StatusCode != 204 {
				b.Fatal(resp.Status)
			}
		}
		b.StopTimer()
		e.do(alice1, "DELETE", wire.PathBlobs+"/"+id, nil, nil)
		b.StartTimer()
	}
}

// BenchmarkHTTPDownload downloads a 64 MiB blob over loopback HTTP.
func BenchmarkHTTPDownload(b *testing.B) {
	e := newBenchEnv(b)
	id := e.upload(alice1, bytes.Join(benchPieces(b), nil))
	b.SetBytes(benchTotal)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		req, _ := http.NewRequest("GET", e.srv.URL+wire.PathBlobs+"/"+id, nil)
		req.Header.Set(deviceHeader, bob1)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		k, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if k != benchTotal {
			b.Fatal(k)
		}
	}
}

func newBenchEnv(b *testing.B) *env {
	c := newClock()
	s, err := New(Config{Dir: b.TempDir(), Authenticate: testAuth, Now: c.Now, SweepEvery: -1, Quota: 1 << 40})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(handler{s})
	b.Cleanup(func() { srv.Close(); s.Close() })
	return &env{t: b, store: s, srv: srv, clock: c}
}
