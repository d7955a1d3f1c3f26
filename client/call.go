package client

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sambung/internal/jsonw"
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
	// maxCallDuration caps a reported duration: a week is longer than any
	// call, and keeps the number well inside a JavaScript safe integer.
	maxCallDuration = 7 * 24 * time.Hour

	// prefixCall keys the state of a call in progress:
	// call/<conv>/<call id> = "<offer ts>.<flags>". It lives from offer to
	// end, and lets the end say whether the call was answered.
	prefixCall = "call/"
	// PathICEServers is the relay endpoint that hands out ICE servers
	// and short-lived TURN credentials.
	PathICEServers = "/v1/ice-servers"
)

// CallSignal is one call signaling message: the Call of a Content of
// KindCall, and what SendCall sends.
type CallSignal struct {
	CallID string   `json:"callId"` // chosen by the caller; the same in every message of the call
	Op     string   `json:"op"`     // CallOffer, CallAnswer, …
	Video  bool     `json:"video,omitempty"`
	SDP    string   `json:"sdp,omitempty"` // offer and answer only
	ICE    []string `json:"ice,omitempty"` // ICE only: "candidate:…" lines, "" for end of candidates
	// Muted and CameraOff describe the sender's media (offer, answer, media).
	Muted     bool `json:"muted,omitempty"`
	CameraOff bool `json:"cameraOff,omitempty"`
	// Duration is the connected time in milliseconds, on hangup.
	Duration int64 `json:"duration,omitempty"`
}

// CallRecord is a call in the history: the Call of a Message, whose
// Outgoing says who called and SentAt when the call began.
type CallRecord struct {
	Video    bool   `json:"video"`
	Outcome  string `json:"outcome"`            // CallMissed, CallDeclined, …
	Duration int64  `json:"duration,omitempty"` // milliseconds, when completed
}

// CallEvent reports a call signaling message from the peer (Self false)
// or from another device of this person (Self true, e.g. an answer there:
// stop ringing here). Stale offers never come as a CallEvent: they go to
// the history as missed calls.
type CallEvent struct {
	Type           string     `json:"type"`
	ConversationID string     `json:"conversationId"`
	FromDevice     uint32     `json:"fromDevice"`
	Self           bool       `json:"self"`
	Signal         CallSignal `json:"signal"`
	// SentAt is the sender's clock, Unix milliseconds.
	SentAt int64 `json:"sentAt"`
}

// EventCall is the event type of a CallEvent.
const EventCall = "call"

func (CallEvent) EventType() string { return EventCall }

// validate checks a signal's fields for its op.
func (s *CallSignal) validate() error {
	if !validID(s.CallID) {
		return badContent("call id")
	}
	sdp := s.Op == CallOffer || s.Op == CallAnswer
	switch s.Op {
	case CallOffer, CallAnswer, CallICE, CallMedia, CallHangup, CallDecline, CallBusy:
	default:
		return badContent("call op")
	}
	if sdp != (s.SDP != "") || len(s.SDP) > maxSDP || !strings.HasPrefix(s.SDP, "v=0\r\n") && sdp || !printable(s.SDP, true) {
		return badContent("call sdp")
	}
	if (s.Op == CallICE) != (len(s.ICE) > 0) || len(s.ICE) > maxCandidates {
		return badContent("call ice")
	}
	for _, c := range s.ICE {
		if len(c) > maxCandidate || c != "" && !strings.HasPrefix(c, "candidate:") || !printable(c, false) {
			return badContent("call candidate")
		}
	}
	if s.Duration < 0 || s.Duration > maxCallDuration.Milliseconds() || s.Duration != 0 && s.Op != CallHangup {
		return badContent("call duration")
	}
	return nil
}

// printable accepts valid UTF-8 without control characters other than
// (when lines is set) CR and LF: a candidate or SDP cannot smuggle in a
// line of its own.
func printable(s string, lines bool) bool {
	for _, r := range s {
		if r == utf8.RuneError || r == 0x7f || r < 0x20 && !(lines && (r == '\r' || r == '\n')) {
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
	c.mu.Lock()
	_, err := c.signedIn()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	person, err := c.resolve(ctx, conversationID)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.signedIn()
	if err != nil {
		return err
	}
	if person == a.PersonID {
		return ErrUnknownConversation
	}
	t := c.newTx(ctx)
	cr, err := t.contact(person)
	if err != nil {
		return err
	}
	if cr.identityChanged() {
		return ErrIdentityChanged
	}
	id, err := c.newID()
	if err != nil {
		return err
	}
	ts := max(c.nowMillis(), c.lastTS+1)
	c.lastTS = ts
	ct := &Content{Kind: KindCall, ID: id, TS: ts, To: person, Call: &s}
	if err := t.enqueue(person, ct); err != nil {
		return err
	}
	if err := t.trackCall(person, a.PersonID, &s, ts, true); err != nil {
		return err
	}
	if err := t.sealPending(); err != nil {
		t.discard()
		return err
	}
	if err := t.commit(); err != nil {
		return err
	}
	c.wake()
	return nil
}

// receiveCall handles a call signal from the peer (self false) or from
// another device of this person.
func (r *receiving) receiveCall(conv string, fromDevice uint32, ct *Content, self bool) error {
	t := r.t
	s := ct.Call
	caller := conv
	if self {
		caller = t.c.acct.PersonID
	}
	if s.Op == CallOffer && !self {
		now := t.c.nowMillis()
		cr, err := t.contact(conv)
		if err != nil {
			return err
		}
		if now-ct.TS > CallRingWindow.Milliseconds() || cr.identityChanged() {
			// Too late to ring, or from keys the user has not accepted:
			// only the history hears of it.
			return t.storeCall(conv, caller, s.CallID, ct.TS, CallRecord{Video: s.Video, Outcome: CallMissed}, false)
		}
	}
	if err := t.trackCall(conv, caller, s, ct.TS, self); err != nil {
		return err
	}
	t.emit(CallEvent{Type: EventCall, ConversationID: conv, FromDevice: fromDevice, Self: self, Signal: *s, SentAt: ct.TS})
	return nil
}

// trackCall keeps the state of a call in conv as its signals go by: an
// offer opens it, an answer marks it answered, and an end (hangup,
// decline, busy) records the call in the history and forgets the state.
// mine says the signal came from this person (this or another device).
func (t *tx) trackCall(conv, caller string, s *CallSignal, ts int64, mine bool) error {
	key := prefixCall + conv + "/" + s.CallID
	if s.Op == CallOffer {
		t.put(key, []byte(strconv.FormatInt(ts, 10)+"."+flags(s.Video, mine, false)))
		return nil
	}
	b, ok, err := t.get(key)
	if err != nil || !ok {
		return err // the call is over, or never rang here
	}
	tsText, f, _ := strings.Cut(string(b), ".")
	start, _ := strconv.ParseInt(tsText, 10, 64)
	video, outgoing, answered := len(f) == 3 && f[0] == '1', len(f) == 3 && f[1] == '1', len(f) == 3 && f[2] == '1'
	rec := CallRecord{Video: video || s.Video}
	switch s.Op {
	case CallAnswer:
		t.put(key, []byte(tsText+"."+flags(video, outgoing, true)))
		return nil
	case CallDecline:
		rec.Outcome = CallDeclined
	case CallBusy:
		rec.Outcome = CallBusyPeer
		if mine {
			rec.Outcome = CallMissed
		}
	case CallHangup:
		switch {
		case answered:
			rec.Outcome, rec.Duration = CallCompleted, s.Duration
		case outgoing:
			rec.Outcome = CallUnanswered
		default:
			rec.Outcome = CallMissed
		}
	default:
		return nil
	}
	t.del(key)
	if outgoing {
		caller = t.c.acct.PersonID
	} else {
		caller = conv
	}
	return t.storeCall(conv, caller, s.CallID, start, rec, outgoing)
}

func flags(bits ...bool) string {
	b := make([]byte, len(bits))
	for i, on := range bits {
		b[i] = '0'
		if on {
			b[i] = '1'
		}
	}
	return string(b)
}

// storeCall records a call in the history under its call id, which every
// device of both people shares, so a record that arrives on two paths is
// stored once. A missed call counts as unread; the others the user saw.
func (t *tx) storeCall(conv, caller, callID string, start int64, rec CallRecord, outgoing bool) error {
	m := &Message{
		ID: callID, ConversationID: conv, From: caller, Outgoing: outgoing, SentAt: start,
		Order: orderKey(start, callID), Status: StatusRead, Call: &rec,
	}
	if outgoing {
		m.Status = StatusSent
	} else if rec.Outcome == CallMissed {
		m.Status = StatusDelivered
	}
	stored, err := t.storeMessage(m)
	if err != nil || !stored {
		return err
	}
	t.emit(MessageEvent{Type: EventMessage, Message: *m}, ConversationEvent{Type: EventConversations})
	return nil
}

// ICEServer is one entry of ICEServers: WebRTC's RTCIceServer.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// ICEServers is the relay's answer to GET /v1/ice-servers: the servers
// to hand to RTCPeerConnection, and when the TURN credential expires.
type ICEServers struct {
	Servers []ICEServer `json:"iceServers"`
	Expires int64       `json:"expires"` // Unix milliseconds
}

// ICEServers asks the relay for STUN and TURN servers, with a TURN
// credential issued to this device for a short time.
func (c *Client) ICEServers(ctx context.Context) (ICEServers, error) {
	var out ICEServers
	err := c.call(ctx, "GET", PathICEServers, true, nil, &out)
	if out.Servers == nil {
		out.Servers = []ICEServer{}
	}
	return out, err
}

func (s *CallSignal) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("callId")
	w.String(s.CallID)
	w.Key("op")
	w.String(s.Op)
	if s.Video {
		w.Key("video")
		w.Bool(true)
	}
	if s.SDP != "" {
		w.Key("sdp")
		w.String(s.SDP)
	}
	if len(s.ICE) > 0 {
		w.Key("ice")
		writeStrings(w, s.ICE)
	}
	if s.Muted {
		w.Key("muted")
		w.Bool(true)
	}
	if s.CameraOff {
		w.Key("cameraOff")
		w.Bool(true)
	}
	if s.Duration != 0 {
		w.Key("duration")
		w.Int(s.Duration)
	}
	w.ObjectEnd()
}

func (s *CallSignal) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "callId":
			return d.String(&s.CallID)
		case "op":
			return d.String(&s.Op)
		case "video":
			return d.Bool(&s.Video)
		case "sdp":
			return d.String(&s.SDP)
		case "ice":
			return readStrings(d, &s.ICE)
		case "muted":
			return d.Bool(&s.Muted)
		case "cameraOff":
			return d.Bool(&s.CameraOff)
		case "duration":
			return d.Int64(&s.Duration)
		}
		return d.Unknown()
	})
}

func (r *CallRecord) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("video")
	w.Bool(r.Video)
	w.Key("outcome")
	w.String(r.Outcome)
	if r.Duration != 0 {
		w.Key("duration")
		w.Int(r.Duration)
	}
	w.ObjectEnd()
}

func (r *CallRecord) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "video":
			return d.Bool(&r.Video)
		case "outcome":
			return d.String(&r.Outcome)
		case "duration":
			return d.Int64(&r.Duration)
		}
		return d.Unknown()
	})
}

func (s *ICEServers) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "iceServers":
			return jsonw.Slice(d, &s.Servers, func(e *ICEServer) error {
				return d.Object(func(key string) error {
					switch key {
					case "urls":
						// RTCIceServer allows one URL as a plain string.
						if d.Kind() == jsonw.KindString {
							var u string
							err := d.String(&u)
							e.URLs = []string{u}
							return err
						}
						return readStrings(d, &e.URLs)
					case "username":
						return d.String(&e.Username)
					case "credential":
						return d.String(&e.Credential)
					}
					return d.Skip()
				})
			})
		case "expires":
			return d.Int64(&s.Expires)
		}
		return d.Skip()
	})
}
