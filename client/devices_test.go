//go:build !js

package client_test

import (
	"errors"
	"fmt"
	"testing"

	"sambung/client"
)

// TestSecondDevice: a person with two devices. The device that sends
// gives the other a sync copy; the peer's messages and receipts reach
// both; reading on one device clears the unread count on the other.
func TestSecondDevice(t *testing.T) {
	r := startRelay(t)
	alice1 := newPhone(t, r, nil, "+6281111111111")
	alice2 := newPhone(t, r, nil, "+6281111111111")
	bob := newAccount(t, r, nil, "bob")
	connectAll(alice1, alice2, bob)
	a, b := alice1.me().PersonID, bob.me().PersonID
	if p := alice2.me(); p.PersonID != a || p.DeviceID == alice1.me().DeviceID {
		t.Fatalf("second device: %+v", p)
	}

	m := alice1.send("account:bob", "from the phone")
	bob.waitText(a, "from the phone")
	sync := alice2.waitText(b, "from the phone")
	if !sync.Outgoing || sync.ID != m.ID || sync.Order != m.Order {
		t.Fatalf("sync copy: %+v, sent %+v", sync, m)
	}
	// Bob's delivery receipt reaches both of Alice's devices.
	alice1.waitStatus(b, m.ID, client.StatusDelivered)
	alice2.waitStatus(b, m.ID, client.StatusDelivered)

	reply := bob.send(a, "to both")
	alice1.waitText(b, "to both")
	alice2.waitText(b, "to both")

	if err := alice2.c.MarkRead(ctx, b, reply.ID); err != nil {
		t.Fatal(err)
	}
	bob.waitStatus(a, reply.ID, client.StatusRead)
	alice1.waitStatus(b, reply.ID, client.StatusRead)
	// Two devices of one person never flag each other as a changed
	// identity. The read is the last thing each device handled, and
	// events go out in order: once its event is in, a flag raised before
	// it would be too.
	for i, d := range []*device{alice1, alice2} {
		d.waitReceiptEvent(b, reply.ID, client.StatusRead)
		if ev := d.eventsOf(client.EventIdentityChanged); len(ev) != 0 {
			t.Fatalf("alice%d: identity changed: %+v", i+1, ev)
		}
	}
	// Reading on alice2 cleared alice1's unread count.
	convs := alice1.waitConversations("no unread after reading on alice2", func(cs []client.Conversation) bool {
		return len(cs) == 1 && cs[0].Unread == 0
	})
	if convs[0].IdentityChanged {
		t.Fatalf("alice1's conversation flagged: %+v", convs[0])
	}

	devs, err := alice2.c.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 {
		t.Fatalf("devices: %+v", devs)
	}
}

// TestIdentityChange: Bob signs in on a new device, whose key Alice has
// never seen. Alice's next message waits, she is told, and Send refuses
// until she accepts; then both of Bob's devices get it, and the safety
// numbers agree again.
func TestIdentityChange(t *testing.T) {
	r := startRelay(t)
	alice, bob, a, b := pair(t, r)
	deliver(alice, bob, "account:bob", "first")
	before, err := alice.c.SafetyNumber(ctx, b)
	if err != nil {
		t.Fatal(err)
	}

	bob2 := signInAccount(t, r, "bob")
	bob2.connect()

	waiting := alice.send(b, "after bob's new device")
	ev := alice.waitEvent("identity change event", func(e client.Event) bool {
		return e.EventType() == client.EventIdentityChanged
	})
	if ev := ev.(client.IdentityChangedEvent); ev.ConversationID != b {
		t.Fatalf("event for %s", ev.ConversationID)
	}
	alice.waitConversations("bob's conversation flagged", func(cs []client.Conversation) bool {
		return len(cs) == 1 && cs[0].IdentityChanged
	})
	_, err = alice.c.Send(ctx, b, "refused")
	if !errors.Is(err, client.ErrIdentityChanged) || client.ErrorCode(err) != "identity_changed" {
		t.Fatalf("send to changed identity: %v", err)
	}
	changed, err := alice.c.SafetyNumber(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if changed.Displayable == before.Displayable {
		t.Fatal("safety number did not change with a new device")
	}
	if h := alice.history(b); h[len(h)-1].ID != waiting.ID || h[len(h)-1].Status != client.StatusPending {
		t.Fatalf("waiting message: %+v", h[len(h)-1])
	}

	if err := alice.c.AcceptIdentity(ctx, b); err != nil {
		t.Fatal(err)
	}
	bob.waitText(a, "after bob's new device")
	bob2.waitText(a, "after bob's new device")
	alice.waitStatus(b, waiting.ID, client.StatusDelivered)
	alice.send(b, "accepted")
	bob2.waitText(a, "accepted")

	// Once each knows the other's devices, all three agree.
	bob.send(a, "from bob1")
	bob2.send(a, "from bob2")
	alice.waitText(b, "from bob1")
	alice.waitText(b, "from bob2")
	sa, _ := alice.c.SafetyNumber(ctx, b)
	for i, d := range []*device{bob, bob2} {
		s, err := d.c.SafetyNumber(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if s.Displayable != sa.Displayable {
			t.Fatalf("bob device %d: %s, alice: %s", i+1, s.Displayable, sa.Displayable)
		}
	}
}

// TestRemoveDevice: a person removes their other device; that device is
// told at once, forgets everything and stops; messages then go only to
// the remaining device.
func TestRemoveDevice(t *testing.T) {
	r := startRelay(t)
	alice, bob, a, b := pair(t, r)
	bob2 := signInAccount(t, r, "bob")
	bob2.connect()
	m := alice.send("account:bob", "to both devices")
	bob.waitText(a, "to both devices")
	bob2.waitText(a, "to both devices")
	alice.waitStatus(b, m.ID, client.StatusDelivered)

	if err := bob.c.RemoveDevice(ctx, bob2.me().DeviceID); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-bob2.done:
		if !errors.Is(err, client.ErrDeviceRemoved) {
			t.Fatalf("removed device's Connect returned %v", err)
		}
		bob2.done = nil
	case <-timeout():
		t.Fatal("removed device still connected")
	}
	if p := bob2.me(); p.SignedIn {
		t.Fatalf("removed device still signed in: %+v", p)
	}
	if _, err := bob2.c.Conversations(ctx); !errors.Is(err, client.ErrNotSignedIn) {
		t.Fatalf("removed device's history: %v", err)
	}
	devs, err := bob.c.Devices(ctx)
	if err != nil || len(devs) != 1 || !devs[0].Current {
		t.Fatalf("devices after removal: %+v %v", devs, err)
	}

	// Alice's stale device list heals through device_mismatch.
	deliver(alice, bob, b, "after removal")

	if err := bob.c.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if p := bob.me(); p.SignedIn {
		t.Fatal("still signed in after SignOut")
	}
}

// TestTyping: typing indicators reach the peer and are not stored.
func TestTyping(t *testing.T) {
	r := startRelay(t)
	alice, bob, a, b := pair(t, r)
	m := deliver(alice, bob, "account:bob", "hi")
	if err := bob.c.Typing(ctx, a, true); err != nil {
		t.Fatal(err)
	}
	alice.waitEvent("typing event", func(e client.Event) bool {
		te, ok := e.(client.TypingEvent)
		return ok && te.ConversationID == b && te.Typing
	})
	// The indicator is not stored: a later text, once its event is in,
	// proves that everything before it was handled.
	after := barrier(bob, alice)
	if got, want := fmt.Sprint(ids(alice.history(b))), fmt.Sprint([]string{m.ID, after.ID}); got != want {
		t.Fatalf("alice shows %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(alice.messageEvents(b)), fmt.Sprint([]string{m.ID, after.ID}); got != want {
		t.Fatalf("alice's message events: %s, want %s", got, want)
	}
}
