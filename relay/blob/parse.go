//go:build !js

package blob

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
)

// IDSize is the number of random bytes in a blob id: 128 bits, so ids
// cannot be guessed and any authenticated device may fetch by id.
const IDSize = 16

// idLen is the length of an id in its text form: lowercase hex.
const idLen = 2 * IDSize

// maxRanges caps the ranges of one Range header: a client fetching a blob
// in pieces asks for one at a time; many tiny ranges only cost the relay.
const maxRanges = 16

// maxDecimal is the most digits of an Upload-Offset: 19 digits hold any
// int64 (and any blob size, capped far lower).
const maxDecimal = 19

var (
	errBadOffset   = errors.New("blob: bad Upload-Offset")
	errBadRange    = errors.New("blob: malformed Range")
	errRangeNoFits = errors.New("blob: no range overlaps the blob")
)

// newID makes a random blob id.
func newID() string {
	var b [IDSize]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validID reports whether s is a blob id: exactly 32 lowercase hex digits.
// Ids become file names, so nothing else (no '/', '.', upper case) passes.
func validID(s string) bool {
	if len(s) != idLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// parseOffset parses an Upload-Offset header: a non-negative decimal
// integer without sign, spaces or leading zeros.
func parseOffset(s string) (int64, error) {
	if len(s) > 1 && s[0] == '0' {
		return 0, errBadOffset
	}
	return parseDecimal(s)
}

// parseDecimal parses 1 to 19 decimal digits into an int64.
func parseDecimal(s string) (int64, error) {
	if s == "" || len(s) > maxDecimal {
		return 0, errBadOffset
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errBadOffset
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			return 0, errBadOffset
		}
		n = n*10 + d
	}
	return n, nil
}

// byteRange is the inclusive range [first, last] of a blob.
type byteRange struct{ first, last int64 }

// parseRanges parses a Range header (RFC 9110 §14.1.2) against a blob of
// size bytes: "bytes=" then a comma-separated list of "a-b", "a-" and
// "-n". Ranges that start past the end are dropped; if none is left the
// answer is errRangeNoFits (416). A malformed header is errBadRange.
func parseRanges(h string, size int64) ([]byteRange, error) {
	unit, list, ok := strings.Cut(h, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(unit), "bytes") {
		return nil, errBadRange
	}
	parts := strings.Split(list, ",")
	if len(parts) > maxRanges {
		return nil, errBadRange
	}
	var out []byteRange
	for _, p := range parts {
		p = strings.TrimSpace(p)
		a, b, ok := strings.Cut(p, "-")
		if !ok {
			return nil, errBadRange
		}
		if a == "" {
			// A suffix: the last n bytes.
			n, err := parseDecimal(b)
			if err != nil {
				return nil, errBadRange
			}
			if n == 0 || size == 0 {
				continue
			}
			out = append(out, byteRange{max(size-n, 0), size - 1})
			continue
		}
		first, err := parseDecimal(a)
		if err != nil {
			return nil, errBadRange
		}
		last := size - 1
		if b != "" {
			if last, err = parseDecimal(b); err != nil || last < first {
				return nil, errBadRange
			}
			last = min(last, size-1)
		}
		if first >= size {
			continue
		}
		out = append(out, byteRange{first, last})
	}
	if len(out) == 0 {
		return nil, errRangeNoFits
	}
	return out, nil
}
