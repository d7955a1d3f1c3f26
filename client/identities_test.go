//go:build !js

package client_test

import (
	"context"
	"testing"

	"sambung/client"
	"sambung/client/native"
	"sambung/wire"
)

// heldMe holds the relay's answer to GET /v1/me, once hold was called,
// until release is closed.
type heldMe struct {
	client.HTTP
	asked, release chan struct{}
}

func (h *heldMe) hold() { h.asked, h.release = make(chan struct{}), make(chan struct{}) }

func (h *heldMe) Do(ctx context.Context, method, path, token string, body []byte) (int, []byte, error) {
	st, b, err := h.HTTP.Do(ctx, method, path, token, body)
	if method == "GET" && path == wire.PathMe && h.release != nil {
		close(h.asked)
		<-h.release
	}
	return st, b, err
}

// TestStaleIdentitiesAnswer: an answer to /v1/me that the relay gave
// before a link, and that arrives after it, does not undo the link.
func TestStaleIdentitiesAnswer(t *testing.T) {
	r := startRelay(t)
	h := &heldMe{HTTP: native.NewHTTP(r.URL)}
	alice := newPhone(t, r, nil, "+6281111111111", func(c *client.Config) { c.HTTP = h })
	h.hold()
	refreshed := make(chan error, 1)
	go func() { refreshed <- alice.c.RefreshMe(ctx) }()
	<-h.asked // the relay answered: one identity
	if err := alice.c.LinkAccount(ctx, "alice", "another good password"); err != nil {
		t.Fatal(err)
	}
	close(h.release)
	if err := <-refreshed; err != nil {
		t.Fatal(err)
	}
	if p := alice.me(); len(p.Identities) != 2 {
		t.Fatalf("the stale answer undid the link: %+v", p)
	}
}

// TestSignInFailuresAlert: wrong passwords tried for a person's account ID
// reach their signed-in device as an AlertEvent.
func TestSignInFailuresAlert(t *testing.T) {
	r := startRelay(t)
	alice := newAccount(t, r, nil, "alice")
	alice.connect()
	mallory := newDevice(t, r, nil)
	for i := 0; i < 3; i++ {
		if err := mallory.c.SignInAccount(ctx, "alice", "not her password"); err == nil {
			t.Fatal("a wrong password signed in")
		}
	}
	e := alice.waitEvent("the sign-in alert", func(e client.Event) bool {
		_, ok := e.(client.AlertEvent)
		return ok
	}).(client.AlertEvent)
	if e.Kind != wire.AlertSignInFailures || e.Count != 3 {
		t.Fatalf("alert %+v", e)
	}
}
