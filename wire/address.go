package wire

import (
	"strings"
)

// Kind is the kind of identity an address names.
type Kind string

const (
	// KindPhone is a phone number identity, WhatsApp style.
	KindPhone Kind = "phone"
	// KindAccount is an account ID identity, Messenger style.
	KindAccount Kind = "account"
)

const (
	// phoneMinDigits and phoneMaxDigits bound an E.164 number: the ITU caps
	// numbers at 15 digits, and no country's full number is shorter than 8
	// digits including the country code (the shortest real ones, e.g. the
	// Niue +683 four-digit numbers, are refused on purpose; see PROTOCOL.md).
	phoneMinDigits = 8
	phoneMaxDigits = 15

	// accountMinLen and accountMaxLen bound account IDs: 3 so that IDs are
	// not trivially guessable single letters, 32 so they fit a UI line.
	accountMinLen = 3
	accountMaxLen = 32
)

// Address is a normalised identity address: a kind and its value. The zero
// Address is invalid. It marshals to and from JSON as its string form.
type Address struct {
	Kind  Kind
	Value string
}

// String returns the canonical form, e.g. "phone:+6281234567890".
func (a Address) String() string {
	if a.Kind == "" {
		return ""
	}
	return string(a.Kind) + ":" + a.Value
}

// IsZero reports whether a is the zero Address.
func (a Address) IsZero() bool { return a.Kind == "" }

// ParseAddress parses and normalises "phone:..." or "account:...". The kind
// prefix is case-insensitive. A bad phone number yields ErrBadPhone, a bad
// account ID ErrBadAccountID, anything else ErrBadAddress.
func ParseAddress(s string) (Address, error) {
	kind, value, ok := strings.Cut(s, ":")
	if !ok {
		return Address{}, ErrBadAddress
	}
	switch Kind(asciiLower(kind)) {
	case KindPhone:
		p, err := NormalizePhone(value)
		if err != nil {
			return Address{}, err
		}
		return Address{KindPhone, p}, nil
	case KindAccount:
		id, err := NormalizeAccountID(value)
		if err != nil {
			return Address{}, err
		}
		return Address{KindAccount, id}, nil
	}
	return Address{}, ErrBadAddress
}

// PhoneAddress returns the address of an already normalised phone number.
func PhoneAddress(phone string) Address { return Address{KindPhone, phone} }

// AccountAddress returns the address of an already normalised account ID.
func AccountAddress(id string) Address { return Address{KindAccount, id} }

// MarshalText implements encoding.TextMarshaler.
func (a Address) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it normalises.
func (a *Address) UnmarshalText(b []byte) error {
	p, err := ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = p
	return nil
}

// NormalizePhone strips spaces, dashes and brackets, then requires E.164: a
// leading '+' and 8 to 15 digits, the first not 0. It returns ErrBadPhone for
// anything else.
func NormalizePhone(s string) (string, error) {
	if len(s) > 64 { // far longer than any formatted number; refuse before work
		return "", ErrBadPhone
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '-', '(', ')':
		default:
			b.WriteByte(c)
		}
	}
	p := b.String()
	if len(p) < 1+phoneMinDigits || len(p) > 1+phoneMaxDigits || p[0] != '+' || p[1] == '0' {
		return "", ErrBadPhone
	}
	for i := 1; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return "", ErrBadPhone
		}
	}
	return p, nil
}

// NormalizeAccountID lowercases s (ASCII only) and requires 3 to 32 of
// a-z 0-9 . _. It returns ErrBadAccountID for anything else.
func NormalizeAccountID(s string) (string, error) {
	if len(s) < accountMinLen || len(s) > accountMaxLen {
		return "", ErrBadAccountID
	}
	id := asciiLower(s)
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_') {
			return "", ErrBadAccountID
		}
	}
	return id, nil
}

// asciiLower lowercases ASCII letters only, so that no Unicode case folding
// (the Kelvin sign K folds to k) can make two spellings of one ID.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
