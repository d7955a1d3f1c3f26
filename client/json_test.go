package client

import (
	"bytes"
	"fmt"
	"net/url"
	"testing"

	"sambung/internal/jsonw"
)

const oddText = "<é\"\\\n\x01&\u2028> 😀"

// FuzzDecodeRecords decodes arbitrary bytes as every stored record and the
// Content: no input panics, and what decodes encodes to JSON that decodes
// and encodes to the same bytes again.
func FuzzDecodeRecords(f *testing.F) {
	f.Add([]byte(`{"personId":"p","devices":[{"id":1,"key":"AQ==","accepted":true}],"unread":-1}`))
	f.Add([]byte(`{"seq":1,"sealed":[{"p":"p","d":1,"t":3,"b":"AA=="}],"plain":null}`))
	f.Add([]byte(`{"v":1,"kind":"receipt","receipt":{"status":"read","ids":["a"]},"zz":[{}]}`))
	f.Add([]byte(`{"callId":"c","op":"offer","ice":["a",""],"flags":1,"start":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzRecord[account](t, b)
		fuzzRecord[contactRecord](t, b)
		fuzzRecord[outboxItem](t, b)
		fuzzRecord[Content](t, b)
		fuzzRecord[CallSignal](t, b)
	})
}

func fuzzRecord[T any](t *testing.T, b []byte) {
	var v T
	if jsonw.Unmarshal(b, &v) != nil {
		return
	}
	enc := jsonw.Marshal(&v)
	var again T
	if err := jsonw.Unmarshal(enc, &again); err != nil {
		t.Fatalf("%T %q: re-decode of %s: %v", v, b, enc, err)
	}
	if enc2 := jsonw.Marshal(&again); !bytes.Equal(enc, enc2) {
		t.Fatalf("%T %q: %s re-encodes to %s", v, b, enc, enc2)
	}
}

// TestKeysMatchFormat holds the storage keys, now built with strconv, to
// the fmt verbs that built them before: stored data keeps its keys.
func TestKeysMatchFormat(t *testing.T) {
	for _, n := range []uint64{0, 1, 0xabc, 1<<24 - 1, 1<<32 - 1, maxTimestamp, 1<<64 - 1} {
		if n < 1<<32 {
			if got, want := preKeyKey(uint32(n)), prefixPreKey+fmt.Sprintf("%08x", n); got != want {
				t.Errorf("preKeyKey(%d) = %q, want %q", n, got, want)
			}
			if got, want := signedKey(uint32(n)), prefixSigned+fmt.Sprintf("%08x", n); got != want {
				t.Errorf("signedKey(%d) = %q, want %q", n, got, want)
			}
		}
		if got, want := outboxKey(n), prefixOutbox+fmt.Sprintf("%016x", n); got != want {
			t.Errorf("outboxKey(%d) = %q, want %q", n, got, want)
		}
		if n <= maxTimestamp {
			if got, want := orderKey(int64(n), "id"), fmt.Sprintf("%015d.%s", n, "id"); got != want {
				t.Errorf("orderKey(%d) = %q, want %q", n, got, want)
			}
			if got, want := seenAtKey(int64(n), "s"), prefixSeenAt+fmt.Sprintf("%015d", n)+"/s"; got != want {
				t.Errorf("seenAtKey(%d) = %q, want %q", n, got, want)
			}
		}
	}
	if got, want := orderKey(-5, "x"), fmt.Sprintf("%015d.%s", -5, "x"); got != want {
		t.Errorf("orderKey(-5) = %q, want %q", got, want)
	}
}

func TestPathEscapeMatchesNetURL(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{"", "phone:+6281234567890", "account:a.b_c", "a/b?c#d e%f;g,h", string(all), "é😀"} {
		if got, want := pathEscape(s), url.PathEscape(s); got != want {
			t.Errorf("pathEscape(%q) = %q, want %q", s, got, want)
		}
	}
}
