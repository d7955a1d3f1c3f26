package wire

import (
	"sambung/internal/jsonw"
)

// Every type here writes and reads its own JSON with package jsonw, so
// that the browser's wasm module links neither encoding/json nor reflect.
// The struct tags stay: the relay uses encoding/json on the same types, and
// TestJSONMatchesEncodingJSON keeps the two encodings equivalent. Each
// WriteJSON follows its type's tags: the same names, omitempty as written.

func writeUint32s(w *jsonw.Writer, s []uint32) {
	jsonw.WriteSlice(w, s, func(n *uint32) { w.Uint(uint64(*n)) })
}

func writeAddresses(w *jsonw.Writer, s []Address) {
	jsonw.WriteSlice(w, s, func(a *Address) { a.WriteJSON(w) })
}

func readAddresses(d *jsonw.Decoder, p *[]Address) error {
	return jsonw.Slice(d, p, func(a *Address) error { return a.ReadJSON(d) })
}

// WriteJSON writes a as its string form, as MarshalText does.
func (a *Address) WriteJSON(w *jsonw.Writer) { w.String(a.String()) }

// ReadJSON reads and normalises an address, as UnmarshalText does.
func (a *Address) ReadJSON(d *jsonw.Decoder) error {
	if d.Null() {
		return nil
	}
	var s string
	if err := d.String(&s); err != nil {
		return err
	}
	return a.UnmarshalText([]byte(s))
}

func (k *PreKey) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("id")
	w.Uint(uint64(k.ID))
	w.Key("publicKey")
	w.Base64(k.PublicKey)
	w.ObjectEnd()
}

func (k *PreKey) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "id":
			return d.Uint32(&k.ID)
		case "publicKey":
			return d.Base64(&k.PublicKey)
		}
		return d.Unknown()
	})
}

func writePreKeys(w *jsonw.Writer, s []PreKey) {
	jsonw.WriteSlice(w, s, func(k *PreKey) { k.WriteJSON(w) })
}

func readPreKeys(d *jsonw.Decoder, p *[]PreKey) error {
	return jsonw.Slice(d, p, func(k *PreKey) error { return k.ReadJSON(d) })
}

func (k *SignedPreKey) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("id")
	w.Uint(uint64(k.ID))
	w.Key("publicKey")
	w.Base64(k.PublicKey)
	w.Key("signature")
	w.Base64(k.Signature)
	w.ObjectEnd()
}

func (k *SignedPreKey) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "id":
			return d.Uint32(&k.ID)
		case "publicKey":
			return d.Base64(&k.PublicKey)
		case "signature":
			return d.Base64(&k.Signature)
		}
		return d.Unknown()
	})
}

func (k *DeviceKeys) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("registrationId")
	w.Uint(uint64(k.RegistrationID))
	w.Key("identityKey")
	w.Base64(k.IdentityKey)
	w.Key("signedPreKey")
	k.SignedPreKey.WriteJSON(w)
	w.Key("oneTimePreKeys")
	writePreKeys(w, k.OneTimePreKeys)
	if k.Name != "" {
		w.Key("name")
		w.String(k.Name)
	}
	w.ObjectEnd()
}

func (k *DeviceKeys) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "registrationId":
			return d.Uint32(&k.RegistrationID)
		case "identityKey":
			return d.Base64(&k.IdentityKey)
		case "signedPreKey":
			return k.SignedPreKey.ReadJSON(d)
		case "oneTimePreKeys":
			return readPreKeys(d, &k.OneTimePreKeys)
		case "name":
			return d.String(&k.Name)
		}
		return d.Unknown()
	})
}

func (r *PhoneCodeRequest) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("phone")
	w.String(r.Phone)
	if r.Proof != "" {
		w.Key("proof")
		w.String(r.Proof)
	}
	w.ObjectEnd()
}

func (r *PhoneCodeRequest) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "phone":
			return d.String(&r.Phone)
		case "proof":
			return d.String(&r.Proof)
		}
		return d.Unknown()
	})
}

func (r *PhoneCodeResponse) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("phone")
	w.String(r.Phone)
	w.Key("expiresIn")
	w.Int(int64(r.ExpiresIn))
	w.Key("resendIn")
	w.Int(int64(r.ResendIn))
	w.ObjectEnd()
}

func (r *PhoneCodeResponse) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "phone":
			return d.String(&r.Phone)
		case "expiresIn":
			return d.Int(&r.ExpiresIn)
		case "resendIn":
			return d.Int(&r.ResendIn)
		}
		return d.Unknown()
	})
}

func (r *PhoneVerifyRequest) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("phone")
	w.String(r.Phone)
	w.Key("code")
	w.String(r.Code)
	w.Key("device")
	r.Device.WriteJSON(w)
	w.ObjectEnd()
}

func (r *PhoneVerifyRequest) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "phone":
			return d.String(&r.Phone)
		case "code":
			return d.String(&r.Code)
		case "device":
			return r.Device.ReadJSON(d)
		}
		return d.Unknown()
	})
}

func (r *AccountRequest) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("accountId")
	w.String(r.AccountID)
	w.Key("password")
	w.String(r.Password)
	w.Key("device")
	r.Device.WriteJSON(w)
	w.ObjectEnd()
}

func (r *AccountRequest) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "accountId":
			return d.String(&r.AccountID)
		case "password":
			return d.String(&r.Password)
		case "device":
			return r.Device.ReadJSON(d)
		}
		return d.Unknown()
	})
}

func (s *Session) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("personId")
	w.String(s.PersonID)
	w.Key("deviceId")
	w.Uint(uint64(s.DeviceID))
	w.Key("token")
	w.Base64(s.Token)
	w.Key("created")
	w.Bool(s.Created)
	w.ObjectEnd()
}

func (s *Session) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "personId":
			return d.String(&s.PersonID)
		case "deviceId":
			return d.Uint32(&s.DeviceID)
		case "token":
			return d.Base64(&s.Token)
		case "created":
			return d.Bool(&s.Created)
		}
		return d.Unknown()
	})
}

func (r *LinkPhoneRequest) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("phone")
	w.String(r.Phone)
	w.Key("code")
	w.String(r.Code)
	w.ObjectEnd()
}

func (r *LinkPhoneRequest) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "phone":
			return d.String(&r.Phone)
		case "code":
			return d.String(&r.Code)
		}
		return d.Unknown()
	})
}

func (r *LinkAccountRequest) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("accountId")
	w.String(r.AccountID)
	w.Key("password")
	w.String(r.Password)
	w.ObjectEnd()
}

func (r *LinkAccountRequest) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "accountId":
			return d.String(&r.AccountID)
		case "password":
			return d.String(&r.Password)
		}
		return d.Unknown()
	})
}

func (i *DeviceInfo) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("id")
	w.Uint(uint64(i.ID))
	if i.Name != "" {
		w.Key("name")
		w.String(i.Name)
	}
	w.Key("created")
	w.Int(i.Created)
	if i.LastSeen != 0 {
		w.Key("lastSeen")
		w.Int(i.LastSeen)
	}
	w.ObjectEnd()
}

func (i *DeviceInfo) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "id":
			return d.Uint32(&i.ID)
		case "name":
			return d.String(&i.Name)
		case "created":
			return d.Int64(&i.Created)
		case "lastSeen":
			return d.Int64(&i.LastSeen)
		}
		return d.Unknown()
	})
}

func writeDeviceInfos(w *jsonw.Writer, s []DeviceInfo) {
	jsonw.WriteSlice(w, s, func(i *DeviceInfo) { i.WriteJSON(w) })
}

func readDeviceInfos(d *jsonw.Decoder, p *[]DeviceInfo) error {
	return jsonw.Slice(d, p, func(i *DeviceInfo) error { return i.ReadJSON(d) })
}

func (m *Me) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("personId")
	w.String(m.PersonID)
	w.Key("deviceId")
	w.Uint(uint64(m.DeviceID))
	w.Key("identities")
	writeAddresses(w, m.Identities)
	w.Key("devices")
	writeDeviceInfos(w, m.Devices)
	w.ObjectEnd()
}

func (m *Me) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "personId":
			return d.String(&m.PersonID)
		case "deviceId":
			return d.Uint32(&m.DeviceID)
		case "identities":
			return readAddresses(d, &m.Identities)
		case "devices":
			return readDeviceInfos(d, &m.Devices)
		}
		return d.Unknown()
	})
}

func (l *DeviceList) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("devices")
	writeDeviceInfos(w, l.Devices)
	w.ObjectEnd()
}

func (l *DeviceList) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		if key == "devices" {
			return readDeviceInfos(d, &l.Devices)
		}
		return d.Unknown()
	})
}

func (u *PreKeyUpload) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("oneTimePreKeys")
	writePreKeys(w, u.OneTimePreKeys)
	w.ObjectEnd()
}

func (u *PreKeyUpload) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		if key == "oneTimePreKeys" {
			return readPreKeys(d, &u.OneTimePreKeys)
		}
		return d.Unknown()
	})
}

func (u *SignedPreKeyUpload) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("signedPreKey")
	u.SignedPreKey.WriteJSON(w)
	w.ObjectEnd()
}

func (u *SignedPreKeyUpload) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		if key == "signedPreKey" {
			return u.SignedPreKey.ReadJSON(d)
		}
		return d.Unknown()
	})
}

func (s *KeyStatus) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("oneTimePreKeys")
	w.Int(int64(s.OneTimePreKeys))
	w.Key("low")
	w.Bool(s.Low)
	w.Key("signedPreKeyId")
	w.Uint(uint64(s.SignedPreKeyID))
	w.ObjectEnd()
}

func (s *KeyStatus) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "oneTimePreKeys":
			return d.Int(&s.OneTimePreKeys)
		case "low":
			return d.Bool(&s.Low)
		case "signedPreKeyId":
			return d.Uint32(&s.SignedPreKeyID)
		}
		return d.Unknown()
	})
}

func (b *PreKeyBundle) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("deviceId")
	w.Uint(uint64(b.DeviceID))
	w.Key("registrationId")
	w.Uint(uint64(b.RegistrationID))
	w.Key("identityKey")
	w.Base64(b.IdentityKey)
	w.Key("signedPreKey")
	b.SignedPreKey.WriteJSON(w)
	if b.OneTimePreKey != nil {
		w.Key("oneTimePreKey")
		b.OneTimePreKey.WriteJSON(w)
	}
	w.ObjectEnd()
}

func (b *PreKeyBundle) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "deviceId":
			return d.Uint32(&b.DeviceID)
		case "registrationId":
			return d.Uint32(&b.RegistrationID)
		case "identityKey":
			return d.Base64(&b.IdentityKey)
		case "signedPreKey":
			return b.SignedPreKey.ReadJSON(d)
		case "oneTimePreKey":
			if d.Null() {
				b.OneTimePreKey = nil
				return nil
			}
			if b.OneTimePreKey == nil {
				b.OneTimePreKey = new(PreKey)
			}
			return b.OneTimePreKey.ReadJSON(d)
		}
		return d.Unknown()
	})
}

func (l *Lookup) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("personId")
	w.String(l.PersonID)
	w.Key("identities")
	writeAddresses(w, l.Identities)
	w.Key("devices")
	jsonw.WriteSlice(w, l.Devices, func(b *PreKeyBundle) { b.WriteJSON(w) })
	w.ObjectEnd()
}

func (l *Lookup) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "personId":
			return d.String(&l.PersonID)
		case "identities":
			return readAddresses(d, &l.Identities)
		case "devices":
			return jsonw.Slice(d, &l.Devices, func(b *PreKeyBundle) error { return b.ReadJSON(d) })
		}
		return d.Unknown()
	})
}

func (r *DeviceRef) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("person")
	w.String(r.Person)
	w.Key("device")
	w.Uint(uint64(r.Device))
	w.ObjectEnd()
}

func (r *DeviceRef) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "person":
			return d.String(&r.Person)
		case "device":
			return d.Uint32(&r.Device)
		}
		return d.Unknown()
	})
}

func (p *PersonDevices) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	w.Key("person")
	w.String(p.Person)
	w.Key("devices")
	writeUint32s(w, p.Devices)
	w.ObjectEnd()
}

func (p *PersonDevices) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		switch key {
		case "person":
			return d.String(&p.Person)
		case "devices":
			return jsonw.Slice(d, &p.Devices, d.Uint32)
		}
		return d.Unknown()
	})
}

func writeDeviceRefs(w *jsonw.Writer, s []DeviceRef) {
	jsonw.WriteSlice(w, s, func(r *DeviceRef) { r.WriteJSON(w) })
}

func readDeviceRefs(d *jsonw.Decoder, p *[]DeviceRef) error {
	return jsonw.Slice(d, p, func(r *DeviceRef) error { return r.ReadJSON(d) })
}

func (e *Error) WriteJSON(w *jsonw.Writer) {
	w.ObjectStart()
	e.writeFields(w)
	w.ObjectEnd()
}

func (e *Error) writeFields(w *jsonw.Writer) {
	w.Key("code")
	w.String(string(e.Code))
	w.Key("message")
	w.String(e.Message)
	if e.RetryAfter != 0 {
		w.Key("retryAfter")
		w.Int(int64(e.RetryAfter))
	}
	if len(e.Missing) != 0 {
		w.Key("missing")
		writeDeviceRefs(w, e.Missing)
	}
	if len(e.Stale) != 0 {
		w.Key("stale")
		writeDeviceRefs(w, e.Stale)
	}
	if len(e.Devices) != 0 {
		w.Key("devices")
		jsonw.WriteSlice(w, e.Devices, func(p *PersonDevices) { p.WriteJSON(w) })
	}
}

func (e *Error) ReadJSON(d *jsonw.Decoder) error {
	return d.Object(func(key string) error {
		if ok, err := e.readField(d, key); ok {
			return err
		}
		return d.Unknown()
	})
}

// readField reads the member key if it is one of Error's.
func (e *Error) readField(d *jsonw.Decoder, key string) (bool, error) {
	switch key {
	case "code":
		return true, d.String((*string)(&e.Code))
	case "message":
		return true, d.String(&e.Message)
	case "retryAfter":
		return true, d.Int(&e.RetryAfter)
	case "missing":
		return true, readDeviceRefs(d, &e.Missing)
	case "stale":
		return true, readDeviceRefs(d, &e.Stale)
	case "devices":
		return true, jsonw.Slice(d, &e.Devices, func(p *PersonDevices) error { return p.ReadJSON(d) })
	}
	return false, nil
}
