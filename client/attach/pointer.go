package attach

import (
	"encoding/binary"
	"unicode/utf8"
)

// pointerVersion is the first byte of an encoded Pointer.
const pointerVersion = 1

// Bounds on Pointer fields, each checked on Marshal and Unmarshal.
const (
	// MaxPointerSize keeps a pointer far below the relay's 256 KiB
	// envelope cap: the largest thumbnail, name, MIME type and blob id
	// together are under 17 KiB; the rest is room for fields added later.
	MaxPointerSize = 20 << 10

	// MaxBlobIDLen covers any id the relay hands out (a 128-bit random id
	// is 22 base64url characters) with room to spare.
	MaxBlobIDLen = 128

	// MaxMIMELen is RFC 6838's 127-character limit on a type or subtype,
	// applied to the whole string: real types are far shorter.
	MaxMIMELen = 127

	// MaxFileNameLen is the 255-byte name limit of ext4, APFS and NTFS
	// (in UTF-16 units, never fewer than 255 bytes' worth), so a name
	// survives saving on any of them.
	MaxFileNameLen = 255

	// MaxThumbnailLen fits a 256-pixel JPEG or WebP preview. The pointer
	// itself travels end-to-end encrypted, so the thumbnail rides inline
	// rather than as a second encrypted blob and a second download.
	MaxThumbnailLen = 16 << 10

	// MaxDimension is the largest width or height a JPEG or WebP can have.
	MaxDimension = 1<<16 - 1

	// maxExtLen is the longest extension SanitizeFileName keeps when it
	// shortens a name.
	maxExtLen = 16
)

// Field numbers of the encoding.
const (
	fieldBlobID    = 1
	fieldKey       = 2
	fieldDigest    = 3
	fieldSize      = 4
	fieldMIME      = 5
	fieldFileName  = 6
	fieldThumbnail = 7
	fieldWidth     = 8
	fieldHeight    = 9
	fieldDuration  = 10
)

// Pointer is everything a recipient needs to fetch, check and decrypt an
// attachment and to show it before the download. It travels only inside an
// end-to-end-encrypted message; the relay never sees it.
type Pointer struct {
	BlobID string // relay's id: 1 to 128 of A-Z a-z 0-9 - _ . ~ (safe in a URL path unescaped)
	Key    Key
	Digest Digest
	Size   uint64 // plaintext bytes, at most MaxSize

	MIME     string // "" for unknown; else "type/subtype[; params]", printable ASCII
	FileName string // sanitised by SanitizeFileName; "" for none

	Thumbnail  []byte // optional JPEG, PNG or WebP, at most MaxThumbnailLen
	Width      uint32 // optional pixels, at most MaxDimension
	Height     uint32
	DurationMs uint32 // optional, audio and video
}

// Marshal encodes p: a version byte, then fields in increasing number,
// each as uvarint number, uvarint length, value; integers are uvarints
// inside their field; zero optional fields are left out. The file name is
// sanitised first. Marshal returns a *PointerError when p breaks a bound.
func (p *Pointer) Marshal() ([]byte, error) {
	q := *p
	q.FileName = SanitizeFileName(q.FileName)
	if err := q.check(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 96+len(q.BlobID)+len(q.MIME)+len(q.FileName)+len(q.Thumbnail))
	b = append(b, pointerVersion)
	b = appendField(b, fieldBlobID, []byte(q.BlobID))
	b = appendField(b, fieldKey, q.Key[:])
	b = appendField(b, fieldDigest, q.Digest[:])
	b = appendUint(b, fieldSize, q.Size, true)
	if q.MIME != "" {
		b = appendField(b, fieldMIME, []byte(q.MIME))
	}
	if q.FileName != "" {
		b = appendField(b, fieldFileName, []byte(q.FileName))
	}
	if len(q.Thumbnail) > 0 {
		b = appendField(b, fieldThumbnail, q.Thumbnail)
	}
	b = appendUint(b, fieldWidth, uint64(q.Width), false)
	b = appendUint(b, fieldHeight, uint64(q.Height), false)
	b = appendUint(b, fieldDuration, uint64(q.DurationMs), false)
	if len(b) > MaxPointerSize {
		return nil, &PointerError{Field: "size of pointer"}
	}
	return b, nil
}

func appendField(b []byte, num uint64, v []byte) []byte {
	b = binary.AppendUvarint(b, num)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

func appendUint(b []byte, num, v uint64, always bool) []byte {
	if v == 0 && !always {
		return b
	}
	var tmp [binary.MaxVarintLen64]byte
	return appendField(b, num, binary.AppendUvarint(tmp[:0], v))
}

// UnmarshalPointer decodes a Pointer. It rejects a wrong version, fields
// out of order or repeated, missing required fields, and any broken
// bound, with a *PointerError; it skips fields it does not know, so later
// versions may add some. The file name comes back sanitised.
func UnmarshalPointer(b []byte) (*Pointer, error) {
	if len(b) > MaxPointerSize {
		return nil, &PointerError{Field: "size of pointer"}
	}
	if len(b) == 0 || b[0] != pointerVersion {
		return nil, &PointerError{Field: "version"}
	}
	b = b[1:]
	p := &Pointer{}
	var prev uint64
	var seen uint
	for len(b) > 0 {
		num, n := binary.Uvarint(b)
		if n <= 0 || num <= prev {
			return nil, &PointerError{Field: "field number"}
		}
		b = b[n:]
		l, n := binary.Uvarint(b)
		if n <= 0 || l > uint64(len(b)-n) {
			return nil, &PointerError{Field: "field length"}
		}
		v := b[n : n+int(l)]
		b = b[n+int(l):]
		prev = num
		if num <= fieldDuration {
			seen |= 1 << num
		}
		var err error
		switch num {
		case fieldBlobID:
			p.BlobID = string(v)
		case fieldKey:
			err = copyExact(p.Key[:], v, "key")
		case fieldDigest:
			err = copyExact(p.Digest[:], v, "digest")
		case fieldSize:
			p.Size, err = parseUint(v, MaxSize, "size")
		case fieldMIME:
			p.MIME = string(v)
		case fieldFileName:
			if len(v) > MaxFileNameLen {
				return nil, &PointerError{Field: "file name"}
			}
			p.FileName = SanitizeFileName(string(v))
		case fieldThumbnail:
			p.Thumbnail = append([]byte(nil), v...)
		case fieldWidth:
			p.Width, err = parseUint32(v, MaxDimension, "width")
		case fieldHeight:
			p.Height, err = parseUint32(v, MaxDimension, "height")
		case fieldDuration:
			p.DurationMs, err = parseUint32(v, 1<<32-1, "duration")
		}
		if err != nil {
			return nil, err
		}
	}
	const required = 1<<fieldBlobID | 1<<fieldKey | 1<<fieldDigest | 1<<fieldSize
	if seen&required != required {
		return nil, &PointerError{Field: "required field missing"}
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

func copyExact(dst, v []byte, field string) error {
	if len(v) != len(dst) {
		return &PointerError{Field: field}
	}
	copy(dst, v)
	return nil
}

// parseUint reads a field holding exactly one minimal uvarint, at most max.
func parseUint(v []byte, max uint64, field string) (uint64, error) {
	x, n := binary.Uvarint(v)
	if n <= 0 || n != len(v) || len(binary.AppendUvarint(nil, x)) != n || x > max {
		return 0, &PointerError{Field: field}
	}
	return x, nil
}

func parseUint32(v []byte, max uint64, field string) (uint32, error) {
	x, err := parseUint(v, max, field)
	return uint32(x), err
}

// check enforces every bound but the encoded size.
func (p *Pointer) check() error {
	if !validBlobID(p.BlobID) {
		return &PointerError{Field: "blob id"}
	}
	if p.Size > MaxSize {
		return &PointerError{Field: "size"}
	}
	if !validMIME(p.MIME) {
		return &PointerError{Field: "mime"}
	}
	if len(p.FileName) > MaxFileNameLen || SanitizeFileName(p.FileName) != p.FileName {
		return &PointerError{Field: "file name"}
	}
	if len(p.Thumbnail) > MaxThumbnailLen || (len(p.Thumbnail) > 0 && !isImage(p.Thumbnail)) {
		return &PointerError{Field: "thumbnail"}
	}
	if p.Width > MaxDimension || p.Height > MaxDimension {
		return &PointerError{Field: "dimensions"}
	}
	return nil
}

func validBlobID(s string) bool {
	if len(s) == 0 || len(s) > MaxBlobIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~'
		if !ok {
			return false
		}
	}
	return s != "." && s != ".."
}

// validMIME accepts "" or printable ASCII holding a '/' with no space at
// either end. It does not make a type safe to render: the UI shows inline
// only the image and audio types it knows.
func validMIME(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > MaxMIMELen || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	slash := false
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
		slash = slash || s[i] == '/'
	}
	return slash
}

// isImage checks a thumbnail's magic bytes: JPEG, PNG or WebP, so nothing
// scriptable (SVG, HTML) is ever handed to an <img> as a preview.
func isImage(b []byte) bool {
	return len(b) >= 3 && string(b[:3]) == "\xff\xd8\xff" ||
		len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n" ||
		len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
}

// SanitizeFileName makes a sender's file name safe to show and to save
// under: invalid UTF-8, control characters (C0, DEL, C1, U+2028, U+2029),
// path separators and the characters Windows forbids (/ \ : * ? " < > |),
// and bidirectional controls (U+061C, U+200E, U+200F, U+202A to U+202E,
// U+2066 to U+2069, which can disguise "evil\u202Egpj.exe" as
// "evilexe.jpg") each become '_'. Leading and trailing spaces and dots go
// (no hidden files, no "..", nothing Windows strips). A name over
// MaxFileNameLen bytes is cut at a character boundary, keeping an
// extension of up to 16 bytes. It is idempotent; "" stays "".
func SanitizeFileName(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if badNameRune(r, n) {
			b = append(b, '_')
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	name := trimDotsSpaces(string(b))
	if len(name) <= MaxFileNameLen {
		return name
	}
	ext := ""
	for i := len(name) - 1; i > 0 && len(name)-i <= maxExtLen; i-- {
		if name[i] == '.' {
			ext = name[i:]
			break
		}
	}
	base := trimDotsSpaces(cutUTF8(name, MaxFileNameLen-len(ext)))
	if base == "" {
		return trimDotsSpaces(cutUTF8(name, MaxFileNameLen))
	}
	return base + ext
}

// trimDotsSpaces removes leading and trailing spaces and dots.
func trimDotsSpaces(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '.') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '.') {
		s = s[:len(s)-1]
	}
	return s
}

func badNameRune(r rune, size int) bool {
	switch {
	case r == utf8.RuneError && size <= 1:
		return true
	case r < 0x20, r == 0x7f, 0x80 <= r && r < 0xa0, r == 0x2028, r == 0x2029:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, 0x202a <= r && r <= 0x202e, 0x2066 <= r && r <= 0x2069:
		return true
	}
	switch r {
	case '/', '\\', ':', '*', '?', '"', '<', '>', '|':
		return true
	}
	return false
}

// cutUTF8 shortens s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
