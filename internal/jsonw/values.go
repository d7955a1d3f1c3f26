package jsonw

import (
	"encoding/base64"
	"strconv"
)

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

// Int8 reads an integer into *p; a null leaves *p unchanged.
func (d *Decoder) Int8(p *int8) error {
	n, _, ok, err := d.integer(true, 8)
	if ok {
		*p = int8(n)
	}
	return err
}

// Int16 reads an integer into *p; a null leaves *p unchanged.
func (d *Decoder) Int16(p *int16) error {
	n, _, ok, err := d.integer(true, 16)
	if ok {
		*p = int16(n)
	}
	return err
}

// Int32 reads an integer into *p; a null leaves *p unchanged.
func (d *Decoder) Int32(p *int32) error {
	n, _, ok, err := d.integer(true, 32)
	if ok {
		*p = int32(n)
	}
	return err
}

// Uint reads an unsigned integer into *p; a null leaves *p unchanged.
func (d *Decoder) Uint(p *uint) error {
	_, n, ok, err := d.integer(false, strconv.IntSize)
	if ok {
		*p = uint(n)
	}
	return err
}

// Uint8 reads an unsigned integer into *p; a null leaves *p unchanged.
func (d *Decoder) Uint8(p *uint8) error {
	_, n, ok, err := d.integer(false, 8)
	if ok {
		*p = uint8(n)
	}
	return err
}

// Uint16 reads an unsigned integer into *p; a null leaves *p unchanged.
func (d *Decoder) Uint16(p *uint16) error {
	_, n, ok, err := d.integer(false, 16)
	if ok {
		*p = uint16(n)
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
