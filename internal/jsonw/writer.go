package jsonw

import (
	"encoding/base64"
	"strconv"
	"unicode/utf8"
)

// Marshaler is a type that writes itself as one JSON value.
type Marshaler interface {
	WriteJSON(w *Writer)
}

// Marshal returns the JSON encoding of v, any value Writer.Value takes.
func Marshal(v any) []byte {
	var w Writer
	w.Value(v)
	return w.Bytes()
}

// Writer appends JSON to a buffer. It puts the commas and colons in; the
// caller opens and closes objects and arrays in the right order.
type Writer struct {
	buf []byte
	// comma is true when the next key or array element follows a value.
	comma bool
}

// NewWriter returns a Writer that appends to buf.
func NewWriter(buf []byte) *Writer { return &Writer{buf: buf} }

// Bytes returns the JSON written so far.
func (w *Writer) Bytes() []byte { return w.buf }

func (w *Writer) value() {
	if w.comma {
		w.buf = append(w.buf, ',')
	}
	w.comma = true
}

// open opens an object or array with c.
func (w *Writer) open(c byte) {
	w.value()
	w.buf = append(w.buf, c)
	w.comma = false
}

// close closes an object or array with c.
func (w *Writer) close(c byte) {
	w.buf = append(w.buf, c)
	w.comma = true
}

// ObjectStart opens an object.
func (w *Writer) ObjectStart() { w.open('{') }

// ObjectEnd closes an object.
func (w *Writer) ObjectEnd() { w.close('}') }

// ArrayStart opens an array.
func (w *Writer) ArrayStart() { w.open('[') }

// ArrayEnd closes an array.
func (w *Writer) ArrayEnd() { w.close(']') }

// Key writes an object member's name; the member's value comes next.
func (w *Writer) Key(k string) {
	w.value()
	w.buf = appendString(w.buf, k)
	w.buf = append(w.buf, ':')
	w.comma = false
}

// String writes a string. Invalid UTF-8 becomes U+FFFD, as with
// encoding/json.
func (w *Writer) String(s string) {
	w.value()
	w.buf = appendString(w.buf, s)
}

// Int writes an integer.
func (w *Writer) Int(n int64) {
	w.value()
	w.buf = strconv.AppendInt(w.buf, n, 10)
}

// Uint writes an unsigned integer.
func (w *Writer) Uint(n uint64) {
	w.value()
	w.buf = strconv.AppendUint(w.buf, n, 10)
}

// Bool writes true or false.
func (w *Writer) Bool(b bool) {
	w.value()
	w.buf = strconv.AppendBool(w.buf, b)
}

// Null writes null.
func (w *Writer) Null() {
	w.value()
	w.buf = append(w.buf, "null"...)
}

// Value writes v, which is one of: a Marshaler, which writes itself; an
// Object, written as an object of its members; or a pointer to a string,
// uint32 or uint64, the elements of an Array besides those. Anything else
// is a bug of the caller's, and panics.
func (w *Writer) Value(v any) {
	switch v := v.(type) {
	case Marshaler:
		v.WriteJSON(w)
	case Object:
		WriteObject(w, v)
	case *string:
		w.String(*v)
	case *uint32:
		w.Uint(uint64(*v))
	case *uint64:
		w.Uint(*v)
	default:
		panic(errNotValue)
	}
}

// Base64 writes b as a string in standard base64 with padding, or null for
// a nil b: what encoding/json does with a []byte.
func (w *Writer) Base64(b []byte) {
	if b == nil {
		w.Null()
		return
	}
	w.value()
	w.buf = append(w.buf, '"')
	w.buf = base64.StdEncoding.AppendEncode(w.buf, b)
	w.buf = append(w.buf, '"')
}

const hexDigits = "0123456789abcdef"

// appendString quotes s. Like encoding/json it escapes <, > and & (so the
// output is safe inside HTML) and U+2028 and U+2029 (so it is safe inside
// JavaScript source).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
