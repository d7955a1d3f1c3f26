package attach

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var jpegThumb = append([]byte("\xff\xd8\xff\xe0"), bytes.Repeat([]byte{0x42}, 300)...)

func fullPointer() *Pointer {
	p := &Pointer{
		BlobID:     "b_5x9Qk-2Lr8mZ1vT0aW4e",
		Size:       3<<20 + 17,
		MIME:       "image/jpeg",
		FileName:   "holiday photo.jpg",
		Thumbnail:  jpegThumb,
		Width:      4032,
		Height:     3024,
		DurationMs: 0,
	}
	for i := range p.Key {
		p.Key[i] = byte(i)
		p.Digest[i] = byte(255 - i)
	}
	return p
}

func equalPointers(a, b *Pointer) bool {
	return a.BlobID == b.BlobID && a.Key == b.Key && a.Digest == b.Digest && a.Size == b.Size &&
		a.MIME == b.MIME && a.FileName == b.FileName && bytes.Equal(a.Thumbnail, b.Thumbnail) &&
		a.Width == b.Width && a.Height == b.Height && a.DurationMs == b.DurationMs
}

func TestPointerRoundTrip(t *testing.T) {
	minimal := &Pointer{BlobID: "x", Size: 0}
	voice := &Pointer{BlobID: "v1", Size: 48213, MIME: "audio/webm;codecs=opus", DurationMs: 5321}
	for _, p := range []*Pointer{fullPointer(), minimal, voice} {
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		q, err := UnmarshalPointer(b)
		if err != nil {
			t.Fatal(err)
		}
		if !equalPointers(p, q) {
			t.Fatalf("round trip: %+v != %+v", p, q)
		}
		if s := strings.ToLower(string(b)); strings.Contains(s, "redacted") {
			t.Fatal("encoding holds a printed key")
		}
	}
}

// TestPointerBounds: each bound is enforced on Marshal with the field named.
func TestPointerBounds(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*Pointer)
	}{
		{"blob id", func(p *Pointer) { p.BlobID = "" }},
		{"blob id", func(p *Pointer) { p.BlobID = "a/b" }},
		{"blob id", func(p *Pointer) { p.BlobID = ".." }},
		{"blob id", func(p *Pointer) { p.BlobID = strings.Repeat("a", MaxBlobIDLen+1) }},
		{"size", func(p *Pointer) { p.Size = MaxSize + 1 }},
		{"mime", func(p *Pointer) { p.MIME = "jpeg" }},
		{"mime", func(p *Pointer) { p.MIME = "image/jpeg\n" }},
		{"mime", func(p *Pointer) { p.MIME = "image/" + strings.Repeat("x", MaxMIMELen) }},
		{"thumbnail", func(p *Pointer) { p.Thumbnail = []byte("<svg onload=alert(1)>") }},
		{"thumbnail", func(p *Pointer) { p.Thumbnail = append(jpegThumb[:4:4], make([]byte, MaxThumbnailLen)...) }},
		{"dimensions", func(p *Pointer) { p.Width = MaxDimension + 1 }},
	}
	for _, c := range cases {
		p := fullPointer()
		c.edit(p)
		_, err := p.Marshal()
		var pe *PointerError
		if !errors.As(err, &pe) || pe.Field != c.field || !errors.Is(err, ErrBadPointer) {
			t.Errorf("%s: got %v", c.field, err)
		}
	}
	p := fullPointer()
	p.Thumbnail = append(jpegThumb[:4:4], make([]byte, MaxThumbnailLen-4)...)
	p.FileName = strings.Repeat("n", MaxFileNameLen)
	p.MIME = "a/" + strings.Repeat("b", MaxMIMELen-2)
	p.BlobID = strings.Repeat("c", MaxBlobIDLen)
	if b, err := p.Marshal(); err != nil || len(b) > MaxPointerSize {
		t.Fatalf("largest pointer: %v, %d bytes", err, len(b))
	}
}

// TestPointerDecodeErrors: malformed encodings fail with the field named.
func TestPointerDecodeErrors(t *testing.T) {
	good, _ := fullPointer().Marshal()
	field := func(num, l byte, v ...byte) []byte { return append([]byte{num, l}, v...) }
	key := field(fieldKey, 32, make([]byte, 32)...)
	digest := field(fieldDigest, 32, make([]byte, 32)...)
	base := func(extra ...[]byte) []byte {
		b := append([]byte{pointerVersion}, field(fieldBlobID, 1, 'a')...)
		b = append(b, key...)
		b = append(b, digest...)
		b = append(b, field(fieldSize, 1, 5)...)
		for _, e := range extra {
			b = append(b, e...)
		}
		return b
	}
	if _, err := UnmarshalPointer(base()); err != nil {
		t.Fatalf("minimal hand-built pointer: %v", err)
	}
	if p, err := UnmarshalPointer(base(field(99, 2, 1, 2))); err != nil || p.Size != 5 {
		t.Fatalf("unknown field is skipped: %v", err)
	}
	withoutSize := base()[:len(base())-3]
	badID := base()
	badID[3] = '/'
	longName := append([]byte{fieldFileName, 0x80, 0x02}, bytes.Repeat([]byte{'a'}, 256)...)
	cases := map[string][]byte{
		"version":                append([]byte{2}, good[1:]...),
		"field number":           base(field(fieldSize, 1, 5)), // repeated
		"field length":           good[:len(good)-1],
		"key":                    append(append([]byte{pointerVersion}, field(fieldBlobID, 1, 'a')...), field(fieldKey, 31, make([]byte, 31)...)...),
		"size":                   append(withoutSize, field(fieldSize, 5, 0x81, 0x80, 0x80, 0x80, 0x08)...), // 2 GiB + 1
		"required field missing": {pointerVersion},
		"size of pointer":        make([]byte, MaxPointerSize+1),
		"width":                  base(field(fieldWidth, 3, 0xff, 0xff, 0x04)),
		"duration":               base(field(fieldDuration, 2, 0x80, 0x00)), // not minimal
		"file name":              base(longName),
		"thumbnail":              base(field(fieldThumbnail, 3, 'G', 'I', 'F')),
		"mime":                   base(field(fieldMIME, 3, 'a', 'b', 'c')),
		"blob id":                badID,
	}
	for want, b := range cases {
		_, err := UnmarshalPointer(b)
		var pe *PointerError
		if !errors.As(err, &pe) || pe.Field != want {
			t.Errorf("%s: got %v", want, err)
		}
	}
}

func TestSanitizeFileName(t *testing.T) {
	cases := map[string]string{
		"report.pdf":                "report.pdf",
		"../../etc/passwd":          "_.._etc_passwd",
		`C:\Users\a\b.txt`:          "C__Users_a_b.txt",
		".bashrc":                   "bashrc",
		"name. ":                    "name",
		"evil\u202Egpj.exe":         "evil_gpj.exe",
		"tab\there\nnew\x7f":        "tab_here_new_",
		"bad\xffutf8":               "bad_utf8",
		"a<b>c:d\"e|f?g*h":          "a_b_c_d_e_f_g_h",
		"":                          "",
		"...":                       "",
		"Foto Liburan — Bali 🏝.jpg": "Foto Liburan — Bali 🏝.jpg",
	}
	for in, want := range cases {
		if got := SanitizeFileName(in); got != want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("é", 200) + ".tar.gz"
	got := SanitizeFileName(long)
	if len(got) > MaxFileNameLen || !strings.HasSuffix(got, ".gz") || !strings.HasPrefix(got, "éé") || SanitizeFileName(got) != got {
		t.Fatalf("long name: %q (%d bytes)", got, len(got))
	}
	p := fullPointer()
	p.FileName = "../secret\x00.txt"
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	q, _ := UnmarshalPointer(b)
	if q.FileName != "_secret_.txt" {
		t.Fatalf("marshalled name %q", q.FileName)
	}
}
