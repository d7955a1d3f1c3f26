package wire

import (
	"strconv"

	"sambung/internal/jsonw"
)

// Frame types. Every websocket message is one JSON object whose "type"
// member is one of these.
const (
	// Client to relay.
	TypeAuth = "auth"
	TypeSend = "send"
	TypeAck  = "ack"
	TypePing = "ping"

	// Relay to client.
	TypeReady     = "ready"
	TypeEnvelopes = "envelopes"
	TypeSent      = "sent"
	TypeError     = "error"
	TypeKeysLow   = "keys-low"
	TypePong      = "pong"
	TypeDrained   = "drained"
	TypeAlert     = "alert"
)

// Alert kinds: what an AlertFrame warns a device of.
const (
	// AlertSignInFailures: Count wrong passwords were tried for the
	// person's account ID since its last successful sign-in.
	AlertSignInFailures = "sign-in-failures"
	// AlertPreKeysDrained: others fetched Count of this device's one-time
	// prekeys within an hour without sending it anything, faster than new
	// contacts do.
	AlertPreKeysDrained = "prekeys-drained"
)

// Frame is one websocket message. Encode adds the "type" member. The
// frame types of this package implement it: each lists its members
// (jsonw_gen.go).
type Frame interface {
	FrameType() string
	jsonw.Object
}

// AuthFrame must be the first frame of every connection. A browser
// WebSocket cannot set headers, and a token in the URL would reach logs.
type AuthFrame struct {
	Token []byte `json:"token"`
}

// MessageKind is an envelope's ciphertext type as libsignal numbers it
// (e.g. 3 for a PreKeyWhisperMessage). The relay only carries it; the
// client maps it to the crypto package's own type.
type MessageKind uint8

// Envelope is one ciphertext for one device, the one shape it has from
// the sender through the relay's store to the recipient. The sender sets
// ID, Device, Type, Body and TS; the relay sends on the stored copy
// without Device and with Seq, From, FromDevice, ServerTS and, on the
// sender's own copies, Dest. The fields one side does not set are zero
// and left out of its JSON.
type Envelope struct {
	// Seq orders the recipient device's mailbox; it acknowledges by it.
	Seq uint64 `json:"seq,omitempty"`
	// ID is chosen by the client, unique per sending device; a resend with
	// the same id is acknowledged and not stored twice.
	ID string `json:"id"`
	// Device is the recipient device, as the sender addresses it.
	Device     uint32 `json:"device,omitempty"`
	From       string `json:"from,omitempty"`
	FromDevice uint32 `json:"fromDevice,omitempty"`
	// Dest is set on the sender's own copies (From is this device's person):
	// the person the message was sent to.
	Dest string      `json:"dest,omitempty"`
	Type MessageKind `json:"type"`
	Body []byte      `json:"body"`
	// TS is the sender's clock in Unix milliseconds, ServerTS the relay's
	// when it stored the envelope.
	TS       int64 `json:"ts"`
	ServerTS int64 `json:"serverTs,omitempty"`
}

// SendFrame sends one message: Envelopes holds one envelope per device of
// person To, Self one per other device of the sender's own person. When To
// is the sender's own person, Envelopes covers the sender's other devices
// and Self is empty. The relay answers SentFrame once all of them are
// durable, or ErrorFrame with the same ID; it stores all or none.
type SendFrame struct {
	ID        string     `json:"id"`
	To        string     `json:"to"`
	Envelopes []Envelope `json:"envelopes"`
	Self      []Envelope `json:"self,omitempty"`
}

// AckFrame tells the relay the device has stored these envelopes (by the
// seq they were pushed with); the relay deletes them.
type AckFrame struct {
	Seqs []uint64 `json:"seqs"`
}

// PingFrame asks for a PongFrame with the same ID.
type PingFrame struct {
	ID string `json:"id,omitempty"`
}

// ReadyFrame answers a good AuthFrame. Pushes follow it.
type ReadyFrame struct {
	PersonID       string `json:"personId"`
	DeviceID       uint32 `json:"deviceId"`
	OneTimePreKeys int    `json:"oneTimePreKeys"`
}

// EnvelopesFrame pushes envelopes in mailbox order.
type EnvelopesFrame struct {
	Envelopes []Envelope `json:"envelopes"`
}

// SentFrame acknowledges a SendFrame: every envelope is durably stored.
// Duplicates counts envelopes that had been stored before (resends).
type SentFrame struct {
	ID         string `json:"id"`
	Duplicates int    `json:"duplicates,omitempty"`
}

// ErrorFrame reports an error; ID is the request's when there was one.
type ErrorFrame struct {
	ID string `json:"id,omitempty"`
	Error
}

// KeysLowFrame tells a device to upload more one-time prekeys.
type KeysLowFrame struct {
	Count int `json:"count"`
}

// PongFrame answers a PingFrame.
type PongFrame struct {
	ID string `json:"id,omitempty"`
}

// DrainedFrame says the mailbox backlog present at connect has been pushed;
// what follows is live.
type DrainedFrame struct{}

// AlertFrame warns a device that someone may be attacking its person: Kind
// is one of the Alert constants, Count what it counts. A client shows it;
// it needs no answer. Clients ignore kinds they do not know.
type AlertFrame struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

func (*AuthFrame) FrameType() string      { return TypeAuth }
func (*SendFrame) FrameType() string      { return TypeSend }
func (*AckFrame) FrameType() string       { return TypeAck }
func (*PingFrame) FrameType() string      { return TypePing }
func (*ReadyFrame) FrameType() string     { return TypeReady }
func (*EnvelopesFrame) FrameType() string { return TypeEnvelopes }
func (*SentFrame) FrameType() string      { return TypeSent }
func (*ErrorFrame) FrameType() string     { return TypeError }
func (*KeysLowFrame) FrameType() string   { return TypeKeysLow }
func (*PongFrame) FrameType() string      { return TypePong }
func (*DrainedFrame) FrameType() string   { return TypeDrained }
func (*AlertFrame) FrameType() string     { return TypeAlert }

// Encode marshals f with its "type" member first.
func Encode(f Frame) ([]byte, error) {
	w := jsonw.NewWriter(make([]byte, 0, 128))
	w.ObjectStart()
	w.Key("type")
	w.String(f.FrameType())
	jsonw.WriteMembers(w, f)
	w.ObjectEnd()
	return w.Bytes(), nil
}

// frameType reads only the "type" member, checking that b is one JSON
// object.
func frameType(b []byte) (string, error) {
	var t string
	d := jsonw.NewDecoder(b)
	if d.Kind() != jsonw.KindObject {
		return "", ErrorWith(CodeBadFrame, "frame is not a JSON object with a string type")
	}
	err := d.Object(func(key string) error {
		if key == "type" {
			return d.String(&t)
		}
		return d.Skip()
	})
	if err != nil || d.End() != nil {
		return "", ErrorWith(CodeBadFrame, "frame is not a JSON object with a string type")
	}
	if t == "" {
		return "", ErrorWith(CodeBadFrame, "frame has no type")
	}
	return t, nil
}

// decodeFields reads the members of f from the frame b, skipping "type"
// and members f does not know.
func decodeFields(b []byte, f Frame) error {
	d := jsonw.NewDecoder(b)
	err := d.Object(func(key string) error {
		if key == "type" {
			return d.Skip()
		}
		if ok, err := jsonw.ReadMember(d, key, f); ok {
			return err
		}
		return d.Unknown()
	})
	if err == nil {
		err = d.End()
	}
	if err != nil {
		return ErrorWith(CodeBadFrame, f.FrameType()+" frame: fields of the wrong type")
	}
	return nil
}

// unknownType reports a frame type this side does not take, quoting at
// most 32 characters of it.
func unknownType(t string) error {
	if r := []rune(t); len(r) > 32 {
		t = string(r[:32])
	}
	return ErrorWith(CodeBadFrame, "unknown frame type "+strconv.Quote(t))
}

// newFrame returns an empty frame of type t and whether clients send it
// (true) or the relay does; nil for a type neither sends.
func newFrame(t string) (Frame, bool) {
	switch t {
	case TypeAuth:
		return &AuthFrame{}, true
	case TypeSend:
		return &SendFrame{}, true
	case TypeAck:
		return &AckFrame{}, true
	case TypePing:
		return &PingFrame{}, true
	case TypeReady:
		return &ReadyFrame{}, false
	case TypeEnvelopes:
		return &EnvelopesFrame{}, false
	case TypeSent:
		return &SentFrame{}, false
	case TypeError:
		return &ErrorFrame{}, false
	case TypeKeysLow:
		return &KeysLowFrame{}, false
	case TypePong:
		return &PongFrame{}, false
	case TypeDrained:
		return &DrainedFrame{}, false
	case TypeAlert:
		return &AlertFrame{}, false
	}
	return nil, false
}

// decodeFrame decodes a frame that clients send (fromClient) or the relay
// does; a frame of the other side's types is an unknown type.
func decodeFrame(b []byte, fromClient bool) (Frame, error) {
	t, err := frameType(b)
	if err != nil {
		return nil, err
	}
	f, client := newFrame(t)
	if f == nil || client != fromClient {
		return nil, unknownType(t)
	}
	if err := decodeFields(b, f); err != nil {
		return nil, err
	}
	return f, nil
}

// DecodeClientFrame decodes and checks a frame a client sends. Errors are
// *Error values (bad_frame, envelope_too_large, too_many_envelopes). When
// the frame parsed but failed a check it is returned along with the error,
// so the relay can answer with the request's id.
func DecodeClientFrame(b []byte) (Frame, error) {
	f, err := decodeFrame(b, true)
	if err != nil {
		return nil, err
	}
	if v, ok := f.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return f, err
		}
	}
	return f, nil
}

// DecodeServerFrame decodes a frame the relay sends, for clients.
func DecodeServerFrame(b []byte) (Frame, error) { return decodeFrame(b, false) }

// validID accepts 1 to max bytes of printable ASCII without spaces, so an
// id can go into logs and keys without escaping.
func validID(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// Validate checks an auth frame's token length.
func (f *AuthFrame) Validate() error {
	if len(f.Token) != TokenSize {
		return ErrorWith(CodeBadFrame, "auth token must be "+strconv.Itoa(TokenSize)+" bytes")
	}
	return nil
}

// Validate checks a send frame's shape and limits. Whether the devices are
// the right ones is the relay's business.
func (f *SendFrame) Validate() error {
	if !validID(f.ID, MaxRequestID) {
		return ErrorWith(CodeBadFrame, "send id must be 1 to "+strconv.Itoa(MaxRequestID)+" printable ASCII bytes")
	}
	if !ValidPersonID(f.To) {
		return ErrorWith(CodeBadFrame, "send to must be a person id")
	}
	n := len(f.Envelopes) + len(f.Self)
	if len(f.Envelopes) == 0 {
		return ErrorWith(CodeBadFrame, "send has no envelopes")
	}
	if n > MaxEnvelopesPerSend {
		return ErrorWith(CodeTooManyEnvelopes, "at most "+strconv.Itoa(MaxEnvelopesPerSend)+" envelopes in one send")
	}
	for _, list := range [][]Envelope{f.Envelopes, f.Self} {
		var seen [MaxEnvelopesPerSend]uint32
		for i, e := range list {
			if err := e.Validate(); err != nil {
				return err
			}
			for _, d := range seen[:i] {
				if d == e.Device {
					return ErrorWith(CodeBadFrame, "device "+utoa(e.Device)+" has two envelopes")
				}
			}
			seen[i] = e.Device
		}
	}
	return nil
}

// Validate checks one envelope's id, device and size as the sender sends
// it; its type's range the decoder checks.
func (e *Envelope) Validate() error {
	if !validID(e.ID, MaxEnvelopeID) {
		return ErrorWith(CodeBadFrame, "envelope id must be 1 to "+strconv.Itoa(MaxEnvelopeID)+" printable ASCII bytes")
	}
	if e.Device == 0 {
		return ErrorWith(CodeBadFrame, "envelope "+e.ID+": device ids start at 1")
	}
	if len(e.Body) == 0 {
		return ErrorWith(CodeBadFrame, "envelope "+e.ID+": empty body")
	}
	if len(e.Body) > MaxEnvelopeBody {
		return ErrorWith(CodeEnvelopeTooLarge, "envelope "+e.ID+": body is "+strconv.Itoa(len(e.Body))+" bytes, at most "+strconv.Itoa(MaxEnvelopeBody))
	}
	return nil
}

// Validate checks an ack frame's size.
func (f *AckFrame) Validate() error {
	if len(f.Seqs) == 0 || len(f.Seqs) > MaxAckSeqs {
		return ErrorWith(CodeBadFrame, "ack carries 1 to "+strconv.Itoa(MaxAckSeqs)+" seqs")
	}
	return nil
}

// Validate checks a ping frame's id.
func (f *PingFrame) Validate() error {
	if f.ID != "" && !validID(f.ID, MaxRequestID) {
		return ErrorWith(CodeBadFrame, "ping id must be 1 to "+strconv.Itoa(MaxRequestID)+" printable ASCII bytes")
	}
	return nil
}
