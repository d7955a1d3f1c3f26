package jsonw

import (
	"encoding/base64"
	"errors"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth caps the nesting of objects and arrays. The deepest message
// Sambung sends nests four levels (an error frame's device lists); 64
// leaves room for growth while bounding the decoder's recursion, since the
// input comes from the network.
const MaxDepth = 64

// Errors. Every decoding failure wraps one of these in an *Error.
var (
	ErrSyntax  = errors.New("jsonw: invalid JSON")
	ErrType    = errors.New("jsonw: value of the wrong type")
	ErrRange   = errors.New("jsonw: number out of range")
	ErrDepth   = errors.New("jsonw: nested too deeply")
	ErrUnknown = errors.New("jsonw: unknown object member")
)

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

// Unmarshal decodes the one JSON value in b into u, skipping object
// members u does not know.
func Unmarshal(b []byte, u Unmarshaler) error {
	return NewDecoder(b).Decode(u)
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

// Decode reads one value into u and requires nothing but white space after
// it.
func (d *Decoder) Decode(u Unmarshaler) error {
	if err := u.ReadJSON(d); err != nil {
		return err
	}
	return d.End()
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
	switch d.Kind() {
	case KindNull:
		return d.null()
	case KindObject:
	default:
		return d.wrongKind()
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
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
		if err := member(key); err != nil {
			return err
		}
		d.space()
		if d.pos >= len(d.data) {
			return d.fail(ErrSyntax)
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return d.fail(ErrSyntax)
		}
	}
}

// Array reads an array, calling elem once per element with the reader
// positioned at it; elem must read or skip it. A null reads as no
// elements.
func (d *Decoder) Array(elem func() error) error {
	switch d.Kind() {
	case KindNull:
		return d.null()
	case KindArray:
	default:
		return d.wrongKind()
	}
	if err := d.enter(); err != nil {
		return err
	}
	d.pos++
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		d.space()
		if d.pos >= len(d.data) {
			return d.fail(ErrSyntax)
		}
		switch d.data[d.pos] {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return nil
		default:
			return d.fail(ErrSyntax)
		}
	}
}

// Slice reads an array into *p, one element at a time with elem, as
// encoding/json does for a slice: null sets *p to nil, [] to an empty
// slice, and elements already in *p are decoded into rather than replaced.
func Slice[T any](d *Decoder, p *[]T, elem func(*T) error) error {
	if d.Null() {
		*p = nil
		return nil
	}
	s := *p
	i := 0
	err := d.Array(func() error {
		if i == len(s) {
			var zero T
			s = append(s, zero)
		}
		i++
		return elem(&s[i-1])
	})
	if err != nil {
		return err
	}
	if s == nil {
		s = []T{}
	}
	*p = s[:i]
	return nil
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

// Number reads a number and returns its literal text.
func (d *Decoder) Number() (string, error) {
	if d.Kind() != KindNumber {
		return "", d.wrongKind()
	}
	b, start := d.data, d.pos
	i := start
	if b[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		return i > j
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case !digits():
		d.pos = i
		return "", d.fail(ErrSyntax)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if !digits() {
			d.pos = i
			return "", d.fail(ErrSyntax)
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits() {
			d.pos = i
			return "", d.fail(ErrSyntax)
		}
	}
	d.pos = i
	return string(b[start:i]), nil
}

// integer reads a number that must be an integer of the given size.
func (d *Decoder) integer(signed bool, bits int) (int64, uint64, bool, error) {
	if d.Null() {
		return 0, 0, false, nil
	}
	start := d.pos
	lit, err := d.Number()
	if err != nil {
		return 0, 0, false, err
	}
	if signed {
		n, err := strconv.ParseInt(lit, 10, bits)
		if err != nil {
			d.pos = start
			return 0, 0, false, d.fail(ErrRange)
		}
		return n, 0, true, nil
	}
	n, err := strconv.ParseUint(lit, 10, bits)
	if err != nil {
		d.pos = start
		return 0, 0, false, d.fail(ErrRange)
	}
	return 0, n, true, nil
}

// Int reads an integer into *p; a null leaves *p unchanged.
func (d *Decoder) Int(p *int) error {
	n, _, ok, err := d.integer(true, strconv.IntSize)
	if ok {
		*p = int(n)
	}
	return err
}

// Int64 reads an integer into *p; a null leaves *p unchanged.
func (d *Decoder) Int64(p *int64) error {
	n, _, ok, err := d.integer(true, 64)
	if ok {
		*p = n
	}
	return err
}

// Uint32 reads an unsigned integer into *p; a null leaves *p unchanged.
func (d *Decoder) Uint32(p *uint32) error {
	_, n, ok, err := d.integer(false, 32)
	if ok {
		*p = uint32(n)
	}
	return err
}

// Uint64 reads an unsigned integer into *p; a null leaves *p unchanged.
func (d *Decoder) Uint64(p *uint64) error {
	_, n, ok, err := d.integer(false, 64)
	if ok {
		*p = n
	}
	return err
}

// Bool reads true or false into *p; a null leaves *p unchanged.
func (d *Decoder) Bool(p *bool) error {
	switch d.Kind() {
	case KindNull:
		return d.null()
	case KindBool:
		if d.literal("true") {
			*p = true
			return nil
		}
		if d.literal("false") {
			*p = false
			return nil
		}
		return d.fail(ErrSyntax)
	}
	return d.wrongKind()
}

// String reads a string into *p; a null leaves *p unchanged.
func (d *Decoder) String(p *string) error {
	switch d.Kind() {
	case KindNull:
		return d.null()
	case KindString:
		s, err := d.readString()
		if err == nil {
			*p = s
		}
		return err
	}
	return d.wrongKind()
}

// Base64 reads a string of standard base64 into *p, as encoding/json reads
// a []byte; a null sets *p to nil.
func (d *Decoder) Base64(p *[]byte) error {
	switch d.Kind() {
	case KindNull:
		if err := d.null(); err != nil {
			return err
		}
		*p = nil
		return nil
	case KindString:
	default:
		return d.wrongKind()
	}
	start := d.pos
	s, err := d.readString()
	if err != nil {
		return err
	}
	b := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Decode(b, []byte(s))
	if err != nil {
		d.pos = start
		return d.fail(ErrType)
	}
	*p = b[:n]
	return nil
}

// readString reads a string token, with d.pos at its opening quote. Like
// encoding/json it turns invalid UTF-8 and lone surrogates into U+FFFD.
func (d *Decoder) readString() (string, error) {
	b := d.data
	i := d.pos + 1
	// Fast path: no escapes, valid UTF-8.
	for i < len(b) {
		c := b[i]
		if c == '"' {
			s := string(b[d.pos+1 : i])
			d.pos = i + 1
			return s, nil
		}
		if c == '\\' || c < ' ' || c >= utf8.RuneSelf {
			break
		}
		i++
	}
	out := make([]byte, 0, i-d.pos+16)
	out = append(out, b[d.pos+1:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			d.pos = i + 1
			return string(out), nil
		case c < ' ':
			d.pos = i
			return "", d.fail(ErrSyntax)
		case c == '\\':
			if i+1 >= len(b) {
				d.pos = i
				return "", d.fail(ErrSyntax)
			}
			switch e := b[i+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
				i += 2
			case 'b':
				out = append(out, '\b')
				i += 2
			case 'f':
				out = append(out, '\f')
				i += 2
			case 'n':
				out = append(out, '\n')
				i += 2
			case 'r':
				out = append(out, '\r')
				i += 2
			case 't':
				out = append(out, '\t')
				i += 2
			case 'u':
				r := hex4(b[i+2:])
				if r < 0 {
					d.pos = i
					return "", d.fail(ErrSyntax)
				}
				i += 6
				if utf16.IsSurrogate(r) {
					// A pair is two escapes; anything else leaves a
					// lone surrogate, which becomes U+FFFD and does not
					// consume what follows.
					r2 := rune(-1)
					if i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
						r2 = hex4(b[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				out = utf8.AppendRune(out, r)
			default:
				d.pos = i
				return "", d.fail(ErrSyntax)
			}
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(b[i:])
			out = utf8.AppendRune(out, r)
			i += size
		}
	}
	d.pos = i
	return "", d.fail(ErrSyntax)
}

// hex4 decodes the four hex digits at the start of b, or returns -1.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
