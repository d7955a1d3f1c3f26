package jsonw

import "strconv"

// integer is every Go integer type, and the types defined over them.
type integer interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// signed reports whether T is a signed integer type.
func signed[T integer]() bool {
	var zero T
	return ^zero < 0
}

// writeInteger writes n.
func writeInteger[T integer](w *Writer, n T) {
	if signed[T]() {
		w.Int(int64(n))
	} else {
		w.Uint(uint64(n))
	}
}

// parseInteger parses lit as a T, failing when it is not an integer or T
// cannot hold it. strconv rejects a sign on an unsigned number.
func parseInteger[T integer](lit string) (T, bool) {
	if signed[T]() {
		n, err := strconv.ParseInt(lit, 10, 64)
		return T(n), err == nil && int64(T(n)) == n
	}
	n, err := strconv.ParseUint(lit, 10, 64)
	return T(n), err == nil && uint64(T(n)) == n
}

// readInteger reads a number that must be an integer T holds into *p; a
// null leaves *p unchanged.
func readInteger[T integer](d *Decoder, p *T) error {
	if d.Null() {
		return nil
	}
	start := d.pos
	lit, err := d.Number()
	if err != nil {
		return err
	}
	n, ok := parseInteger[T](lit)
	if !ok {
		d.pos = start
		return d.fail(ErrRange)
	}
	*p = n
	return nil
}

// The integer reads for hand-written codecs; a null leaves *p unchanged.

// Int reads an int into *p.
func (d *Decoder) Int(p *int) error { return readInteger(d, p) }

// Int64 reads an int64 into *p.
func (d *Decoder) Int64(p *int64) error { return readInteger(d, p) }

// Uint32 reads a uint32 into *p.
func (d *Decoder) Uint32(p *uint32) error { return readInteger(d, p) }

// Uint64 reads a uint64 into *p.
func (d *Decoder) Uint64(p *uint64) error { return readInteger(d, p) }

// intMember is every integer member.
func intMember[T integer](m *Members, k string, p *T, omit bool) *Members {
	return m.member(k, omit && *p == 0, func() { writeInteger(m.w, *p) }, func() error { return readInteger(m.d, p) })
}

// The integer members, one method per Go integer type so that a generated
// JSONMembers passes its field's address as it is.

// Int is an int member.
func (m *Members) Int(k string, p *int, omit bool) *Members { return intMember(m, k, p, omit) }

// Int8 is an int8 member.
func (m *Members) Int8(k string, p *int8, omit bool) *Members { return intMember(m, k, p, omit) }

// Int16 is an int16 member.
func (m *Members) Int16(k string, p *int16, omit bool) *Members { return intMember(m, k, p, omit) }

// Int32 is an int32 member.
func (m *Members) Int32(k string, p *int32, omit bool) *Members { return intMember(m, k, p, omit) }

// Int64 is an int64 member.
func (m *Members) Int64(k string, p *int64, omit bool) *Members { return intMember(m, k, p, omit) }

// Uint is a uint member.
func (m *Members) Uint(k string, p *uint, omit bool) *Members { return intMember(m, k, p, omit) }

// Uint8 is a uint8 member.
func (m *Members) Uint8(k string, p *uint8, omit bool) *Members { return intMember(m, k, p, omit) }

// Uint16 is a uint16 member.
func (m *Members) Uint16(k string, p *uint16, omit bool) *Members { return intMember(m, k, p, omit) }

// Uint32 is a uint32 member.
func (m *Members) Uint32(k string, p *uint32, omit bool) *Members { return intMember(m, k, p, omit) }

// Uint64 is a uint64 member.
func (m *Members) Uint64(k string, p *uint64, omit bool) *Members { return intMember(m, k, p, omit) }
