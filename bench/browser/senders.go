//go:build !js

package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"sambung/bench/internal/benchkit"
	"sambung/client"
	"sambung/client/native"
)

// sender is one person on a native Go client (net/http, coder/websocket,
// memory storage) that stays connected to the relay: it queues messages
// for the receiver and acknowledges the receipts that come back.
type sender struct {
	c        *client.Client
	personID string // the receiver's conversation with this sender
	cancel   context.CancelFunc
	done     chan struct{} // closed when Connect returned

	mu      sync.Mutex
	relayed map[string]bool // message ids the relay has stored, or further
	failed  map[string]bool
	changed chan struct{} // signalled after relayed or failed grew
}

// startSender signs up account on the relay at base and connects it.
func startSender(ctx context.Context, base, account string) (*sender, error) {
	s := &sender{
		relayed: map[string]bool{},
		failed:  map[string]bool{},
		changed: make(chan struct{}, 1),
		done:    make(chan struct{}),
	}
	c, err := client.New(ctx, client.Config{
		HTTP:       native.NewHTTP(base),
		Dialer:     native.NewDialer(base),
		Storage:    client.NewMemoryStorage(),
		OnEvent:    s.onEvent,
		DeviceName: "bench sender",
	})
	if err != nil {
		return nil, err
	}
	if err := c.SignUpAccount(ctx, account, benchPassword); err != nil {
		c.Close()
		return nil, fmt.Errorf("signing up %s: %w", account, err)
	}
	me, err := c.Me(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	s.c, s.personID = c, me.PersonID
	cctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		c.Connect(cctx)
	}()
	return s, nil
}

func (s *sender) onEvent(e client.Event) {
	r, ok := e.(client.ReceiptEvent)
	if !ok {
		return
	}
	s.mu.Lock()
	for _, id := range r.MessageIDs {
		switch r.Status {
		case client.StatusSent, client.StatusDelivered, client.StatusRead:
			s.relayed[id] = true
		case client.StatusFailed:
			s.failed[id] = true
		}
	}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// sendAll sends texts to address one after another, each as soon as the
// previous Send returned, and then waits until the relay has stored every
// one of them (status sent).
func (s *sender) sendAll(ctx context.Context, address string, texts []string) error {
	ids := make([]string, 0, len(texts))
	for _, t := range texts {
		m, err := s.c.Send(ctx, address, t)
		if err != nil {
			return fmt.Errorf("send %q: %w", t, err)
		}
		ids = append(ids, m.ID)
	}
	for {
		s.mu.Lock()
		relayed, failed := 0, 0
		for _, id := range ids {
			if s.relayed[id] {
				relayed++
			} else if s.failed[id] {
				failed++
			}
		}
		s.mu.Unlock()
		if failed > 0 {
			return fmt.Errorf("the relay refused %d of %d messages", failed, len(ids))
		}
		if relayed == len(ids) {
			return nil
		}
		select {
		case <-s.changed:
		case <-ctx.Done():
			return fmt.Errorf("%d of %d messages reached the relay: %w", relayed, len(ids), ctx.Err())
		}
	}
}

// close disconnects and waits for Connect to return.
func (s *sender) close() {
	s.cancel()
	<-s.done
	s.c.Close()
}

// senders are the people who write to the receiver.
type senders []*sender

func startSenders(ctx context.Context, r *benchkit.Relay, n int) (senders, error) {
	var ss senders
	for i := range n {
		s, err := startSender(ctx, r.URL, fmt.Sprintf("bench_sender_%d", i))
		if err != nil {
			ss.close()
			return nil, err
		}
		ss = append(ss, s)
	}
	return ss, nil
}

// sendEach has sender i send texts(i) to address, all senders at once, and
// returns once the relay stored every message.
func (ss senders) sendEach(ctx context.Context, address string, texts func(i int) []string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(ss))
	var wg sync.WaitGroup
	for i, s := range ss {
		wg.Go(func() {
			if err := s.sendAll(ctx, address, texts(i)); err != nil {
				errs[i] = fmt.Errorf("sender %d: %w", i, err)
				cancel() // the others' errors would only say "canceled"
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
	}
	return errors.Join(errs...)
}

func (ss senders) close() {
	var wg sync.WaitGroup
	for _, s := range ss {
		wg.Go(s.close)
	}
	wg.Wait()
}

// errNoSenders guards the division of the backlog among senders.
var errNoSenders = errors.New("-backlog-senders must be at least 1")
