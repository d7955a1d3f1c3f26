package client

import (
	"sambung/internal/jsonw"
	"sambung/wire"
)

// The stored records and the Content write and read their own JSON with
// package jsonw, so that the wasm module links neither encoding/json nor
// reflect. The struct tags stay as the record of the format (and for the
// tests, which check both encodings agree): the same names, omitempty as
// written. Records stored by earlier versions, written with encoding/json,
// read back unchanged.

func writeStrings(w *jsonw.Writer, s []string) {
	jsonw.WriteSlice(w, s, func(v *string) { w.String(*v) })
}

func readStrings(d *jsonw.Decoder, p *[]string) error {
	return jsonw.Slice(d, p, d.String)
}

func (a *account) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	if a.PersonID != "" {
		w.Key("personId")
		w.String(a.PersonID)
	}
	if a.DeviceID != 0 {
		w.Key("deviceId")
		w.Uint(uint64(a.DeviceID))
	}
	if len(a.Token) != 0 {
		w.Key("token")
		w.Base64(a.Token)
	}
	w.Key("registrationId")
	w.Uint(uint64(a.RegistrationID))
	w.Key("identityKey")
	w.Base64(a.IdentityKey)
	w.Key("signedPreKeyId")
	w.Uint(uint64(a.SignedPreKeyID))
	if a.SignedPreKeyAt != 0 {
		w.Key("signedPreKeyAt")
		w.Int(a.SignedPreKeyAt)
	}
	if a.PrevSignedPreKeyID != 0 {
		w.Key("prevSignedPreKeyId")
		w.Uint(uint64(a.PrevSignedPreKeyID))
	}
	w.Key("nextPreKeyId")
	w.Uint(uint64(a.NextPreKeyID))
	if len(a.Identities) != 0 {
		w.Key("identities")
		writeStrings(w, a.Identities)
	}
	w.ObjectEnd()
}

func (a *account) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "personId":
			return d.String(&a.PersonID)
		case "deviceId":
			return d.Uint32(&a.DeviceID)
		case "token":
			return d.Base64(&a.Token)
		case "registrationId":
			return d.Uint32(&a.RegistrationID)
		case "identityKey":
			return d.Base64(&a.IdentityKey)
		case "signedPreKeyId":
			return d.Uint32(&a.SignedPreKeyID)
		case "signedPreKeyAt":
			return d.Int64(&a.SignedPreKeyAt)
		case "prevSignedPreKeyId":
			return d.Uint32(&a.PrevSignedPreKeyID)
		case "nextPreKeyId":
			return d.Uint32(&a.NextPreKeyID)
		case "identities":
			return readStrings(d, &a.Identities)
		}
		return d.Unknown()
	})
}

func (r *contactRecord) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("personId")
	w.String(r.PersonID)
	if len(r.Identities) != 0 {
		w.Key("identities")
		writeStrings(w, r.Identities)
	}
	if r.Kind != "" {
		w.Key("kind")
		w.String(r.Kind)
	}
	if r.Known {
		w.Key("known")
		w.Bool(true)
	}
	if len(r.Devices) != 0 {
		w.Key("devices")
		jsonw.WriteSlice(w, r.Devices, func(dr *deviceRecord) { dr.WriteJSON(w) })
	}
	if r.LastOrder != "" {
		w.Key("lastOrder")
		w.String(r.LastOrder)
	}
	if r.Unread != 0 {
		w.Key("unread")
		w.Int(int64(r.Unread))
	}
	w.ObjectEnd()
}

func (r *contactRecord) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "personId":
			return d.String(&r.PersonID)
		case "identities":
			return readStrings(d, &r.Identities)
		case "kind":
			return d.String(&r.Kind)
		case "known":
			return d.Bool(&r.Known)
		case "devices":
			return jsonw.Slice(d, &r.Devices, func(dr *deviceRecord) error { return dr.ReadJSON(d) })
		case "lastOrder":
			return d.String(&r.LastOrder)
		case "unread":
			return d.Int(&r.Unread)
		}
		return d.Unknown()
	})
}

func (r *deviceRecord) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("id")
	w.Uint(uint64(r.ID))
	if len(r.Key) != 0 {
		w.Key("key")
		w.Base64(r.Key)
	}
	if r.Accepted {
		w.Key("accepted")
		w.Bool(true)
	}
	w.ObjectEnd()
}

func (r *deviceRecord) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "id":
			return d.Uint32(&r.ID)
		case "key":
			return d.Base64(&r.Key)
		case "accepted":
			return d.Bool(&r.Accepted)
		}
		return d.Unknown()
	})
}

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
		m.Call.WriteJSON(w)
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

func (r *CallRecord) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("outcome")
	w.String(r.Outcome)
	w.Key("video")
	w.Bool(r.Video)
	w.Key("duration")
	w.Int(r.Duration)
	w.ObjectEnd()
}

// readObject reads the record as WriteJSON writes it; ReadJSON (call.go)
// reads the older text form too.
func (r *CallRecord) readObject(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "outcome":
			return d.String(&r.Outcome)
		case "video":
			return d.Bool(&r.Video)
		case "duration":
			return d.Int64(&r.Duration)
		}
		return d.Unknown()
	})
}

func (it *outboxItem) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("seq")
	w.Uint(it.Seq)
	w.Key("to")
	w.String(it.To)
	w.Key("id")
	w.String(it.ID)
	w.Key("kind")
	w.String(it.Kind)
	w.Key("plain")
	w.Base64(it.Plain)
	w.Key("ts")
	w.Int(it.TS)
	if len(it.Envelopes) != 0 {
		w.Key("envelopes")
		wire.WriteEnvelopes(w, it.Envelopes)
	}
	if len(it.Self) != 0 {
		w.Key("self")
		wire.WriteEnvelopes(w, it.Self)
	}
	w.ObjectEnd()
}

func (it *outboxItem) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "seq":
			return d.Uint64(&it.Seq)
		case "to":
			return d.String(&it.To)
		case "id":
			return d.String(&it.ID)
		case "kind":
			return d.String(&it.Kind)
		case "plain":
			return d.Base64(&it.Plain)
		case "ts":
			return d.Int64(&it.TS)
		case "envelopes":
			return wire.ReadEnvelopes(d, &it.Envelopes)
		case "self":
			return wire.ReadEnvelopes(d, &it.Self)
		case "sealed":
			return it.readSealed(d) // outbox.go
		}
		return d.Unknown()
	})
}

// WriteJSON writes the content as it travels, before padding.
func (c *Content) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("v")
	w.Int(int64(c.V))
	w.Key("kind")
	w.String(c.Kind)
	w.Key("id")
	w.String(c.ID)
	w.Key("ts")
	w.Int(c.TS)
	w.Key("to")
	w.String(c.To)
	if c.Text != "" {
		w.Key("text")
		w.String(c.Text)
	}
	if c.Receipt != nil {
		w.Key("receipt")
		c.Receipt.WriteJSON(w)
	}
	if c.Typing {
		w.Key("typing")
		w.Bool(true)
	}
	if c.File != nil {
		w.Key("file")
		w.Base64(c.File)
	}
	if c.Call != "" {
		w.Key("call")
		w.String(c.Call)
	}
	w.ObjectEnd()
}

// ReadJSON reads a content; decodeContent sets DisallowUnknown, so a
// member this version does not know is refused rather than dropped.
func (c *Content) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "v":
			return d.Int(&c.V)
		case "kind":
			return d.String(&c.Kind)
		case "id":
			return d.String(&c.ID)
		case "ts":
			return d.Int64(&c.TS)
		case "to":
			return d.String(&c.To)
		case "text":
			return d.String(&c.Text)
		case "receipt":
			if d.Null() {
				c.Receipt = nil
				return nil
			}
			if c.Receipt == nil {
				c.Receipt = new(ReceiptContent)
			}
			return c.Receipt.ReadJSON(d)
		case "typing":
			return d.Bool(&c.Typing)
		case "file":
			return d.Base64(&c.File)
		case "call":
			return d.String(&c.Call)
		}
		return d.Unknown()
	})
}

// WriteJSON writes the receipt part of a content.
func (r *ReceiptContent) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("status")
	w.String(string(r.Status))
	w.Key("ids")
	writeStrings(w, r.IDs)
	w.ObjectEnd()
}

// ReadJSON reads the receipt part of a content.
func (r *ReceiptContent) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "status":
			return d.String((*string)(&r.Status))
		case "ids":
			return readStrings(d, &r.IDs)
		}
		return d.Unknown()
	})
}
