package wire

import (
	"bytes"
	"reflect"
	"sambung/internal/golden"
	"strconv"
	"testing"
)

// TestJSONGolden encodes every body and frame sample, compares the bytes
// with testdata/json.golden, and decodes each line back to the same bytes.
func TestJSONGolden(t *testing.T) {
	var out []byte
	for _, c := range codecs {
		for i, v := range c.values {
			b := c.encode(v)
			out = append(out, c.name+"#"+strconv.Itoa(i)+" "...)
			out = append(append(out, b...), '\n')
			back, err := c.decode(b, true)
			if err != nil {
				t.Errorf("%s %d: decode %s: %v", c.name, i, b, err)
				continue
			}
			if again := c.encode(back); !bytes.Equal(again, b) {
				t.Errorf("%s %d: %s decodes and encodes to %s", c.name, i, b, again)
			}
		}
	}
	for i, f := range frameValues {
		b, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, reflect.TypeOf(f).Elem().Name()+"#"+strconv.Itoa(i)+" "...)
		out = append(append(out, b...), '\n')
		decode := DecodeServerFrame
		if isClientFrame(f) {
			decode = DecodeClientFrame
		}
		back, err := decode(b)
		if back == nil {
			t.Errorf("%T: decode %s: %v", f, b, err)
			continue
		}
		if again, _ := Encode(back); !bytes.Equal(again, b) {
			t.Errorf("%T: %s decodes and encodes to %s", f, b, again)
		}
	}
	golden.Check(t, "json.golden", out)
}
