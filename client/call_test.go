//go:build !js

package client_test

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"sambung/client"
	"sambung/wire"
)

const offerSDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"a=fingerprint:sha-256 3E:2F:0B:5C:6A:7D:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA\r\n"

// testStart is when the calls of the tests were dialed.
const testStart = 1700000000000

// callEvents returns the call events of d so far.
func (d *device) callEvents() []client.CallEvent {
	var out []client.CallEvent
	for _, e := range d.eventsOf(client.EventCall) {
		out = append(out, e.(client.CallEvent))
	}
	return out
}

// waitCall waits for a call event with op and returns it.
func (d *device) waitCall(callID, op string) client.CallEvent {
	d.t.Helper()
	return eventuallyFind(d.t, "call "+op, d.callEvents,
		func(e client.CallEvent) bool { return e.Signal.CallID == callID && e.Signal.Op == op })
}

// waitCallRecord waits until conv on d holds the call callID in its
// history, and returns it.
func (d *device) waitCallRecord(conv, callID string) client.Message {
	d.t.Helper()
	return eventuallyFind(d.t, "call record "+callID, func() []client.Message { return d.history(conv) },
		func(m client.Message) bool { return m.ID == callID && m.Call != nil })
}

func (d *device) sendCall(conv string, s client.CallSignal) {
	d.t.Helper()
	if err := d.c.SendCall(ctx, conv, s); err != nil {
		d.t.Fatalf("SendCall %s: %v", s.Op, err)
	}
}

// TestCallSignaling walks a video call from a phone user to an account
// user with two devices: the offer rings on both, the answer from one
// reaches the caller and tells the other to stop ringing, candidates and
// the hang-up go through, and all three devices (and the caller) record
// one completed call, never a chat text.
func TestCallSignaling(t *testing.T) {
	r := startRelay(t)
	ayu := newPhone(t, r, nil, "+6281222222222")
	budi1 := newAccount(t, r, nil, "budi")
	budi2 := signInAccount(t, r, "budi")
	connectAll(ayu, budi1, budi2)
	a, b := ayu.me().PersonID, budi1.me().PersonID

	const id = "call1"
	if _, err := ayu.c.Lookup(ctx, "account:budi"); err != nil {
		t.Fatal(err)
	}
	ayu.sendCall(b, client.CallSignal{Start: testStart, CallID: id, Flags: client.CallCaller | client.CallVideo, Op: client.CallOffer, SDP: offerSDP})
	for _, d := range []*device{budi1, budi2} {
		e := d.waitCall(id, client.CallOffer)
		if e.ConversationID != a || e.Self || e.Signal.SDP != offerSDP || e.Signal.Flags&client.CallVideo == 0 || e.FromDevice != ayu.me().DeviceID {
			t.Fatalf("offer event: %+v", e)
		}
	}
	budi1.sendCall(a, client.CallSignal{Start: testStart, CallID: id, Op: client.CallAnswer, SDP: offerSDP})
	if e := ayu.waitCall(id, client.CallAnswer); e.Self || e.ConversationID != b || e.FromDevice != budi1.me().DeviceID {
		t.Fatalf("answer at the caller: %+v", e)
	}
	if e := budi2.waitCall(id, client.CallAnswer); !e.Self || e.ConversationID != a {
		t.Fatalf("answer at the callee's other device: %+v", e)
	}
	cand := "candidate:1 1 udp 2122260223 127.0.0.1 40000 typ host"
	ayu.sendCall(b, client.CallSignal{Start: testStart, CallID: id, Flags: client.CallCaller, Op: client.CallICE, ICE: []string{cand}})
	if e := budi1.waitCall(id, client.CallICE); len(e.Signal.ICE) != 1 || e.Signal.ICE[0] != cand {
		t.Fatalf("ice: %+v", e)
	}
	budi1.sendCall(a, client.CallSignal{Start: testStart, CallID: id, Op: client.CallMedia, Flags: client.CallVideo | client.CallMuted})
	if e := ayu.waitCall(id, client.CallMedia); e.Signal.Flags&client.CallMuted == 0 {
		t.Fatalf("media: %+v", e)
	}
	ayu.sendCall(b, client.CallSignal{Start: testStart, CallID: id, Flags: client.CallCaller | client.CallVideo | client.CallAnswered, Op: client.CallHangup, Duration: 42_000})
	budi1.waitCall(id, client.CallHangup)

	want := client.CallRecord{Video: true, Outcome: client.CallCompleted, Duration: 42000}
	mine := ayu.waitCallRecord(b, id)
	for _, d := range []*device{budi1, budi2} {
		m := d.waitCallRecord(a, id)
		if *m.Call != want || m.Outgoing || m.From != a || m.Order != mine.Order || m.Status != client.StatusRead {
			t.Fatalf("callee's record: %+v", m)
		}
	}
	if *mine.Call != want || !mine.Outgoing || mine.From != a {
		t.Fatalf("caller's record: %+v", mine)
	}
	// Signaling is never a message: each history holds the one record.
	for _, d := range []*device{ayu, budi1, budi2} {
		conv := a
		if d == ayu {
			conv = b
		}
		if h := d.history(conv); len(h) != 1 || h[0].Text != "" {
			t.Fatalf("history: %+v", h)
		}
	}
}

// TestCallEnds: a declined call, a call the caller gave up on (missed,
// unread, at the callee), and a busy callee, each recorded on both sides.
func TestCallEnds(t *testing.T) {
	r := startRelay(t)
	ayu, budi := pairOf(t, r, "+6281333333333", "budi")
	a, b := ayu.me().PersonID, budi.me().PersonID
	if _, err := ayu.c.Lookup(ctx, "account:budi"); err != nil {
		t.Fatal(err)
	}

	ayu.sendCall(b, client.CallSignal{Start: testStart, CallID: "declined", Flags: client.CallCaller, Op: client.CallOffer, SDP: offerSDP})
	budi.waitCall("declined", client.CallOffer)
	budi.sendCall(a, client.CallSignal{Start: testStart, CallID: "declined", Op: client.CallDecline})
	ayu.waitCall("declined", client.CallDecline)

	ayu.sendCall(b, client.CallSignal{Start: testStart, CallID: "missed", Flags: client.CallCaller | client.CallVideo, Op: client.CallOffer, SDP: offerSDP})
	budi.waitCall("missed", client.CallOffer)
	ayu.sendCall(b, client.CallSignal{Start: testStart, CallID: "missed", Flags: client.CallCaller | client.CallVideo, Op: client.CallHangup})

	budi.sendCall(a, client.CallSignal{Start: testStart, CallID: "busy", Flags: client.CallCaller, Op: client.CallOffer, SDP: offerSDP})
	ayu.waitCall("busy", client.CallOffer)
	ayu.sendCall(b, client.CallSignal{Start: testStart, CallID: "busy", Op: client.CallBusy})

	for _, c := range []struct {
		id              string
		caller, callee  string // outcomes
		video, outgoing bool   // at Ayu's
	}{
		{id: "declined", caller: client.CallDeclined, callee: client.CallDeclined, outgoing: true},
		{id: "missed", caller: client.CallUnanswered, callee: client.CallMissed, video: true, outgoing: true},
		{id: "busy", caller: client.CallBusyPeer, callee: client.CallMissed},
	} {
		at, bt := ayu.waitCallRecord(b, c.id), budi.waitCallRecord(a, c.id)
		callerRec, calleeRec := at, bt
		if !c.outgoing {
			callerRec, calleeRec = bt, at
		}
		ar, br := at.Call, bt.Call
		if at.Outgoing != c.outgoing || bt.Outgoing == c.outgoing || ar.Video != c.video || br.Video != c.video {
			t.Errorf("%s: ayu %+v budi %+v", c.id, at, bt)
		}
		cr, ce := callerRec.Call, calleeRec.Call
		if cr.Outcome != c.caller || ce.Outcome != c.callee || at.Order != bt.Order {
			t.Errorf("%s: caller %+v, callee %+v", c.id, callerRec, calleeRec)
		}
	}
	// The missed call counts as unread at Budi's, as a missed call should.
	budi.waitConversations("one unread call", func(cs []client.Conversation) bool {
		return len(cs) == 1 && cs[0].Unread == 1
	})
}

// TestStaleOfferNeverRings: an offer that reaches the callee after the
// ring window (it was offline) is a missed call, not a ringing one.
func TestStaleOfferNeverRings(t *testing.T) {
	r := startRelay(t)
	var skew atomic.Int64
	late := func(cfg *client.Config) {
		cfg.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
	}
	ayu := newPhone(t, r, nil, "+6281444444444")
	budi := newAccount(t, r, nil, "budi", late)
	ayu.connect()
	a, b := ayu.me().PersonID, budi.me().PersonID
	if _, err := ayu.c.Lookup(ctx, "account:budi"); err != nil {
		t.Fatal(err)
	}

	ayu.sendCall(b, client.CallSignal{Start: testStart, CallID: "old", Flags: client.CallCaller, Op: client.CallOffer, SDP: offerSDP})
	after := ayu.send(b, "after the call") // in order behind the offer
	skew.Store(int64(client.CallRingWindow + time.Second))
	budi.connect()
	if m := budi.waitCallRecord(a, "old"); *m.Call != (client.CallRecord{Outcome: client.CallMissed}) || m.Outgoing {
		t.Fatalf("stale offer: %+v", m)
	}
	// Events go out in order: once the text's is in, a ring would be too.
	budi.waitMessageEvent(a, after.ID)
	if ev := budi.callEvents(); len(ev) != 0 {
		t.Fatalf("a stale offer rang: %+v", ev)
	}
}

// TestCallRefusals: no call to oneself or to a contact whose keys
// changed.
func TestCallRefusals(t *testing.T) {
	r := startRelay(t)
	ayu := newPhone(t, r, nil, "+6281555555555")
	err := ayu.c.SendCall(ctx, ayu.me().PersonID, client.CallSignal{Start: testStart, CallID: "x", Flags: client.CallCaller, Op: client.CallOffer, SDP: offerSDP})
	wantCode(t, err, "unknown_conversation")
	budi := newAccount(t, r, nil, "budi")
	b := budi.me().PersonID
	err = ayu.c.SendCall(ctx, b, client.CallSignal{Start: testStart, CallID: "x", Op: "ring"})
	wantCode(t, err, "bad_content")
	// A person this device never looked up is no conversation yet.
	err = ayu.c.SendCall(ctx, b, client.CallSignal{Start: testStart, CallID: "x", Flags: client.CallCaller, Op: client.CallOffer, SDP: offerSDP})
	wantCode(t, err, "unknown_conversation")
	if _, err := ayu.c.Lookup(ctx, "account:budi"); err != nil {
		t.Fatal(err)
	}
	if err := ayu.c.SendCall(ctx, b, client.CallSignal{Start: testStart, CallID: "x", Flags: client.CallCaller, Op: client.CallOffer, SDP: offerSDP}); err != nil {
		t.Fatal(err)
	}
	_, err = newDevice(t, r, nil).c.ICEServers(ctx)
	wantCode(t, err, "not_signed_in")
	// This relay runs no TURN server and knows no other: no servers.
	text, err := ayu.c.ICEServers(ctx)
	var got wire.ICEServers
	if err != nil || json.Unmarshal([]byte(text), &got) != nil || got.ICEServers == nil || len(got.ICEServers) != 0 {
		t.Fatalf("ICEServers: %s, %v", text, err)
	}
}
