package wire

import "sambung/internal/jsonw"

// The members of each frame, written after the "type" member that Encode
// puts first and read by the Decode functions, following the struct tags.

func (f *AuthFrame) writeFields(w *jsonw.Writer) {
	w.Key("token")
	w.Base64(f.Token)
}

func (f *AuthFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	if key == "token" {
		return true, d.Base64(&f.Token)
	}
	return false, nil
}

// WriteEnvelopes and ReadEnvelopes are jsonw.WriteSlice and jsonw.Slice
// for envelopes, written out: a generic instance over the struct costs
// the wasm module functions with long names.
func WriteEnvelopes(w *jsonw.Writer, s []Envelope) {
	if s == nil {
		w.Null()
		return
	}
	w.ArrayStart()
	for i := range s {
		s[i].WriteJSON(w)
	}
	w.ArrayEnd()
}

func ReadEnvelopes(d *jsonw.Decoder, p *[]Envelope) error {
	if d.Null() {
		*p = nil
		return nil
	}
	s := []Envelope{}
	err := d.Array(func() error {
		s = append(s, Envelope{})
		return s[len(s)-1].ReadJSON(d)
	})
	*p = s
	return err
}

func (f *SendFrame) writeFields(w *jsonw.Writer) {
	w.Key("id")
	w.String(f.ID)
	w.Key("to")
	w.String(f.To)
	w.Key("envelopes")
	WriteEnvelopes(w, f.Envelopes)
	if len(f.Self) != 0 {
		w.Key("self")
		WriteEnvelopes(w, f.Self)
	}
}

func (f *SendFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	switch key {
	case "id":
		return true, d.String(&f.ID)
	case "to":
		return true, d.String(&f.To)
	case "envelopes":
		return true, ReadEnvelopes(d, &f.Envelopes)
	case "self":
		return true, ReadEnvelopes(d, &f.Self)
	}
	return false, nil
}

func (f *AckFrame) writeFields(w *jsonw.Writer) {
	w.Key("seqs")
	jsonw.WriteSlice(w, f.Seqs, func(n *uint64) { w.Uint(*n) })
}

func (f *AckFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	if key == "seqs" {
		return true, jsonw.Slice(d, &f.Seqs, d.Uint64)
	}
	return false, nil
}

// writeOptionalID and readID serve the frames whose only member is an
// optional id.
func writeOptionalID(w *jsonw.Writer, id string) {
	if id != "" {
		w.Key("id")
		w.String(id)
	}
}

func readID(d *jsonw.Decoder, key string, id *string) (bool, error) {
	if key == "id" {
		return true, d.String(id)
	}
	return false, nil
}

func (f *PingFrame) writeFields(w *jsonw.Writer) { writeOptionalID(w, f.ID) }

func (f *PingFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	return readID(d, key, &f.ID)
}

func (f *PongFrame) writeFields(w *jsonw.Writer) { writeOptionalID(w, f.ID) }

func (f *PongFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	return readID(d, key, &f.ID)
}

func (f *ReadyFrame) writeFields(w *jsonw.Writer) {
	w.Key("personId")
	w.String(f.PersonID)
	w.Key("deviceId")
	w.Uint(uint64(f.DeviceID))
	w.Key("oneTimePreKeys")
	w.Int(int64(f.OneTimePreKeys))
}

func (f *ReadyFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	switch key {
	case "personId":
		return true, d.String(&f.PersonID)
	case "deviceId":
		return true, d.Uint32(&f.DeviceID)
	case "oneTimePreKeys":
		return true, d.Int(&f.OneTimePreKeys)
	}
	return false, nil
}

// WriteJSON writes an envelope without the members left zero: those the
// other side of its journey sets.
func (e *Envelope) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	if e.Seq != 0 {
		w.Key("seq")
		w.Uint(e.Seq)
	}
	w.Key("id")
	w.String(e.ID)
	if e.Device != 0 {
		w.Key("device")
		w.Uint(uint64(e.Device))
	}
	if e.From != "" {
		w.Key("from")
		w.String(e.From)
	}
	if e.FromDevice != 0 {
		w.Key("fromDevice")
		w.Uint(uint64(e.FromDevice))
	}
	if e.Dest != "" {
		w.Key("dest")
		w.String(e.Dest)
	}
	w.Key("type")
	w.Uint(uint64(e.Type))
	w.Key("body")
	w.Base64(e.Body)
	w.Key("ts")
	w.Int(e.TS)
	if e.ServerTS != 0 {
		w.Key("serverTs")
		w.Int(e.ServerTS)
	}
	w.ObjectEnd()
}

func (e *Envelope) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "seq":
			return d.Uint64(&e.Seq)
		case "id":
			return d.String(&e.ID)
		case "device":
			return d.Uint32(&e.Device)
		case "from":
			return d.String(&e.From)
		case "fromDevice":
			return d.Uint32(&e.FromDevice)
		case "dest":
			return d.String(&e.Dest)
		case "type":
			var n uint32
			err := d.Uint32(&n)
			if err == nil && n > 255 {
				err = ErrorWith(CodeBadFrame, "envelope type must be 0 to 255")
			}
			e.Type = MessageKind(n)
			return err
		case "body":
			return d.Base64(&e.Body)
		case "ts":
			return d.Int64(&e.TS)
		case "serverTs":
			return d.Int64(&e.ServerTS)
		}
		return d.Unknown()
	})
}

func (f *EnvelopesFrame) writeFields(w *jsonw.Writer) {
	w.Key("envelopes")
	WriteEnvelopes(w, f.Envelopes)
}

func (f *EnvelopesFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	if key == "envelopes" {
		return true, ReadEnvelopes(d, &f.Envelopes)
	}
	return false, nil
}

func (f *SentFrame) writeFields(w *jsonw.Writer) {
	w.Key("id")
	w.String(f.ID)
	if f.Duplicates != 0 {
		w.Key("duplicates")
		w.Int(int64(f.Duplicates))
	}
}

func (f *SentFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	switch key {
	case "id":
		return true, d.String(&f.ID)
	case "duplicates":
		return true, d.Int(&f.Duplicates)
	}
	return false, nil
}

// An ErrorFrame's Error is embedded, so its members sit beside the id.
func (f *ErrorFrame) writeFields(w *jsonw.Writer) {
	writeOptionalID(w, f.ID)
	f.Error.writeFields(w)
}

func (f *ErrorFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	if key == "id" {
		return true, d.String(&f.ID)
	}
	return f.Error.readField(d, key)
}

func (f *KeysLowFrame) writeFields(w *jsonw.Writer) {
	w.Key("count")
	w.Int(int64(f.Count))
}

func (f *KeysLowFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	if key == "count" {
		return true, d.Int(&f.Count)
	}
	return false, nil
}

func (*DrainedFrame) writeFields(*jsonw.Writer) {}

func (*DrainedFrame) readField(*jsonw.Decoder, string) (bool, error) { return false, nil }

func (f *AlertFrame) writeFields(w *jsonw.Writer) {
	w.Key("kind")
	w.String(f.Kind)
	w.Key("count")
	w.Int(int64(f.Count))
}

func (f *AlertFrame) readField(d *jsonw.Decoder, key string) (bool, error) {
	switch key {
	case "kind":
		return true, d.String(&f.Kind)
	case "count":
		return true, d.Int(&f.Count)
	}
	return false, nil
}
