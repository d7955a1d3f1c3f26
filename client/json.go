package client

import "sambung/internal/jsonw"

// The stored records and the Content write and read their own JSON with
// package jsonw, so that the wasm module links neither encoding/json nor
// reflect. jsonw_gen.go holds the codecs, generated from the struct tags of
// the types these directives name. Records stored by earlier versions,
// written with encoding/json, read back unchanged (testdata/json.golden).
//
//go:generate go run sambung/internal/jsonw/gen
//
//jsonw:codec account contactRecord deviceRecord Content ReceiptContent CallSignal
//jsonw:codec outboxItem CallRecord

// A Message is stored in a shape of its own: "file" holds its file
// pointer's encoding, from which ReadJSON rebuilds File, so its codec is
// written by hand.

// WriteJSON writes the message as it is stored.
func (m *Message) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("id")
	w.String(m.ID)
	w.Key("conversationId")
	w.String(m.ConversationID)
	w.Key("from")
	w.String(m.From)
	w.Key("outgoing")
	w.Bool(m.Outgoing)
	w.Key("text")
	w.String(m.Text)
	w.Key("sentAt")
	w.Int(m.SentAt)
	w.Key("order")
	w.String(m.Order)
	w.Key("status")
	w.String(string(m.Status))
	if m.Undecryptable {
		w.Key("undecryptable")
		w.Bool(true)
	}
	if m.pointer != nil {
		w.Key("file")
		w.Base64(m.pointer)
	}
	if m.Call != nil {
		w.Key("call")
		w.Value(m.Call)
	}
	w.ObjectEnd()
}

// ReadJSON reads a stored message.
func (m *Message) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "id":
			return d.String(&m.ID)
		case "conversationId":
			return d.String(&m.ConversationID)
		case "from":
			return d.String(&m.From)
		case "outgoing":
			return d.Bool(&m.Outgoing)
		case "text":
			return d.String(&m.Text)
		case "sentAt":
			return d.Int64(&m.SentAt)
		case "order":
			return d.String(&m.Order)
		case "status":
			return d.String((*string)(&m.Status))
		case "undecryptable":
			return d.Bool(&m.Undecryptable)
		case "file":
			if err := d.Base64(&m.pointer); err != nil {
				return err
			}
			return m.setPointer(m.pointer)
		case "call":
			m.Call = new(CallRecord)
			return m.Call.ReadJSON(d)
		}
		return d.Unknown()
	})
}

// ReadJSON reads an outbox item. Items stored before envelopes were one
// wire type hold them in a "sealed" member of their own shape, which
// readSealed (outbox.go) reads.
func (it *outboxItem) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		if key == "sealed" {
			return it.readSealed(d)
		}
		if ok, err := jsonw.ReadMember(d, key, it); ok {
			return err
		}
		return d.Unknown()
	})
}
