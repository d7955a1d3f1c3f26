package jsonw

// Object is a struct type whose members one method lists, for writing and
// for reading alike: internal/jsonw/gen writes JSONMembers from the type's
// json struct tags, as one chain of Members calls, one call per member.
// Marshal, Unmarshal and Members.Value take an Object as they take a type
// that writes and reads itself. One listing per type, rather than an
// encoder and a decoder, keeps the generated code and the wasm module
// small.
type Object interface {
	JSONMembers(m *Members) *Members
}

// Codec is a type that writes and reads itself.
type Codec interface {
	Marshaler
	Unmarshaler
}

// Members is the state a JSONMembers method runs against: either writing
// every member of an object, or reading the one member whose key the
// Decoder is at. Each Members method takes the member's key, a pointer to
// the field, and whether the tag says omitempty, and returns m for the
// next member.
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
// know (or failing on them, with DisallowUnknown). A type whose ReadJSON
// reads some members itself calls it for the rest.
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

// member is every Members method: when writing, it writes the key and
// calls write, unless empty; when reading and k is the member being read,
// it claims it and calls read.
func (m *Members) member(k string, empty bool, write func(), read func() error) *Members {
	if m.w != nil {
		if !empty {
			m.w.Key(k)
			write()
		}
	} else if !m.done && k == m.key {
		m.done = true
		m.err = read()
	}
	return m
}

// String is a string member.
func (m *Members) String(k string, p *string, omit bool) *Members {
	return m.member(k, omit && *p == "", func() { m.w.String(*p) }, func() error { return m.d.String(p) })
}

// Bool is a bool member.
func (m *Members) Bool(k string, p *bool, omit bool) *Members {
	return m.member(k, omit && !*p, func() { m.w.Bool(*p) }, func() error { return m.d.Bool(p) })
}

// Base64 is a []byte member, in standard base64 with padding.
func (m *Members) Base64(k string, p *[]byte, omit bool) *Members {
	return m.member(k, omit && len(*p) == 0, func() { m.w.Base64(*p) }, func() error { return m.d.Base64(p) })
}

// Value is a member whose value Writer.Value and Decoder.Value take: a
// struct (an Object, or a type with a codec of its own), a type with a
// text form of its own, or an Array or Nullable. It is always written, as
// encoding/json writes a struct, omitempty or not.
func (m *Members) Value(k string, v any) *Members {
	return m.member(k, false, func() { m.w.Value(v) }, func() error { return m.d.Value(v) })
}

// Optional is an omitempty member whose value is a Container: left out
// when the slice is empty or the pointer nil.
func (m *Members) Optional(k string, c Container) *Members {
	return m.member(k, c.empty(), func() { c.WriteJSON(m.w) }, func() error { return c.ReadJSON(m.d) })
}

// Container is a value that can be empty: a slice, as Array wraps it, or
// a pointer, as Nullable wraps it.
type Container interface {
	Codec
	empty() bool
}

// array is a slice whose elements Writer.Value and Decoder.Value take.
type array[T any] []T

// Array makes the slice *p a value for Members.Value and Optional,
// Marshal and Unmarshal: a JSON array, or null for a nil slice, as
// encoding/json writes it. Its elements are structs with a codec
// (generated or by hand), strings, uint32s or uint64s.
func Array[T any](p *[]T) Container { return (*array[T])(p) }

func (a *array[T]) empty() bool { return len(*a) == 0 }

// WriteJSON writes the slice.
func (a *array[T]) WriteJSON(w *Writer) {
	if *a == nil {
		w.Null()
		return
	}
	w.ArrayStart()
	for i := range *a {
		w.Value(&(*a)[i])
	}
	w.ArrayEnd()
}

// ReadJSON reads the slice as encoding/json does: null sets it to nil, []
// to an empty slice, and elements already there are decoded into rather
// than replaced.
func (a *array[T]) ReadJSON(d *Decoder) error {
	if d.Null() {
		*a = nil
		return nil
	}
	s, n := *a, 0
	err := d.Array(func() error {
		if n == len(s) {
			var zero T
			s = append(s, zero)
		}
		n++
		return d.Value(&s[n-1])
	})
	if err != nil {
		return err
	}
	if s == nil {
		s = []T{}
	}
	*a = s[:n]
	return nil
}

// nullable is a pointer to a value that Writer.Value and Decoder.Value
// take.
type nullable[T any] struct{ p **T }

// Nullable makes the pointer *p a value for Members.Value and Optional:
// null when nil.
// Reading null sets it to nil; reading a value into a nil pointer
// allocates one, as encoding/json does.
func Nullable[T any](p **T) Container { return nullable[T]{p} }

func (n nullable[T]) empty() bool { return *n.p == nil }

// WriteJSON writes the value pointed to, or null.
func (n nullable[T]) WriteJSON(w *Writer) {
	if *n.p == nil {
		w.Null()
		return
	}
	w.Value(*n.p)
}

// ReadJSON reads the value, or null.
func (n nullable[T]) ReadJSON(d *Decoder) error {
	if d.Null() {
		*n.p = nil
		return nil
	}
	if *n.p == nil {
		*n.p = new(T)
	}
	return d.Value(*n.p)
}
