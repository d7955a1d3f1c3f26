//go:build !js

package client_test

import (
	"testing"

	"sambung/client"
)

// TestChatBothKinds: a phone user and an account user sign up, find each
// other and talk both ways; the sender's ticks go sent → delivered → read.
func TestChatBothKinds(t *testing.T) {
	r := startRelay(t)
	alice := newDevice(t, r, nil)
	alice.signUpPhone("+62 812-3456-7890")
	bob := newDevice(t, r, nil)
	bob.signUpAccount("bob")
	alice.connect()
	bob.connect()

	ap, bp := alice.me(), bob.me()
	if !ap.SignedIn || len(ap.Identities) != 1 || ap.Identities[0] != "phone:+6281234567890" {
		t.Fatalf("alice: %+v", ap)
	}
	if bp.Identities[0] != "account:bob" {
		t.Fatalf("bob: %+v", bp)
	}

	ct, err := alice.c.Lookup(ctx, "account:Bob")
	if err != nil {
		t.Fatal(err)
	}
	if ct.PersonID != bp.PersonID || ct.Kind != "account" {
		t.Fatalf("lookup: %+v", ct)
	}
	m := alice.send("account:bob", "hello bob")
	if m.Status != client.StatusPending || !m.Outgoing {
		t.Fatalf("sent message: %+v", m)
	}
	got := bob.waitText(ap.PersonID, "hello bob")
	if got.ID != m.ID || got.Order != m.Order || got.Outgoing || got.From != ap.PersonID {
		t.Fatalf("bob got %+v, alice sent %+v", got, m)
	}
	alice.waitStatus(bp.PersonID, m.ID, client.StatusDelivered)

	convs, err := bob.c.Conversations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(convs) != 1 || convs[0].ID != ap.PersonID || convs[0].Unread != 1 || convs[0].Last.ID != m.ID {
		t.Fatalf("bob's conversations: %+v", convs)
	}
	if err := bob.c.MarkRead(ctx, ap.PersonID, m.ID); err != nil {
		t.Fatal(err)
	}
	alice.waitStatus(bp.PersonID, m.ID, client.StatusRead)

	reply := bob.send(ap.PersonID, "hi alice")
	alice.waitText(bp.PersonID, "hi alice")
	bob.waitStatus(ap.PersonID, reply.ID, client.StatusDelivered)

	// Both show the same conversation in the same order.
	ah, bh := alice.history(bp.PersonID), bob.history(ap.PersonID)
	if len(ah) != 2 || len(bh) != 2 {
		t.Fatalf("histories: %d and %d messages", len(ah), len(bh))
	}
	for i := range ah {
		if ah[i].ID != bh[i].ID || ah[i].Order != bh[i].Order {
			t.Fatalf("message %d differs: %+v vs %+v", i, ah[i], bh[i])
		}
	}
}
