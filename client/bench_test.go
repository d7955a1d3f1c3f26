//go:build !js

package client_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sambung/client"
)

// benchPair connects a phone user on storage as (MemoryStorage when nil)
// with an account user on bs, warms the session up, and returns the
// sender, the recipient's person id and a channel of the ids of the
// sender's messages as their delivery receipts arrive.
func benchPair(b *testing.B, as, bs client.Storage) (*device, string, chan string) {
	b.Helper()
	r := startRelay(b)
	alice := newPhone(b, r, as, "+6281111111111")
	bob := newAccount(b, r, bs, "bob")
	connectAll(alice, bob)
	bp := bob.me().PersonID
	warm := alice.send("account:bob", "warm up")
	alice.waitStatus(bp, warm.ID, client.StatusDelivered)
	delivered := make(chan string, 1024)
	alice.mu.Lock()
	alice.onEvent = func(e client.Event) {
		if r, ok := e.(client.ReceiptEvent); ok && r.Status == client.StatusDelivered {
			for _, id := range r.MessageIDs {
				delivered <- id
			}
		}
	}
	alice.mu.Unlock()
	return alice, bp, delivered
}

// BenchmarkMessages measures messages per second from one native client to
// another through a real relay on loopback, with MemoryStorage: a message
// counts when the recipient has stored it and the sender holds its
// delivery receipt (✓✓). Messages go out in bursts of 100.
func BenchmarkMessages(b *testing.B) {
	alice, bp, delivered := benchPair(b, nil, nil)
	text := string(make([]byte, 100))
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		n := min(100, b.N-sent)
		var last client.Message
		for i := 0; i < n; i++ {
			last = alice.send(bp, text)
		}
		for id := range delivered {
			if id == last.ID {
				break
			}
		}
		sent += n
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// slowStorage wraps a Storage, counting calls and making each take about
// as long as IndexedDB does in a browser. Like IndexedDB it reads many
// keys in one call (GetMany), at the cost of one.
type slowStorage struct {
	client.Storage
	gets, scans, applies atomic.Int64
}

const (
	// slowApply and slowGet model an IndexedDB transaction in headless
	// Chromium on this machine: a round trip of about a millisecond, read
	// or write, durable or not, whatever its size (bench/browser: about
	// ten per message took about 10 ms inside Send, and "relaxed"
	// durability changed nothing).
	slowApply = time.Millisecond
	slowGet   = time.Millisecond
)

func (s *slowStorage) Get(ctx context.Context, key string) ([]byte, bool, error) {
	s.gets.Add(1)
	time.Sleep(slowGet)
	return s.Storage.Get(ctx, key)
}

func (s *slowStorage) GetMany(ctx context.Context, keys []string) ([][]byte, []bool, error) {
	s.gets.Add(1)
	time.Sleep(slowGet)
	return s.Storage.(client.BatchGetter).GetMany(ctx, keys)
}

func (s *slowStorage) Scan(ctx context.Context, prefix, start string, limit int, reverse bool) ([]client.KV, error) {
	s.scans.Add(1)
	time.Sleep(slowGet)
	return s.Storage.Scan(ctx, prefix, start, limit, reverse)
}

func (s *slowStorage) Apply(ctx context.Context, puts []client.KV, deletes []string) error {
	s.applies.Add(1)
	time.Sleep(slowApply)
	return s.Storage.Apply(ctx, puts, deletes)
}

// BenchmarkMessagesSlowStorage is BenchmarkMessages with storage that
// costs what IndexedDB does, and reports the storage calls per message on
// each side (reads count a GetMany or Scan as one). Messages go in bursts
// of 100: "awaited" awaits each send before the next, as a person typing
// does; "burst" has all 100 sends in flight at once, as a bot or a paste
// does. Either way the recipient receives bursts, and the storage calls
// show how the core batches them: one commit per batch of envelopes with
// its receipts, and sends that arrive while a commit is written share the
// next one.
func BenchmarkMessagesSlowStorage(b *testing.B) {
	for _, mode := range []string{"awaited", "burst"} {
		b.Run(mode, func(b *testing.B) { benchSlowStorage(b, mode == "burst") })
	}
}

func benchSlowStorage(b *testing.B, burst bool) {
	as := &slowStorage{Storage: client.NewMemoryStorage()}
	bs := &slowStorage{Storage: client.NewMemoryStorage()}
	alice, bp, delivered := benchPair(b, as, bs)
	text := string(make([]byte, 100))
	ag, aa, bg, ba := as.gets.Load()+as.scans.Load(), as.applies.Load(), bs.gets.Load()+bs.scans.Load(), bs.applies.Load()
	b.ResetTimer()
	var sending time.Duration
	for sent := 0; sent < b.N; {
		n := min(100, b.N-sent)
		start := time.Now()
		ids := make(map[string]bool, n)
		if burst {
			var wg sync.WaitGroup
			var mu sync.Mutex
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					m := alice.send(bp, text)
					mu.Lock()
					ids[m.ID] = true
					mu.Unlock()
				}()
			}
			wg.Wait()
		} else {
			for i := 0; i < n; i++ {
				ids[alice.send(bp, text).ID] = true
			}
		}
		sending += time.Since(start)
		for id := range delivered {
			delete(ids, id)
			if len(ids) == 0 {
				break
			}
		}
		sent += n
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "msgs/s")
	b.ReportMetric(n/sending.Seconds(), "sends/s")
	b.ReportMetric(float64(as.applies.Load()-aa)/n, "sender-applies/msg")
	b.ReportMetric(float64(as.gets.Load()+as.scans.Load()-ag)/n, "sender-reads/msg")
	b.ReportMetric(float64(bs.applies.Load()-ba)/n, "recipient-applies/msg")
	b.ReportMetric(float64(bs.gets.Load()+bs.scans.Load()-bg)/n, "recipient-reads/msg")
}
