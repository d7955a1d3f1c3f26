package client

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sambung/internal/jsonw"
	"sambung/wire"
)

// Call signaling. A 1:1 call is set up by the page (WebRTC lives there);
// the client only carries its signaling, as Content of KindCall through
// the Double Ratchet, to every device of the peer and to this person's own
// other devices, and keeps the call history. The SDP therefore reaches the
// peer authenticated: the DTLS fingerprint in it is what binds the media
// to the person at the other end of the ratchet.

// Call operations (CallSignal.Op).
const (
	CallOffer   = "offer"   // the caller's SDP offer: the call rings
	CallAnswer  = "answer"  // the callee's SDP answer: the call is accepted
	CallICE     = "ice"     // trickled ICE candidates
	CallMedia   = "media"   // the sender muted, turned the camera off or switched voice/video
	CallHangup  = "hangup"  // either side ends the call (or the caller gives up ringing)
	CallDecline = "decline" // the callee refuses it
	CallBusy    = "busy"    // the callee is in another call
)

// Call outcomes, as the history records them (CallRecord.Outcome).
const (
	CallMissed     = "missed"     // incoming, never answered
	CallDeclined   = "declined"   // refused by the callee
	CallBusyPeer   = "busy"       // outgoing, the callee was in another call
	CallUnanswered = "unanswered" // outgoing, the caller gave up before an answer
	CallCompleted  = "completed"  // answered, then hung up
)

const (
	// CallRingWindow is how old an offer may be and still ring: a little
	// longer than the page's default ring time (45 s, as WhatsApp), so an
	// offer that sat in a mailbox while the callee was offline becomes a
	// missed call instead of ringing for a call long given up.
	CallRingWindow = 60 * time.Second

	// maxSDP caps an offer or answer: Chrome's audio+video SDP with every
	// codec is 5-8 KB; 32 KiB leaves room for other browsers and many
	// candidates, and stays far under the relay's envelope cap after
	// padding and encryption.
	maxSDP = 32 << 10
	// maxCandidates and maxCandidate cap one ICE batch: a host has a few
	// interfaces times UDP/TCP, plus server-reflexive and relay candidates;
	// a candidate line is ~100-250 bytes.
	maxCandidates = 32
	maxCandidate  = 1024
	// maxCallJSON caps the JSON text of a signal: an SDP of maxSDP with
	// every CRLF escaped (4 bytes for 2), plus the other fields.
	maxCallJSON = 2*maxSDP + 1024
	// maxCallDuration caps a reported duration: a week is longer than any
	// call, and keeps the number well inside a JavaScript safe integer.
	maxCallDuration = 7 * 24 * time.Hour
)

// CallSignal is one call signaling message. It travels as its JSON
// text (the Call of a Content of KindCall), which the page writes and
// reads: the module only decodes it to check it and to keep the history.
type CallSignal struct {
	CallID string   `json:"callId"`        // chosen by the caller; the same in every message of the call
	Op     string   `json:"op"`            // CallOffer, CallAnswer, …
	SDP    string   `json:"sdp,omitempty"` // offer and answer only
	ICE    []string `json:"ice,omitempty"` // ICE only: "candidate:…" lines, "" for end of candidates
	// Flags are CallVideo, CallMuted, … (one number, so that the module
	// decodes one field for them).
	Flags int `json:"flags,omitempty"`
	// Start is when the caller dialed (its clock, Unix milliseconds), the
	// same in every signal of the call: the call's place in the history.
	Start int64 `json:"start"`
	// Duration is how long an answered call was connected (hangup only),
	// in milliseconds.
	Duration int64 `json:"duration,omitempty"`
}

// Call signal flags (CallSignal.Flags).
const (
	CallVideo     = 1 << iota // a video call (every signal of it)
	CallMuted                 // the sender's microphone is off (offer, answer, media)
	CallCameraOff             // the sender's camera is off (offer, answer, media)
	CallCaller                // the sender is the caller
	CallAnswered              // the call was answered (hangup)
	callFlags     = 1<<iota - 1
)

// CallRecord is a call in the history (Message.Call); the Message's
// Outgoing says who called and SentAt when the call began.
type CallRecord struct {
	Outcome string `json:"outcome"` // CallMissed, CallDeclined, …
	Video   bool   `json:"video"`
	// Duration is how long the call was connected, in milliseconds, when
	// completed.
	Duration int64 `json:"duration"`
}

// ReadJSON reads the record as WriteJSON writes it, or as a string
// "<outcome> <video|voice> <duration ms>" as messages stored it before.
// Hand-written for that older form.
func (r *CallRecord) ReadJSON(d *jsonw.Decoder) error {
	if d.Kind() == jsonw.KindString {
		var s string
		if err := d.String(&s); err != nil {
			return err
		}
		outcome, rest, _ := strings.Cut(s, " ")
		kind, ms, _ := strings.Cut(rest, " ")
		n, err := strconv.ParseInt(ms, 10, 64)
		if err != nil {
			return err
		}
		*r = CallRecord{Outcome: outcome, Video: kind == "video", Duration: n}
		return nil
	}
	return jsonw.ReadObject(d, r)
}

// CallEvent reports a call signaling message from the peer (Self false)
// or from another device of this person (Self true, e.g. an answer there:
// stop ringing here). Stale offers never come as a CallEvent: they go to
// the history as missed calls.
type CallEvent struct {
	_              [0]func()   // not comparable: the module needs no == for it
	ConversationID string      `json:"conversationId"`
	FromDevice     uint32      `json:"fromDevice"`
	Self           bool        `json:"self"`
	Signal         *CallSignal `json:"signal"`
	// SignalJSON is Signal as the sender wrote it.
	SignalJSON string `json:"-"`
}

// EventCall is the event type of a CallEvent.
const EventCall = "call"

func (CallEvent) EventType() string { return EventCall }

// decodeCallSignal decodes and checks the JSON text of a signal.
func decodeCallSignal(text string) (*CallSignal, error) {
	s := new(CallSignal)
	d := jsonw.NewDecoder([]byte(text))
	d.DisallowUnknown = true
	if len(text) > maxCallJSON || d.Decode(s) != nil || !s.valid() {
		return nil, badContent("call")
	}
	return s, nil
}

// valid checks a signal's fields for its op.
func (s *CallSignal) valid() bool {
	hasSDP := s.Op == CallOffer || s.Op == CallAnswer
	switch s.Op {
	case CallOffer, CallAnswer, CallICE, CallMedia, CallHangup, CallDecline, CallBusy:
	default:
		return false
	}
	ok := validID(s.CallID) && len(s.SDP) <= maxSDP && printable(s.SDP, "\r\n") &&
		hasSDP == strings.HasPrefix(s.SDP, "v=0\r\n") &&
		(s.Op == CallICE) == (len(s.ICE) > 0) && len(s.ICE) <= maxCandidates &&
		s.Start > 0 && s.Start <= maxTimestamp && s.Flags >= 0 && s.Flags <= callFlags &&
		(s.Op != CallOffer || s.Flags&CallCaller != 0) && s.Duration >= 0 && s.Duration <= maxCallDuration.Milliseconds() &&
		(s.Duration == 0 && s.Flags&CallAnswered == 0 || s.Op == CallHangup)
	for _, c := range s.ICE {
		ok = ok && len(c) <= maxCandidate && (c == "" || strings.HasPrefix(c, "candidate:")) && printable(c, "")
	}
	return ok
}

// printable accepts valid UTF-8 without control characters other than
// those in allowed (CR and LF for an SDP): a candidate cannot smuggle in
// a line of its own, nor an SDP a NUL.
func printable(s, allowed string) bool {
	for _, r := range s {
		if r == utf8.RuneError || r == 0x7f || r < 0x20 && !strings.ContainsRune(allowed, r) {
			return false
		}
	}
	return true
}

// SendCall sends a call signaling message to a conversation's devices and
// this person's other devices, through the outbox like a text: a first
// contact's sessions are set up, and a lost connection resends it. Sending
// an offer starts a call; a hangup, decline or busy ends it and records it
// in the history (a MessageEvent). A contact whose identity changed cannot
// be called until AcceptIdentity.
func (c *Client) SendCall(ctx context.Context, conversationID string, s CallSignal) error {
	return c.SendCallJSON(ctx, conversationID, string(jsonw.Marshal(&s)))
}

// SendCallJSON is SendCall with the signal as JSON text, as the page
// writes it; a signal that does not decode or check is ErrBadContent.
func (c *Client) SendCallJSON(ctx context.Context, conversationID, signal string) error {
	s, err := decodeCallSignal(signal)
	if err != nil {
		return err
	}
	return c.commit(ctx, []string{contactKey(conversationID)}, func(t *tx) error {
		a, err := c.signedIn()
		if err != nil {
			return err
		}
		if !wire.ValidPersonID(conversationID) || conversationID == a.PersonID {
			return ErrUnknownConversation
		}
		cr, id, ts, err := t.stampTo(conversationID)
		if err != nil {
			return err
		}
		if !cr.Known && len(cr.Devices) == 0 {
			return ErrUnknownConversation
		}
		if err := t.enqueue(conversationID, &Content{Kind: KindCall, ID: id, TS: ts, To: conversationID, Call: signal}); err != nil {
			return err
		}
		if err := t.recordCall(conversationID, s, true); err != nil {
			return err
		}
		if err := t.sealPending(); err != nil {
			return err
		}
		return nil
	})
}

// receiveCall handles a call signal from the peer (self false) or from
// another device of this person.
func (r *receiving) receiveCall(conv string, fromDevice uint32, ct *Content, self bool) error {
	t := r.t
	s, err := decodeCallSignal(ct.Call)
	if err != nil {
		return nil // decodeContent checked it
	}
	if s.Op == CallOffer && !self {
		cr, err := t.contact(conv)
		if err != nil {
			return err
		}
		if t.c.nowMillis()-ct.TS > CallRingWindow.Milliseconds() || cr.identityChanged() {
			// Too late to ring, or from keys the user has not accepted:
			// only the history hears of it, as a call the caller gave up.
			s.Op = CallHangup
			return t.recordCall(conv, s, false)
		}
	}
	t.emit(CallEvent{ConversationID: conv, FromDevice: fromDevice, Self: self, Signal: s, SignalJSON: ct.Call})
	return t.recordCall(conv, s, self)
}

// recordCall records the call in conv's history when s ends it (hangup,
// decline, busy); mine says this person sent s. The record is a message
// whose id is the call id, which every device of both people shares, so
// an end that arrives on two paths (both hang up) is stored once. A
// missed call counts as unread; the others the user saw.
func (t *tx) recordCall(conv string, s *CallSignal, mine bool) error {
	outgoing := mine == (s.Flags&CallCaller != 0)
	outcome := CallMissed
	switch {
	case s.Op == CallDecline:
		outcome = CallDeclined
	case s.Op == CallBusy && !mine:
		outcome = CallBusyPeer
	case s.Op == CallHangup && s.Flags&CallAnswered != 0:
		outcome = CallCompleted
	case s.Op == CallHangup && outgoing:
		outcome = CallUnanswered
	case s.Op != CallHangup && s.Op != CallBusy:
		return nil
	}
	m := &Message{
		ID: s.CallID, ConversationID: conv, From: conv, SentAt: s.Start, Order: orderKey(s.Start, s.CallID), Status: StatusRead,
		Call: &CallRecord{Outcome: outcome, Video: s.Flags&CallVideo != 0, Duration: s.Duration},
	}
	if outgoing {
		m.From, m.Outgoing, m.Status = t.c.acct.PersonID, true, StatusSent
	} else if outcome == CallMissed {
		m.Status = StatusDelivered
	}
	_, err := t.addMessage(m)
	return err
}

// ICEServers asks the relay for STUN and TURN servers, with a TURN
// credential issued to this device for a short time, and returns its
// answer as JSON text: {"iceServers": [RTCIceServer…], "expires": ms}.
// The page hands the list to RTCPeerConnection, which checks each entry;
// here it is only checked to be that object.
func (c *Client) ICEServers(ctx context.Context) (string, error) {
	var list iceServers
	b, err := c.request(ctx, "GET", wire.PathICEServers, true, nil)
	if err == nil && (jsonw.Unmarshal(b, &list) != nil || !list.ok) {
		err = &wire.Error{Code: wire.CodeInternal, Message: "the relay's ICE servers do not decode"}
	}
	return string(b), err
}

// iceServers checks the shape of the relay's answer.
type iceServers struct{ ok bool }

func (l *iceServers) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		if key == "iceServers" {
			l.ok = d.Kind() == jsonw.KindArray
		}
		return d.Skip()
	})
}
