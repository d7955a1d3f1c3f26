//go:build !js

package client_test

import (
	"fmt"
	"slices"
	"testing"

	"sambung/client"
	"sambung/client/native"
	"sambung/crypto"
)

// TestChatBothKinds: a phone user and an account user sign up, find each
// other and talk both ways; the sender's ticks go sent → delivered → read.
func TestChatBothKinds(t *testing.T) {
	r := startRelay(t)
	alice, bob := pairOf(t, r, "+62 812-3456-7890", "bob")

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

	// Bob never looked Alice up; her addresses came with her devices.
	convs := bob.waitConversations("alice's conversation, unread, with her phone number", func(cs []client.Conversation) bool {
		return len(cs) == 1 && cs[0].ID == ap.PersonID && cs[0].Unread == 1 && cs[0].Last != nil &&
			cs[0].Last.ID == m.ID && cs[0].Title == "phone:+6281234567890" && cs[0].Kind == "phone"
	})
	if convs[0].IdentityChanged {
		t.Fatalf("bob's conversation with alice: %+v", convs[0])
	}
	if err := bob.c.MarkRead(ctx, ap.PersonID, m.ID); err != nil {
		t.Fatal(err)
	}
	alice.waitStatus(bp.PersonID, m.ID, client.StatusRead)

	// Alice saw each tick once, in order. Events go out after the commit
	// that waitStatus saw, and in order: once the read tick is in, the
	// ticks before it are too.
	ticks := func() string {
		var ticks []client.Status
		for _, e := range alice.eventsOf(client.EventReceipt) {
			re := e.(client.ReceiptEvent)
			for _, id := range re.MessageIDs {
				if id == m.ID && re.ConversationID == bp.PersonID {
					ticks = append(ticks, re.Status)
				}
			}
		}
		return fmt.Sprint(ticks)
	}
	alice.waitReceiptEvent(bp.PersonID, m.ID, client.StatusRead)
	if got := ticks(); got != "[sent delivered read]" {
		t.Fatalf("alice's ticks: %v", got)
	}

	// Bob looks Alice up too: the same person, found by phone.
	ca, err := bob.c.Lookup(ctx, "phone:+6281234567890")
	if err != nil || ca.PersonID != ap.PersonID || ca.Kind != "phone" {
		t.Fatalf("bob's lookup: %+v %v", ca, err)
	}
	reply := bob.send("phone:+62 812 3456 7890", "hi alice")
	alice.waitText(bp.PersonID, "hi alice")
	bob.waitStatus(ap.PersonID, reply.ID, client.StatusDelivered)
	// Bob's reply went out after his receipts: once its event is in at
	// Alice's, a second tick would be too.
	alice.waitMessageEvent(bp.PersonID, reply.ID)
	if got := ticks(); got != "[sent delivered read]" {
		t.Fatalf("alice's ticks after the reply: %v", got)
	}

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

// TestSafetyNumbersMatch: both sides show the same 60 digits, and the
// scannable forms match each other.
func TestSafetyNumbersMatch(t *testing.T) {
	r := startRelay(t)
	alice, bob, a, b := pair(t, r)
	deliver(alice, bob, "account:bob", "ping")
	sa, err := alice.c.SafetyNumber(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := bob.c.SafetyNumber(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(sa.Displayable) != 60 || sa.Displayable != sb.Displayable {
		t.Fatalf("safety numbers differ: %s vs %s", sa.Displayable, sb.Displayable)
	}
	if ok, err := crypto.CompareScannable(sa.Scannable, sb.Scannable); err != nil || !ok {
		t.Fatalf("scannable forms do not match: %v %v", ok, err)
	}
	if _, err := alice.c.SafetyNumber(ctx, a); client.ErrorCode(err) != "unknown_conversation" {
		t.Fatalf("safety number with oneself: %v", err)
	}
}

// TestOutboxSurvivesRestart: a message sent while offline is in the
// outbox on disk; a new client over the same directory sends it after
// connecting.
func TestOutboxSurvivesRestart(t *testing.T) {
	r := startRelay(t)
	dir := t.TempDir()
	fs, err := native.OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	alice := newPhone(t, r, fs, "+6281111111111")
	bob := newAccount(t, r, nil, "bob")
	bob.connect()
	a, b := alice.me().PersonID, bob.me().PersonID
	if _, err := alice.c.Lookup(ctx, "account:bob"); err != nil {
		t.Fatal(err)
	}
	m := alice.send(b, "sent while offline")
	alice.close()
	if err := fs.Close(); err != nil {
		t.Fatal(err)
	}

	fs2, err := native.OpenFileStorage(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer fs2.Close()
	alice2 := newDevice(t, r, fs2)
	if p := alice2.me(); p.PersonID != a {
		t.Fatalf("after restart: %+v", p)
	}
	h := alice2.history(b)
	if len(h) != 1 || h[0].ID != m.ID || h[0].Status != client.StatusPending {
		t.Fatalf("history after restart: %+v", h)
	}
	alice2.connect()
	bob.waitText(a, "sent while offline")
	alice2.waitStatus(b, m.ID, client.StatusDelivered)
	// The session survived too: a reply decrypts on the restarted client.
	bob.send(a, "welcome back")
	alice2.waitText(b, "welcome back")
}

// TestRetryAfterRelayDown: the relay goes away; a message sent meanwhile
// waits in the outbox and goes out when the relay is back on the same
// data.
func TestRetryAfterRelayDown(t *testing.T) {
	r := startRelay(t)
	alice, bob, a, b := pair(t, r)
	deliver(alice, bob, "account:bob", "before")

	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	m := alice.send(b, "during")
	eventually(t, "alice offline", func() bool {
		for _, e := range alice.eventsOf(client.EventStatus) {
			if e.(client.StatusEvent).State == client.StateOffline {
				return true
			}
		}
		return false
	})
	if h := alice.history(b); h[len(h)-1].Status != client.StatusPending {
		t.Fatalf("message sent while down: %+v", h[len(h)-1])
	}
	r.Reopen(t)
	bob.waitText(a, "during")
	alice.waitStatus(b, m.ID, client.StatusDelivered)
}

// TestRedeliveryShownOnce: the recipient stores envelopes but its acks
// never reach the relay (the connection drops first), so the relay pushes
// them again; each message shows once and its receipt still arrives.
func TestRedeliveryShownOnce(t *testing.T) {
	r := startRelay(t)
	alice := newPhone(t, r, nil, "+6281111111111")
	drop := &ackDropper{Dialer: native.NewDialer(r.URL)}
	drop.arm(true)
	bob := newAccount(t, r, nil, "bob", func(c *client.Config) { c.Dialer = drop })
	alice.connect()
	a, b := alice.me().PersonID, bob.me().PersonID
	var sent []client.Message
	for i := 0; i < 3; i++ {
		sent = append(sent, alice.send("account:bob", "m"+string(rune('0'+i))))
	}
	bob.connect()
	eventually(t, "three messages at bob", func() bool { return len(bob.history(a)) == 3 })
	eventually(t, "two dropped acks", func() bool { return drop.drops() >= 2 })
	drop.arm(false)
	for _, m := range sent {
		alice.waitStatus(b, m.ID, client.StatusDelivered)
	}
	// A redelivery still on its way comes before a later message: once
	// that one's event is in, every copy of the three was handled.
	sent = append(sent, barrier(alice, bob))
	want := fmt.Sprint(ids(sent))
	if got := fmt.Sprint(ids(bob.history(a))); got != want {
		t.Fatalf("bob shows %s, want %s", got, want)
	}
	if got := fmt.Sprint(bob.messageEvents(a)); got != want {
		t.Fatalf("bob's message events: %s, want %s", got, want)
	}
	bob.waitConversations("4 unread", func(cs []client.Conversation) bool {
		return len(cs) == 1 && cs[0].Unread == 4
	})
}

// TestLinkSecondIdentity: a phone user adds an account ID and an account
// user a phone; each is then found by either, as the same person.
func TestLinkSecondIdentity(t *testing.T) {
	r := startRelay(t)
	alice, bob, a, b := pair(t, r)
	if err := alice.c.LinkAccount(ctx, "alice", "another good password"); err != nil {
		t.Fatal(err)
	}
	if err := bob.c.LinkPhoneCode(ctx, "+6282222222222"); err != nil {
		t.Fatal(err)
	}
	if err := bob.c.LinkPhone(ctx, "+6282222222222", r.Code(t, "+6282222222222")); err != nil {
		t.Fatal(err)
	}
	if p := alice.me(); len(p.Identities) != 2 {
		t.Fatalf("alice after linking: %+v", p)
	}
	if p := bob.me(); len(p.Identities) != 2 {
		t.Fatalf("bob after linking: %+v", p)
	}
	// A lookup shows only the address asked for: Alice has not written to
	// Bob, so her phone number is none of his business (docs/SECURITY.md,
	// "Abuse").
	ct, err := bob.c.Lookup(ctx, "account:alice")
	if err != nil || ct.PersonID != a || !slices.Equal(ct.Identities, []string{"account:alice"}) {
		t.Fatalf("lookup by linked account: %+v %v", ct, err)
	}
	deliver(alice, bob, "phone:+62 822-2222-2222", "found you by phone")

	// Errors carry the relay's codes.
	_, err = alice.c.Lookup(ctx, "account:nobody")
	wantCode(t, err, "unknown_address")
	_, err = alice.c.Lookup(ctx, "phone:12")
	wantCode(t, err, "bad_phone")
	err = alice.c.LinkAccount(ctx, "bob", "another good password")
	wantCode(t, err, "already_linked")
	err = bob.c.VerifyPhone(ctx, "+6282222222222", "000000")
	wantCode(t, err, "signed_in")
	_, err = alice.c.Send(ctx, b, "")
	wantCode(t, err, "bad_request")
}
