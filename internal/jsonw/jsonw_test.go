package jsonw

import (
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// anyValue decodes the next value the way encoding/json decodes into an
// any, using only the Decoder's public reading methods.
func anyValue(d *Decoder) (any, error) {
	switch d.Kind() {
	case KindObject:
		m := map[string]any{}
		err := d.Object(func(k string) error {
			v, err := anyValue(d)
			m[k] = v
			return err
		})
		return m, err
	case KindArray:
		a := []any{}
		err := d.Array(func() error {
			v, err := anyValue(d)
			a = append(a, v)
			return err
		})
		return a, err
	case KindString:
		var s string
		err := d.String(&s)
		return s, err
	case KindNumber:
		lit, err := d.Number()
		if err != nil {
			return nil, err
		}
		f, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, d.fail(ErrRange)
		}
		return f, nil
	case KindBool:
		var b bool
		err := d.Bool(&b)
		return b, err
	case KindNull:
		return nil, d.null()
	}
	return nil, d.fail(ErrSyntax)
}

type anyHolder struct{ v any }

func (h *anyHolder) ReadJSON(d *Decoder) (err error) {
	h.v, err = anyValue(d)
	return err
}

var decodeSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5e3`, `-12.25E-2`, `"a"`,
	`{"a":[1,2,{"b":null}],"c":"\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t"}`,
	` { "x" : [ ] , "y" : { } } `,
	`"\ud800"`, `"\ud800\u0041"`, `"\udc00\ud800"`, `"\ud83d\ud83d\ude00"`,
	"\"\xff\xfe\"", "\"\xe2\x82\"", `"<>&\u2028"`,
	`{"a":1,"a":2}`, `[1,]`, `{"a":1,}`, `01`, `1.`, `.5`, `-`, `1e`, `+1`, `nul`, `tru`, `"\x"`,
	"\"a\x01\"", `"\u12"`, `[1 2]`, `{"a" 1}`, `{1:2}`, `1 2`, ``, ` `, `[`, `{`, `"`,
	`1e400`, `123456789012345678901234567890`, `[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]`,
}

// FuzzDecode checks the Decoder against encoding/json: it never panics, it
// accepts exactly the valid JSON texts (within MaxDepth), and it reads the
// same values.
func FuzzDecode(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var h anyHolder
		err := Unmarshal(b, &h)
		if errors.Is(err, ErrDepth) {
			return
		}
		var want any
		jerr := json.Unmarshal(b, &want)
		if !json.Valid(b) {
			if err == nil {
				t.Fatalf("%q: accepted invalid JSON", b)
			}
			return
		}
		if errors.Is(err, ErrRange) && jerr != nil {
			return // a number beyond float64: both refuse it
		}
		if err != nil || jerr != nil {
			t.Fatalf("%q: jsonw %v, encoding/json %v", b, err, jerr)
		}
		if !reflect.DeepEqual(h.v, want) {
			t.Fatalf("%q: jsonw %#v, encoding/json %#v", b, h.v, want)
		}
	})
}

type stringHolder struct{ s string }

func (h *stringHolder) WriteJSON(w *Writer) { w.String(h.s) }

// FuzzString checks that any string written decodes, with encoding/json and
// with the Decoder, to what encoding/json's own encoding decodes to.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "<a href=\"x\">&amp;</a>", "\x00\x1f\x7f", "\u2028\u2029", "\xff", "é😀", "\\\"/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Marshal(&stringHolder{s})
		jb, _ := json.Marshal(s)
		var want, got string
		if err := json.Unmarshal(jb, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%q: encoding/json cannot read %s: %v", s, out, err)
		}
		if got != want {
			t.Fatalf("%q: wrote %s, reads as %q, want %q", s, out, got, want)
		}
		var mine string
		if err := NewDecoder(out).String(&mine); err != nil || mine != want {
			t.Fatalf("%q: Decoder reads %s as %q, %v", s, out, mine, err)
		}
	})
}

func TestDepth(t *testing.T) {
	ok := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	var h anyHolder
	if err := Unmarshal([]byte(ok), &h); err != nil {
		t.Errorf("depth %d: %v", MaxDepth, err)
	}
	deep := strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)
	if err := Unmarshal([]byte(deep), &h); !errors.Is(err, ErrDepth) {
		t.Errorf("depth %d: %v, want ErrDepth", MaxDepth+1, err)
	}
	d := NewDecoder([]byte(strings.Repeat(`{"a":`, 100000)))
	if err := d.Skip(); !errors.Is(err, ErrDepth) {
		t.Errorf("skip of a deep object: %v, want ErrDepth", err)
	}
}

type numbers struct {
	i   int
	i64 int64
	u32 uint32
	u64 uint64
	b   bool
	raw []byte
}

func (n *numbers) ReadJSON(d *Decoder) error {
	return d.Object(func(k string) error {
		switch k {
		case "i":
			return d.Int(&n.i)
		case "i64":
			return d.Int64(&n.i64)
		case "u32":
			return d.Uint32(&n.u32)
		case "u64":
			return d.Uint64(&n.u64)
		case "b":
			return d.Bool(&n.b)
		case "raw":
			return d.Base64(&n.raw)
		}
		return d.Unknown()
	})
}

func TestTypedValues(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{`{"i":-5,"i64":-9223372036854775808,"u32":4294967295,"u64":18446744073709551615,"b":true,"raw":"AQI="}`, nil},
		{`{"i":null,"u32":null,"b":null,"raw":null,"other":{"x":[1,{}]}}`, nil},
		{`{"u32":4294967296}`, ErrRange},
		{`{"u32":-1}`, ErrRange},
		{`{"i":1.5}`, ErrRange},
		{`{"i":1e2}`, ErrRange},
		{`{"i":"1"}`, ErrType},
		{`{"b":1}`, ErrType},
		{`{"raw":"AQI"}`, ErrType},
		{`{"raw":5}`, ErrType},
		{`{"i":tru}`, ErrSyntax},
		{`{"b":nul}`, ErrSyntax},
		{`{"raw":"AQI="} x`, ErrSyntax},
		{`[]`, ErrType},
	}
	for _, c := range cases {
		var n numbers
		err := Unmarshal([]byte(c.in), &n)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: %v, want %v", c.in, err, c.want)
		}
		var ref struct {
			I   int    `json:"i"`
			I64 int64  `json:"i64"`
			U32 uint32 `json:"u32"`
			U64 uint64 `json:"u64"`
			B   bool   `json:"b"`
			Raw []byte `json:"raw"`
		}
		jerr := json.Unmarshal([]byte(c.in), &ref)
		if (jerr == nil) != (err == nil) {
			t.Errorf("%s: jsonw %v, encoding/json %v", c.in, err, jerr)
		}
		if err == nil && (ref.I != n.i || ref.I64 != n.i64 || ref.U32 != n.u32 || ref.U64 != n.u64 || ref.B != n.b || string(ref.Raw) != string(n.raw) || (ref.Raw == nil) != (n.raw == nil)) {
			t.Errorf("%s: jsonw %+v, encoding/json %+v", c.in, n, ref)
		}
	}
	d := NewDecoder([]byte(`{"x":1}`))
	d.DisallowUnknown = true
	if err := d.Decode(&numbers{}); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown member with DisallowUnknown: %v", err)
	}
}

type list struct{ v []uint64 }

func (l *list) ReadJSON(d *Decoder) error {
	return Slice(d, &l.v, func(p *uint64) error { return d.Uint64(p) })
}

func TestSlice(t *testing.T) {
	for _, in := range []string{`null`, `[]`, `[1]`, `[1,2,3]`} {
		var l list
		var ref []uint64
		if err := Unmarshal([]byte(in), &l); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if err := json.Unmarshal([]byte(in), &ref); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(l.v, ref) {
			t.Errorf("%s: %#v, encoding/json %#v", in, l.v, ref)
		}
	}
}

type sample struct{}

func (sample) WriteJSON(w *Writer) {
	w.ObjectStart()
	w.Key("n")
	w.Int(-1)
	w.Key("u")
	w.Uint(1 << 63)
	w.Key("list")
	w.ArrayStart()
	w.Bool(true)
	w.Null()
	w.ObjectStart()
	w.ObjectEnd()
	w.ArrayStart()
	w.ArrayEnd()
	w.Base64([]byte{0xff, 0xfe})
	w.Base64(nil)
	w.Base64([]byte{})
	w.ArrayEnd()
	w.Key("s")
	w.String("<é>")
	w.ObjectEnd()
}

func TestWriter(t *testing.T) {
	got := string(Marshal(sample{}))
	want := `{"n":-1,"u":9223372036854775808,"list":[true,null,{},[],"//4=",null,""],"s":"\u003cé\u003e"}`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !json.Valid([]byte(got)) {
		t.Error("not valid JSON")
	}
}
