package wire

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares lines with testdata/name, or rewrites it under
// -update. The golden files hold what the codecs wrote before they were
// generated: the wire format must not change by accident.
func checkGolden(t *testing.T, name string, lines []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, lines, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got, wantLines := bytes.Split(lines, []byte("\n")), bytes.Split(want, []byte("\n"))
	for i := 0; i < len(got) || i < len(wantLines); i++ {
		var g, w []byte
		if i < len(got) {
			g = got[i]
		}
		if i < len(wantLines) {
			w = wantLines[i]
		}
		if !bytes.Equal(g, w) {
			t.Errorf("%s line %d:\n got %s\nwant %s", name, i+1, g, w)
		}
	}
}

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
	checkGolden(t, "json.golden", out)
}
