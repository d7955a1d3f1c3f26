package jsonw

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// escapes are the characters that follow a backslash to stand for one
// other, and unescaped what each stands for.
const escapes, unescaped = "\"\\/bfnrt", "\"\\/\b\f\n\r\t"

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
			e := b[i+1]
			if j := strings.IndexByte(escapes, e); j >= 0 {
				out = append(out, unescaped[j])
				i += 2
				continue
			}
			r := hex4(b[i+2:])
			if e != 'u' || r < 0 {
				d.pos = i
				return "", d.fail(ErrSyntax)
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A pair is two escapes; anything else leaves a lone
				// surrogate, which becomes U+FFFD and does not consume
				// what follows.
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
