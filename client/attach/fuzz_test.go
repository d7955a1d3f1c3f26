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
