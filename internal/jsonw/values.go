package jsonw

import "encoding/base64"

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
