//go:build !js

package client_test

import (
	"testing"

	"sambung/client"
)

// BenchmarkMessages measures messages per second from one native client to
// another through a real relay on loopback, with MemoryStorage: a message
// counts when the recipient has stored it and the sender holds its
// delivery receipt (✓✓). Messages go out in bursts of 100.
func BenchmarkMessages(b *testing.B) {
	r := startRelay(b)
	alice := newDevice(b, r, nil)
	alice.signUpPhone("+6281111111111")
	bob := newDevice(b, r, nil)
	bob.signUpAccount("bob")
	alice.connect()
	bob.connect()
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
