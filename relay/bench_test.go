//go:build !js

package relay

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"sambung/wire"
)

// BenchmarkSendDeliver measures the relay end to end on loopback: pairs of
// real websocket clients, each sender sending 100-byte envelopes to its
// receiver one at a time (waiting for "sent"), each receiver acking what
// it gets. Reported: envelopes/s durably stored, pushed and acked. The
// load generator under bench/ is the full-size version of this.
func BenchmarkSendDeliver(b *testing.B) {
	for _, pairs := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("pairs=%d", pairs), func(b *testing.B) {
			r := startRelay(b, func(c *Config) {
				c.FrameRate = Rate{Count: 1 << 30, Per: time.Second, Burst: 1 << 30}
				c.MemTableSize = 64 << 20
			})
			type pair struct{ s, rcv *wsClient }
			ps := make([]pair, pairs)
			for i := range ps {
				sa := r.signUpAccount(fmt.Sprint("sender", i), "sender password", 0)
				ra := r.signUpAccount(fmt.Sprint("receiver", i), "receiver password", 0)
				ps[i] = pair{r.dial(sa), r.dial(ra)}
				ps[i].s.id = ra.PersonID
			}
			var next, delivered atomic.Int64
			done := make(chan struct{})
			for _, p := range ps {
				go func() {
					for {
						f, err := p.rcv.next()
						if err != nil {
							return
						}
						if e, ok := f.(*wire.EnvelopesFrame); ok {
							p.rcv.ack(e.Envelopes)
							if delivered.Add(int64(len(e.Envelopes))) == int64(b.N) {
								close(done)
							}
						}
					}
				}()
			}
			body := make([]byte, 100)
			b.ResetTimer()
			var wg = make(chan struct{}, pairs)
			for _, p := range ps {
				go func() {
					defer func() { wg <- struct{}{} }()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						p.s.send(&wire.SendFrame{ID: "r", To: p.s.id, Envelopes: []wire.Envelope{
							{ID: fmt.Sprint(i), Device: 1, Type: 1, Body: body, TS: 1}}})
						for {
							f, err := p.s.next()
							if err != nil {
								b.Error(err)
								return
							}
							if _, ok := f.(*wire.SentFrame); ok {
								break
							}
						}
					}
				}()
			}
			for range ps {
				<-wg
			}
			<-done
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envelopes/s")
			m := r.srv.metrics
			m.commit.mu.Lock()
			b.ReportMetric(m.commit.sum/float64(m.commit.n)*1e6, "µs/flush")
			b.ReportMetric(float64(m.commit.n)/b.Elapsed().Seconds(), "flushes/s")
			m.commit.mu.Unlock()
			for _, p := range ps {
				p.s.c.CloseNow()
				p.rcv.c.CloseNow()
			}
		})
	}
}
