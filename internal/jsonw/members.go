package jsonw

// Object is a struct type whose members one method lists, for writing and
// for reading alike: internal/jsonw/gen writes JSONMembers from the
// type's json struct tags, one call of a Members method per member, and
// WriteJSON and ReadJSON call WriteObject and ReadObject. One listing per
// type, rather than an encoder and a decoder, keeps the generated code and
// the wasm module small.
type Object interface {
	JSONMembers(m *Members)
}

// Codec is a type that writes and reads itself.
type Codec interface {
	Marshaler
	Unmarshaler
}

// Members is the state a JSONMembers method runs against: either writing
// every member of an object, or reading the one member whose key the
// Decoder is at. Each Members method takes the member's key, a pointer to
// the field, and whether the tag says omitempty.
type Members struct {
	w *Writer // non-nil when writing
	d *Decoder
	// key is the member being read; done is set once a field took it,
	// and err is what reading its value returned.
	key  string
	done bool
	err  error
}

// WriteObject writes o as a JSON object.
func WriteObject(w *Writer, o Object) {
	w.ObjectStart()
	WriteMembers(w, o)
	w.ObjectEnd()
}

// WriteMembers writes the members of o into an object the caller opened.
func WriteMembers(w *Writer, o Object) {
	o.JSONMembers(&Members{w: w})
}

// ReadObject reads a JSON object into o, skipping members it does not
// know (or failing on them, with DisallowUnknown).
func ReadObject(d *Decoder, o Object) error {
	m := &Members{d: d}
	return d.Object(func(key string) error {
		m.key, m.done, m.err = key, false, nil
		o.JSONMembers(m)
		if !m.done {
			return d.Unknown()
		}
		return m.err
	})
}

// ReadMember reads the value of the member key if o has one of that name,
// for a caller that reads the object itself.
func ReadMember(d *Decoder, key string, o Object) (bool, error) {
	m := &Members{d: d, key: key}
	o.JSONMembers(m)
	return m.done, m.err
}

// reads reports whether the member being read is k, and claims it.
func (m *Members) reads(k string) bool {
	if m.done || k != m.key {
		return false
	}
	m.done = true
	return true
}

// writes reports whether the member k is to be written now: when writing,
// unless omitempty drops it.
func (m *Members) writes(k string, omit, empty bool) bool {
	if m.w == nil || omit && empty {
		return false
	}
	m.w.Key(k)
	return true
}

// String is a string member.
func (m *Members) String(k string, p *string, omit bool) {
	if m.writes(k, omit, *p == "") {
		m.w.String(*p)
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.String(p)
	}
}

// Bool is a bool member.
func (m *Members) Bool(k string, p *bool, omit bool) {
	if m.writes(k, omit, !*p) {
		m.w.Bool(*p)
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Bool(p)
	}
}

// Base64 is a []byte member, in standard base64 with padding.
func (m *Members) Base64(k string, p *[]byte, omit bool) {
	if m.writes(k, omit, len(*p) == 0) {
		m.w.Base64(*p)
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Base64(p)
	}
}

// Value is a member whose type writes and reads itself (a struct, or a
// type with a text form of its own). A struct is never empty, as with
// encoding/json, so the generator passes no omitempty for it.
func (m *Members) Value(k string, v Codec) {
	if m.writes(k, false, false) {
		v.WriteJSON(m.w)
	} else if m.w == nil && m.reads(k) {
		m.err = v.ReadJSON(m.d)
	}
}

// Strings is a []string member.
func (m *Members) Strings(k string, p *[]string, omit bool) {
	if m.writes(k, omit, len(*p) == 0) {
		WriteSlice(m.w, *p, func(s *string) { m.w.String(*s) })
	} else if m.w == nil && m.reads(k) {
		m.err = Slice(m.d, p, m.d.String)
	}
}

// codecPtr is a pointer to a T that writes and reads itself.
type codecPtr[T any] interface {
	*T
	Codec
}

// Values is a member that is a slice of a type that writes and reads
// itself.
func Values[T any, P codecPtr[T]](m *Members, k string, p *[]T, omit bool) {
	if m.writes(k, omit, len(*p) == 0) {
		WriteSlice(m.w, *p, func(v *T) { P(v).WriteJSON(m.w) })
	} else if m.w == nil && m.reads(k) {
		m.err = Slice(m.d, p, func(v *T) error { return P(v).ReadJSON(m.d) })
	}
}

// Pointer is a member that points to a type that writes and reads itself:
// null when nil; reading null sets it to nil, reading a value into a nil
// pointer allocates one, as encoding/json does.
func Pointer[T any, P codecPtr[T]](m *Members, k string, p **T, omit bool) {
	if m.writes(k, omit, *p == nil) {
		if *p == nil {
			m.w.Null()
		} else {
			P(*p).WriteJSON(m.w)
		}
	} else if m.w == nil && m.reads(k) {
		if m.d.Null() {
			*p = nil
			return
		}
		if *p == nil {
			*p = new(T)
		}
		m.err = P(*p).ReadJSON(m.d)
	}
}
