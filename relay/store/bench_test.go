package store

import (
	"fmt"
	"sambung/wire"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// BenchmarkAppendGroupCommit measures synced envelope appends through the
// group-commit writer with many concurrent senders, as the relay sees them:
// one 100-byte envelope per send, to 100 mailboxes. Reported: envelopes/s
// and the mean flush size.
func BenchmarkAppendGroupCommit(b *testing.B) {
	for _, senders := range []int{1, 16, 64, 256} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			var flushes, ops atomic.Int64
			// One sender fills 100 mailboxes nobody reads: shares as large
			// as the mailbox, so that they do not stop it.
			s := openTest(b, b.TempDir(), Options{Shares: Shares{SenderShare: DefaultMaxDepth, StrangerShare: DefaultMaxDepth, StrangerDepth: DefaultMaxDepth},
				OnFlush: func(n, _ int, _ time.Duration) {
					flushes.Add(1)
					ops.Add(int64(n))
				}})
			defer s.Close()
			const boxes = 100
			for i := 0; i < boxes; i++ {
				id := fmt.Sprintf("%026d", i)
				s.db.Update(func(txn *badger.Txn) error { return txn.Set(deviceKey(id, 1), []byte("{}")) })
			}
			body := make([]byte, 100)
			var n atomic.Int64
			b.SetParallelism((senders + 1) / 2) // GOMAXPROCS is 2 here
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					m := MailboxID{fmt.Sprintf("%026d", i%boxes), 1}
					e := wire.Envelope{ID: fmt.Sprint(i), From: alice, FromDevice: 1, Type: 1, Body: body}
					if _, err := s.Append(ctx, []Append{{To: m, Envelope: e}}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
			if f := flushes.Load(); f > 0 {
				b.ReportMetric(float64(ops.Load())/float64(f), "ops/flush")
			}
		})
	}
}

// BenchmarkSyncedTxnBaseline is one synced Badger transaction per envelope
// from one goroutine: what the writer saves us from.
func BenchmarkSyncedTxnBaseline(b *testing.B) {
	s := openTest(b, b.TempDir(), Options{})
	defer s.Close()
	body := make([]byte, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := s.db.Update(func(txn *badger.Txn) error {
			return txn.Set(mailboxKey(MailboxID{alice, 1}, uint64(i)), body)
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
}
