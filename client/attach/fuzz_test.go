package attach

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// FuzzDecrypt: random ciphertext, sizes and digests never panic and never
// decrypt; seeded from the vectors, whose mutations each must fail.
func FuzzDecrypt(f *testing.F) {
	for _, vc := range loadVectors(f) {
		if vc.CiphertextHex == "" {
			continue
		}
		ct := unhex(f, vc.CiphertextHex)
		f.Add(ct, vc.Size, unhex(f, vc.Digest))
		f.Add(ct[:len(ct)/2], vc.Size, unhex(f, vc.Digest))
	}
	f.Add(make([]byte, SealedChunkSize+20), uint64(ChunkSize+4), make([]byte, 32))
	f.Fuzz(func(t *testing.T, ct []byte, size uint64, digest []byte) {
		var d Digest
		copy(d[:], digest)
		size %= 4 * ChunkSize // keep allocations of a bogus size bounded by the stream
		var out bytes.Buffer
		err := Decrypt(&out, bytes.NewReader(ct), Key{7}, size, d)
		if err == nil {
			t.Fatalf("random ciphertext decrypted: size %d, %s", size, hex.EncodeToString(ct[:min(len(ct), 32)]))
		}
		if !errors.Is(err, ErrTampered) && !errors.Is(err, ErrTruncated) {
			t.Fatalf("undocumented error %v", err)
		}
	})
}

// FuzzPointer: decoding never panics; whatever decodes re-encodes and
// decodes to the same Pointer, within MaxPointerSize; file names come out
// sanitised and sanitising is idempotent.
func FuzzPointer(f *testing.F) {
	for _, p := range []*Pointer{fullPointer(), {BlobID: "x"}, {BlobID: "v", MIME: "audio/ogg", DurationMs: 1}} {
		b, err := p.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, vc := range loadVectors(f) {
		p := &Pointer{BlobID: "blob", Size: vc.Size, FileName: "evil\u202egpj.exe"}
		copy(p.Key[:], unhex(f, vc.FileKey))
		copy(p.Digest[:], unhex(f, vc.Digest))
		b, err := p.Marshal()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{pointerVersion, 6, 3, '.', '/', '.'})
	f.Fuzz(func(t *testing.T, b []byte) {
		if name := string(b); SanitizeFileName(SanitizeFileName(name)) != SanitizeFileName(name) || len(SanitizeFileName(name)) > MaxFileNameLen {
			t.Fatalf("SanitizeFileName not idempotent or too long on %q", name)
		}
		p, err := UnmarshalPointer(b)
		if err != nil {
			if !errors.Is(err, ErrBadPointer) {
				t.Fatalf("undocumented error %v", err)
			}
			return
		}
		again, err := p.Marshal()
		if err != nil {
			t.Fatalf("decoded pointer does not encode: %v", err)
		}
		q, err := UnmarshalPointer(again)
		if err != nil || !equalPointers(p, q) {
			t.Fatalf("round trip: %v", err)
		}
		if len(again) > MaxPointerSize {
			t.Fatal("too large")
		}
	})
}
