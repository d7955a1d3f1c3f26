package jsonw

// The integer members, one method per Go integer type so that a generated
// JSONMembers passes its field's address as it is.

// Int is an int member.
func (m *Members) Int(k string, p *int, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Int(int64(*p))
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Int(p)
	}
}

// Int8 is an int8 member.
func (m *Members) Int8(k string, p *int8, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Int(int64(*p))
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Int8(p)
	}
}

// Int16 is an int16 member.
func (m *Members) Int16(k string, p *int16, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Int(int64(*p))
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Int16(p)
	}
}

// Int32 is an int32 member.
func (m *Members) Int32(k string, p *int32, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Int(int64(*p))
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Int32(p)
	}
}

// Int64 is an int64 member.
func (m *Members) Int64(k string, p *int64, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Int(*p)
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Int64(p)
	}
}

// Uint is a uint member.
func (m *Members) Uint(k string, p *uint, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Uint(uint64(*p))
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Uint(p)
	}
}

// Uint8 is a uint8 member.
func (m *Members) Uint8(k string, p *uint8, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Uint(uint64(*p))
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Uint8(p)
	}
}

// Uint16 is a uint16 member.
func (m *Members) Uint16(k string, p *uint16, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Uint(uint64(*p))
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Uint16(p)
	}
}

// Uint32 is a uint32 member.
func (m *Members) Uint32(k string, p *uint32, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Uint(uint64(*p))
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Uint32(p)
	}
}

// Uint64 is a uint64 member.
func (m *Members) Uint64(k string, p *uint64, omit bool) {
	if m.writes(k, omit, *p == 0) {
		m.w.Uint(*p)
	} else if m.w == nil && m.reads(k) {
		m.err = m.d.Uint64(p)
	}
}

// Uint32s is a []uint32 member.
func (m *Members) Uint32s(k string, p *[]uint32, omit bool) {
	if m.writes(k, omit, len(*p) == 0) {
		WriteSlice(m.w, *p, func(n *uint32) { m.w.Uint(uint64(*n)) })
	} else if m.w == nil && m.reads(k) {
		m.err = Slice(m.d, p, m.d.Uint32)
	}
}

// Uint64s is a []uint64 member.
func (m *Members) Uint64s(k string, p *[]uint64, omit bool) {
	if m.writes(k, omit, len(*p) == 0) {
		WriteSlice(m.w, *p, func(n *uint64) { m.w.Uint(*n) })
	} else if m.w == nil && m.reads(k) {
		m.err = Slice(m.d, p, m.d.Uint64)
	}
}
