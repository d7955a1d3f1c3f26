//go:build !js

package crashtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"sambung/client"
	"sambung/client/native"
)

// restartBurst is how many messages TestReceiptsAfterRestart sends: the
// peer acknowledges them in a few receipts of many ids each.
const restartBurst = 40

// TestReceiptsAfterRestart: a client sends a burst and is closed; the peer
// receives it while the sender is away and answers with delivery receipts;
// the sender, reopened on the same directory, must take them in, although
// none of the messages they name is in its memory yet. It is the crash
// test's receive-after-restart step with no crash and no child, so that a
// failure here points at the core, not at the kill.
func TestReceiptsAfterRestart(t *testing.T) {
	ctx := context.Background()
	base := startRelay(t)
	peer := newPeer(t, base) // offline until the sender is closed
	dir := t.TempDir()

	st, err := native.OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := newSender(t, base, st)
	if err := s.c.SignUpAccount(ctx, childAccount, password); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for j := range restartBurst {
		m, err := s.c.Send(ctx, peer.id, fmt.Sprintf("restart-%04d", j))
		if err != nil {
			t.Fatal(err)
		}
		ids[m.ID] = m.Text
	}
	s.connect()
	s.await(t, "every message sent", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.sent) == len(ids)
	}, nil)
	s.close()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	peer.connect(t)
	s.await(t, "every message at the peer", func() bool { return peer.has(ids) }, peer.changed)

	st, err = native.OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s = newSender(t, base, st)
	h, err := history(ctx, s.c, peer.id)
	if err != nil {
		t.Fatal(err)
	}
	// What the peer's receipts have not moved yet the reopened sender
	// must move itself.
	waiting := map[string]bool{}
	for _, m := range h {
		if m.Status != client.StatusDelivered && m.Status != client.StatusRead {
			waiting[m.ID] = true
		}
	}
	if len(h) != restartBurst {
		t.Fatalf("history after reopening holds %d messages, want %d", len(h), restartBurst)
	}
	s.connect()
	s.await(t, fmt.Sprintf("%d delivery receipts (of %d messages) after reopening", len(waiting), restartBurst), func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for id := range waiting {
			if !s.delivered[id] {
				return false
			}
		}
		return true
	}, nil)
}

// sender is a client in this process over a FileStorage, with what its
// events said.
type sender struct {
	c       *client.Client
	cancel  context.CancelFunc
	done    chan struct{}
	changed chan struct{} // a send on each event, dropped when full

	mu        sync.Mutex
	sent      map[string]bool // sent or further
	delivered map[string]bool
	futile    int    // connections dropped with an error since progress
	lastErr   string // the last such error
}

func newSender(t *testing.T, base string, st client.Storage) *sender {
	t.Helper()
	s := &sender{changed: make(chan struct{}, 1), sent: map[string]bool{}, delivered: map[string]bool{}}
	c, err := client.New(context.Background(), clientConfig(base, st, "sender", func(e client.Event) {
		s.mu.Lock()
		switch e := e.(type) {
		case client.ReceiptEvent:
			s.futile = 0
			for _, id := range e.MessageIDs {
				s.sent[id] = true
			}
			if e.Status == client.StatusDelivered || e.Status == client.StatusRead {
				for _, id := range e.MessageIDs {
					s.delivered[id] = true
				}
			}
		case client.StatusEvent:
			if e.State == client.StateOffline && e.Err != "" {
				s.futile++
				s.lastErr = e.Err
			}
		}
		s.mu.Unlock()
		notify(s.changed)
	}))
	if err != nil {
		t.Fatal(err)
	}
	s.c = c
	t.Cleanup(s.close)
	return s
}

func (s *sender) connect() {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go func() {
		defer close(s.done)
		s.c.Connect(ctx)
	}()
}

func (s *sender) close() {
	s.c.Close()
	if s.done != nil {
		s.cancel()
		<-s.done
		s.done = nil
	}
}

// await waits until done holds, waking on the sender's events and on
// more, failing fast when the connection keeps dropping with an error
// (maxFutile times in a row with no receipt between) and after
// phaseTimeout in any case.
func (s *sender) await(t *testing.T, what string, done func() bool, more <-chan struct{}) {
	t.Helper()
	timeout := time.After(phaseTimeout)
	for !done() {
		s.mu.Lock()
		futile, last := s.futile, s.lastErr
		s.mu.Unlock()
		if futile >= maxFutile {
			t.Fatalf("waiting for %s: the connection dropped %d times in a row with no receipt in between, last with %q: the core is wedged", what, futile, last)
		}
		select {
		case <-s.changed:
		case <-more:
		case <-timeout:
			t.Fatalf("no %s after %s", what, phaseTimeout)
		}
	}
}
