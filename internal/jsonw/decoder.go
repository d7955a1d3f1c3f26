package jsonw

import (
	"errors"
	"strconv"
)

// MaxDepth caps the nesting of objects and arrays. The deepest message
// Sambung sends nests four levels (an error frame's device lists); 64
// leaves room for growth while bounding the decoder's recursion, since the
// input comes from the network.
const MaxDepth = 64

// The sentinels: every decoding failure wraps one of them in an *Error.

// ErrSyntax: the input is not valid JSON.
var ErrSyntax = errors.New("jsonw: invalid JSON")

// ErrType: a valid JSON value of another kind than the one read.
var ErrType = errors.New("jsonw: value of the wrong type")

// ErrRange: a number that is not an integer, or too large for its field.
var ErrRange = errors.New("jsonw: number out of range")

// ErrDepth: objects and arrays nested deeper than MaxDepth.
var ErrDepth = errors.New("jsonw: nested too deeply")

// ErrUnknown: an object member the type does not know, with
// DisallowUnknown.
var ErrUnknown = errors.New("jsonw: unknown object member")

// errNotValue is the panic of Writer.Value and Decoder.Value on a type the
// generator would not have let through.
const errNotValue = "jsonw: not a Marshaler, Unmarshaler, Object or pointer to a string, uint32 or uint64"

// Error is a decoding failure at a byte offset of the input.
type Error struct {
	Offset int
	Err    error
}

func (e *Error) Error() string { return e.Err.Error() + " at offset " + strconv.Itoa(e.Offset) }

// Unwrap returns the sentinel: ErrSyntax, ErrType, ErrRange, ErrDepth or
// ErrUnknown.
func (e *Error) Unwrap() error { return e.Err }

// Unmarshaler is a type that reads itself from one JSON value.
type Unmarshaler interface {
	ReadJSON(d *Decoder) error
}

// Unmarshal decodes the one JSON value in b into v, any value
// Decoder.Value takes, skipping object members v does not know.
func Unmarshal(b []byte, v any) error {
	return NewDecoder(b).Decode(v)
}

// Kind is the kind of the next JSON value.
type Kind byte

// The kinds of JSON values; KindInvalid means the input has no value here.
const (
	KindInvalid Kind = iota
	KindNull
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
)

// Decoder reads JSON values from a byte slice, one at a time, in the order
// the caller asks for them. Like encoding/json, a null leaves a string,
// number, bool or object target unchanged and sets a slice to nil.
type Decoder struct {
	data  []byte
	pos   int
	depth int
	// DisallowUnknown makes Unknown fail with ErrUnknown instead of
	// skipping the member.
	DisallowUnknown bool
}

// NewDecoder returns a Decoder that reads data.
func NewDecoder(data []byte) *Decoder { return &Decoder{data: data} }

// Decode reads one value into v, as Value does, and requires nothing but
// white space after it.
func (d *Decoder) Decode(v any) error {
	if err := d.Value(v); err != nil {
		return err
	}
	return d.End()
}

// Value reads one value into v, which is one of: an Unmarshaler, which
// reads itself; an Object, read from an object of its members; or a
// pointer to a string, uint32 or uint64, the elements of an Array besides
// those. Anything else is a bug of the caller's, and panics.
func (d *Decoder) Value(v any) error {
	switch v := v.(type) {
	case Unmarshaler:
		return v.ReadJSON(d)
	case Object:
		return ReadObject(d, v)
	case *string:
		return d.String(v)
	case *uint32:
		return d.Uint32(v)
	case *uint64:
		return d.Uint64(v)
	}
	panic(errNotValue)
}

// End fails unless only white space is left.
func (d *Decoder) End() error {
	d.space()
	if d.pos != len(d.data) {
		return d.fail(ErrSyntax)
	}
	return nil
}

func (d *Decoder) fail(err error) error { return &Error{Offset: d.pos, Err: err} }

func (d *Decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// Kind reports the kind of the next value without reading it.
func (d *Decoder) Kind() Kind {
	d.space()
	if d.pos >= len(d.data) {
		return KindInvalid
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return KindObject
	case c == '[':
		return KindArray
	case c == '"':
		return KindString
	case c == 't' || c == 'f':
		return KindBool
	case c == 'n':
		return KindNull
	case c == '-' || c >= '0' && c <= '9':
		return KindNumber
	}
	return KindInvalid
}

// literal consumes word if the input continues with it.
func (d *Decoder) literal(word string) bool {
	if len(d.data)-d.pos >= len(word) && string(d.data[d.pos:d.pos+len(word)]) == word {
		d.pos += len(word)
		return true
	}
	return false
}

// Null consumes a null and reports whether there was one.
func (d *Decoder) Null() bool {
	d.space()
	return d.literal("null")
}

// null consumes a null, which Kind has seen coming.
func (d *Decoder) null() error {
	if !d.literal("null") {
		return d.fail(ErrSyntax)
	}
	return nil
}

// wrongKind reports a value that is not of the wanted kind: a type error
// when it is valid JSON, a syntax error when it is not.
func (d *Decoder) wrongKind() error {
	start := d.pos
	if err := d.Skip(); err != nil {
		return err
	}
	d.pos = start
	return d.fail(ErrType)
}

func (d *Decoder) enter() error {
	if d.depth >= MaxDepth {
		return d.fail(ErrDepth)
	}
	d.depth++
	return nil
}

// Object reads an object, calling member for each member with the reader
// positioned at its value; member must read or skip that value. A null
// reads as no members.
func (d *Decoder) Object(member func(key string) error) error {
	return d.container(KindObject, '}', func() error {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return d.fail(ErrSyntax)
		}
		key, err := d.readString()
		if err != nil {
			return err
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return d.fail(ErrSyntax)
		}
		d.pos++
		return member(key)
	})
}

// Array reads an array, calling elem once per element with the reader
// positioned at it; elem must read or skip it. A null reads as no
// elements.
func (d *Decoder) Array(elem func() error) error {
	return d.container(KindArray, ']', elem)
}

// container reads an object or an array, which the byte end closes,
// calling item for each member or element and reading the commas between
// them.
func (d *Decoder) container(kind Kind, end byte, item func() error) error {
	switch d.Kind() {
	case KindNull:
		return d.null()
	case kind:
	default:
		return d.wrongKind()
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == end {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		d.space()
		if d.pos >= len(d.data) {
			return d.fail(ErrSyntax)
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case end:
			d.pos++
			d.depth--
			return nil
		default:
			return d.fail(ErrSyntax)
		}
	}
}

// Unknown skips the value of a member the caller does not know, or fails
// with ErrUnknown when DisallowUnknown is set.
func (d *Decoder) Unknown() error {
	if d.DisallowUnknown {
		return d.fail(ErrUnknown)
	}
	return d.Skip()
}

// Skip reads and discards one value, checking that it is valid JSON.
func (d *Decoder) Skip() error {
	switch d.Kind() {
	case KindObject:
		return d.Object(func(string) error { return d.Skip() })
	case KindArray:
		return d.Array(d.Skip)
	case KindString:
		_, err := d.readString()
		return err
	case KindNumber:
		_, err := d.Number()
		return err
	case KindNull:
		return d.null()
	case KindBool:
		if d.literal("true") || d.literal("false") {
			return nil
		}
	}
	return d.fail(ErrSyntax)
}
