//go:build !js

package relay

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"sambung/relay/store"
	"sambung/wire"
)

// TestEnvelopesOnlineOffline exchanges envelopes with a connected
// recipient, an offline one (backlog first, in order), the sender's own
// other device, and across a relay restart.
func TestEnvelopesOnlineOffline(t *testing.T) {
	r := startRelay(t)
	alice1 := r.signUpPhone("+6281000000001", 30)
	alice2 := r.signUpPhone("+6281000000001", 30)
	bob := r.signUpAccount("bob", "bob password", 30)

	a1 := r.dial(alice1)
	b := r.dial(bob)

	// Online: Bob gets it at once; Alice's device 2 is offline.
	s := a1.mustSend(bob.PersonID, []uint32{1}, []uint32{2}, "m1", "hello bob")
	if s.Duplicates != 0 {
		t.Fatal(s)
	}
	got := b.receive(1)[0]
	if got.ID != "m1" || got.From != alice1.PersonID || got.FromDevice != 1 || string(got.Body) != "hello bob" ||
		got.Type != 3 || got.TS != 1700000000000 || got.ServerTS == 0 || got.Dest != "" || got.Seq != 1 {
		t.Fatalf("%+v", got)
	}
	b.ack([]wire.Envelope{got})

	// Bob answers three times while Alice's device 2 is still offline.
	for i := 1; i <= 3; i++ {
		b.mustSend(alice1.PersonID, []uint32{1, 2}, nil, fmt.Sprint("b", i), fmt.Sprint("reply ", i))
	}
	envs := a1.receive(3)
	for i, e := range envs {
		if e.ID != fmt.Sprint("b", i+1) || e.From != bob.PersonID {
			t.Fatalf("alice1 envelope %d: %+v", i, e)
		}
	}
	a1.ack(envs)

	// Alice's device 2 connects: its backlog (her own copy, then Bob's
	// three) comes first and in order, then "drained", then live traffic.
	a2 := r.dial(alice2)
	envs = a2.receive(4)
	if envs[0].ID != "m1" || envs[0].From != alice1.PersonID || envs[0].Dest != bob.PersonID || string(envs[0].Body) != "self:hello bob" {
		t.Fatalf("own copy: %+v", envs[0])
	}
	for i, e := range envs[1:] {
		if e.ID != fmt.Sprint("b", i+1) || e.Seq <= envs[i].Seq {
			t.Fatalf("backlog order: %+v", envs)
		}
	}
	expect[*wire.DrainedFrame](a2)
	b.mustSend(alice1.PersonID, []uint32{1, 2}, nil, "live", "live one")
	if e := a2.receive(1)[0]; e.ID != "live" {
		t.Fatalf("%+v", e)
	}
	a1.receive(1)

	// Unacknowledged envelopes come again after a reconnect, and survive a
	// restart of the relay on the same directory.
	a2.c.CloseNow()
	a1.c.CloseNow()
	b.c.CloseNow()
	r.restart()
	a2 = r.dial(alice2)
	again := a2.receive(5)
	if again[0].ID != "m1" || again[4].ID != "live" {
		t.Fatalf("after restart: %+v", again)
	}
	a2.ack(again[:3])
	a2.sync() // the acks are committed before the connection goes
	a2.c.CloseNow()
	a2 = r.dial(alice2)
	left := a2.receive(2)
	if left[0].ID != "b3" || left[1].ID != "live" {
		t.Fatalf("acked envelopes came back: %+v", left)
	}
	a2.ack(left)
	a2.sync()
	a2.c.CloseNow()
	a2 = r.dial(alice2)
	expect[*wire.DrainedFrame](a2)

	// A note to self goes to one's other devices only.
	a1 = r.dial(alice1)
	a1.mustSend(alice1.PersonID, []uint32{2}, nil, "note", "to self")
	if e := a2.receive(1)[0]; e.ID != "note" || e.Dest != alice1.PersonID {
		t.Fatalf("%+v", e)
	}
	if r := a1.sendTo(alice1.PersonID, []uint32{2}, []uint32{2}, "note2", "x"); r.(*wire.ErrorFrame).Code != wire.CodeBadFrame {
		t.Fatalf("self envelopes on a send to self: %+v", r)
	}
}

// TestReplayedEnvelope resends an envelope id: acknowledged, stored once,
// delivered once; and again after delivery (the tombstone).
func TestReplayedEnvelope(t *testing.T) {
	r := startRelay(t)
	alice, bob := r.aliceAndBob()
	a := r.dial(alice)
	a.mustSend(bob.PersonID, []uint32{1}, nil, "same", "once")
	if s := a.mustSend(bob.PersonID, []uint32{1}, nil, "same", "once"); s.Duplicates != 1 {
		t.Fatalf("resend not reported as duplicate: %+v", s)
	}
	b := r.dial(bob)
	envs := b.receive(1)
	expect[*wire.DrainedFrame](b)
	b.ack(envs)
	b.sync() // the delete, and so the tombstone, is committed
	if s := a.mustSend(bob.PersonID, []uint32{1}, nil, "same", "once"); s.Duplicates != 1 {
		t.Fatalf("resend after delivery stored again: %+v", s)
	}
	// Bob's mailbox is pushed in seq order: had the resend been stored,
	// it would come before this marker.
	a.mustSend(bob.PersonID, []uint32{1}, nil, "marker", "after")
	if e := b.receive(1)[0]; e.ID != "marker" {
		t.Fatalf("got %+v before the marker", e)
	}
}

// TestDeviceSets refuses sends that miss a device or name one that does
// not exist, naming the devices, and handles device removal.
func TestDeviceSets(t *testing.T) {
	r := startRelay(t)
	alice1 := r.signUpAccount("alice", "alice password", 0)
	alice2 := r.signInAccount("alice", "alice password", 0)
	bob1 := r.signUpAccount("bob", "bob password", 0)
	bob2 := r.signInAccount("bob", "bob password", 0)
	a := r.dial(alice1)

	// Missing Bob's device 2 and Alice's own device 2.
	e := a.sendTo(bob1.PersonID, []uint32{1}, nil, "m", "x").(*wire.ErrorFrame)
	if e.Code != wire.CodeDeviceMismatch ||
		!slices.Equal(e.Missing, []wire.DeviceRef{ref(bob1.PersonID, 2), ref(alice1.PersonID, 2)}) || e.Stale != nil ||
		!slices.EqualFunc(e.Devices, []wire.PersonDevices{{Person: bob1.PersonID, Devices: []uint32{1, 2}}, {Person: alice1.PersonID, Devices: []uint32{1, 2}}},
			func(x, y wire.PersonDevices) bool { return x.Person == y.Person && slices.Equal(x.Devices, y.Devices) }) {
		t.Fatalf("missing: %+v", e)
	}
	// A device that never existed, and the sender's own device.
	e = a.sendTo(bob1.PersonID, []uint32{1, 2, 7}, []uint32{1, 2}, "m", "x").(*wire.ErrorFrame)
	if e.Code != wire.CodeDeviceMismatch || e.Missing != nil ||
		!slices.Equal(e.Stale, []wire.DeviceRef{ref(bob1.PersonID, 7), ref(alice1.PersonID, 1)}) {
		t.Fatalf("stale: %+v", e)
	}
	e = a.sendTo("aaaaaaaaaaaaaaaaaaaaaaaaaa", []uint32{1}, []uint32{2}, "m", "x").(*wire.ErrorFrame)
	if e.Code != wire.CodeUnknownPerson {
		t.Fatalf("unknown person: %+v", e)
	}
	// Nothing of the refused sends was stored.
	a.mustSend(bob1.PersonID, []uint32{1, 2}, []uint32{2}, "ok", "x")
	b2 := r.dial(bob2)
	if envs := b2.receive(1); envs[0].ID != "ok" {
		t.Fatalf("%+v", envs)
	}

	// Bob removes his device 2 (from device 1): its socket is closed with
	// device_removed, its token stops working, its mailbox is gone, and
	// sends naming it are stale.
	a.mustSend(bob1.PersonID, []uint32{1, 2}, []uint32{2}, "queued", "x")
	var devs wire.DeviceList
	r.mustCall("DELETE", "/v1/me/devices/2", bob1.Token, nil, &devs)
	if len(devs.Devices) != 1 || devs.Devices[0].ID != 1 {
		t.Fatalf("%+v", devs)
	}
	if code, reason := closeStatus(t, b2.c); code != websocket.StatusPolicyViolation || reason != string(wire.CodeDeviceRemoved) {
		t.Fatalf("removed device's socket closed with %v %q", code, reason)
	}
	r.wantCode(wire.CodeUnauthorized, "GET", wire.PathMe, bob2.Token, nil)
	c := r.dialRaw()
	w := &wsClient{t: t, c: c}
	w.send(&wire.AuthFrame{Token: bob2.Token})
	w.expectError(wire.CodeUnauthorized)
	if code, _ := closeStatus(t, c); code != websocket.StatusPolicyViolation {
		t.Fatalf("close %v", code)
	}
	if d, _ := r.srv.st.Depth(t.Context(), device{bob2.PersonID, 2}.mailbox()); d != 0 {
		t.Fatalf("removed device's mailbox holds %d", d)
	}
	e = a.sendTo(bob1.PersonID, []uint32{1, 2}, []uint32{2}, "m2", "x").(*wire.ErrorFrame)
	if e.Code != wire.CodeDeviceMismatch || !slices.Equal(e.Stale, []wire.DeviceRef{ref(bob1.PersonID, 2)}) {
		t.Fatalf("removed device: %+v", e)
	}
	r.wantCode(wire.CodeUnknownDevice, "DELETE", "/v1/me/devices/2", bob1.Token, nil)
	r.wantCode(wire.CodeBadRequest, "DELETE", "/v1/me/devices/x", bob1.Token, nil)
	// A new device never gets the old id.
	if b3 := r.signInAccount("bob", "bob password", 0); b3.DeviceID != 3 {
		t.Fatalf("new device id %d", b3.DeviceID)
	}
	// One person cannot remove another's device: the id is looked up in
	// the caller's own person.
	r.wantCode(wire.CodeUnknownDevice, "DELETE", "/v1/me/devices/3", alice2.Token, nil)
}

// TestSlowDevice keeps at most PushWindow envelopes unacknowledged on a
// connection: the rest wait in the store until acks come.
func TestSlowDevice(t *testing.T) {
	r := startRelay(t, func(c *Config) { c.PushWindow = 4 })
	alice, bob := r.aliceAndBob()
	a := r.dial(alice)
	for i := 0; i < 10; i++ {
		a.mustSend(bob.PersonID, []uint32{1}, nil, fmt.Sprint(i), "x")
	}
	b := r.dial(bob)
	// The pusher reads the backlog up to the window in one go: a fifth
	// envelope would be in this first frame, or come before the pong.
	// (Nothing outside the relay shows the pusher idle at a full window;
	// receive fails on any envelope past the count it reads, below too.)
	first := b.receive(4)
	b.sync()
	b.ack(first[:2])
	next := b.receive(2)
	if next[0].ID != "4" || next[1].ID != "5" {
		t.Fatalf("%+v", next)
	}
	b.ack(append(first[2:], next...))
	rest := b.receive(4)
	if rest[3].ID != "9" {
		t.Fatalf("%+v", rest)
	}
}

// TestMailboxFull refuses a send when a recipient's mailbox is full (the
// shares are as large as the mailbox here; TestMailboxShares has those).
func TestMailboxFull(t *testing.T) {
	r := startRelay(t, func(c *Config) {
		c.MaxDepth = 2
		c.Shares = store.Shares{SenderShare: 2, StrangerShare: 2, StrangerDepth: 2}
	})
	alice, bob := r.aliceAndBob()
	a := r.dial(alice)
	a.mustSend(bob.PersonID, []uint32{1}, nil, "1", "x")
	a.mustSend(bob.PersonID, []uint32{1}, nil, "2", "x")
	if e := a.sendTo(bob.PersonID, []uint32{1}, nil, "3", "x").(*wire.ErrorFrame); e.Code != wire.CodeMailboxFull {
		t.Fatalf("%+v", e)
	}
	b := r.dial(bob)
	envs := b.receive(2)
	b.ack(envs)
	b.sync() // the deletes are committed: the mailbox has room
	a.mustSend(bob.PersonID, []uint32{1}, nil, "3", "x")
}

// TestConnectionsPerDevice refuses a third connection of one device.
func TestConnectionsPerDevice(t *testing.T) {
	r := startRelay(t)
	alice, bob := r.aliceAndBob()
	c1, c2 := r.dial(bob), r.dial(bob)
	w := &wsClient{t: t, c: r.dialRaw()}
	w.send(&wire.AuthFrame{Token: bob.Token})
	w.expectError(wire.CodeTooManyConnections)
	if code, reason := closeStatus(t, w.c); code != websocket.StatusPolicyViolation || reason != "too_many_connections" {
		t.Fatal(code, reason)
	}
	// Both connections get the envelope; an ack on one deletes it.
	r.dial(alice).mustSend(bob.PersonID, []uint32{1}, nil, "m", "x")
	e1, e2 := c1.receive(1), c2.receive(1)
	if e1[0].Seq != e2[0].Seq {
		t.Fatal(e1, e2)
	}
	c1.ack(e1)
	c1.sync()
	if d, _ := r.srv.st.Depth(t.Context(), device{bob.PersonID, 1}.mailbox()); d != 0 {
		t.Fatalf("depth %d after ack", d)
	}
}

// TestGracefulShutdown closes sockets with going_away and keeps what was
// acknowledged.
func TestGracefulShutdown(t *testing.T) {
	r := startRelay(t)
	alice, bob := r.aliceAndBob()
	a := r.dial(alice)
	for i := 0; i < 20; i++ {
		a.mustSend(bob.PersonID, []uint32{1}, nil, fmt.Sprint(i), "x")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.stop()
	}()
	if code, reason := closeStatus(t, a.c); code != websocket.StatusGoingAway || reason != string(wire.CodeGoingAway) {
		t.Fatal(code, reason)
	}
	<-done
	r.start()
	if envs := r.dial(bob).receive(20); envs[19].ID != "19" {
		t.Fatalf("%+v", envs[19])
	}
}

func ref(person string, device uint32) wire.DeviceRef {
	return wire.DeviceRef{Person: person, Device: device}
}

// TestPushOnlineInOrder has several senders send to one online device at
// once, more than its in-memory window and push window hold while it sits
// on a full window: every envelope must arrive exactly once and in seq
// order, whether the pusher took it from memory or had to read the store
// after an overflow or an out-of-order handover.
func TestPushOnlineInOrder(t *testing.T) {
	const senders, each, window = 4, 40, 16 // 160 envelopes: more than window+memEnvelopes
	r := startRelay(t, func(c *Config) { c.PushWindow = window })
	bob := r.signUpAccount("bob", "bob password", 0)
	b := r.dial(bob)
	var from []*wsClient
	for i := range senders {
		from = append(from, r.dial(r.signUpAccount(fmt.Sprint("sender", i), "sender password", 0)))
	}
	done := make(chan struct{})
	overflowed := make(chan struct{})
	var sent atomic.Int64
	for i, a := range from {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := range each {
				a.mustSend(bob.PersonID, []uint32{1}, nil, fmt.Sprint(i, "-", j), "x")
				if sent.Add(1) == window+memEnvelopes+1 {
					close(overflowed)
				}
			}
		}()
	}
	// Bob acks nothing until the senders have had memEnvelopes past his
	// window acknowledged: each sent frame comes after its commit handed the
	// envelope to his connection, so memory has overflowed by then and the
	// pusher must read the store. No sleep decides it.
	seen := make(map[string]bool)
	var last uint64
	take := func() []wire.Envelope {
		envs := expect[*wire.EnvelopesFrame](b).Envelopes
		for _, e := range envs {
			if e.Seq <= last || seen[e.ID] {
				t.Fatalf("envelope %s seq %d after seq %d (seen before: %v)", e.ID, e.Seq, last, seen[e.ID])
			}
			last = e.Seq
			seen[e.ID] = true
		}
		return envs
	}
	var unacked []wire.Envelope
	for len(unacked) < window {
		unacked = append(unacked, take()...)
	}
	select {
	case <-overflowed:
	case <-time.After(waitTimeout):
		t.Fatalf("the senders had %d sends acknowledged, want %d", sent.Load(), window+memEnvelopes+1)
	}
	b.ack(unacked)
	for len(seen) < senders*each {
		b.ack(take())
	}
	for range senders {
		<-done
	}
	b.sync() // every ack is committed
	if d, _ := r.srv.st.Depth(t.Context(), device{bob.PersonID, 1}.mailbox()); d != 0 {
		t.Fatalf("depth %d after acking all", d)
	}
}
