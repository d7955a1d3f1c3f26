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
		return m, d.Object(func(k string) (err error) {
			m[k], err = anyValue(d)
			return err
		})
	case KindArray:
		a := []any{}
		err := d.Array(func() error {
			v, err := anyValue(d)
			a = append(a, v)
			return err
		})
		return a, err
	case KindString:
		return scalar(d.String)
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
		return scalar(d.Bool)
	case KindNull:
		return nil, d.null()
	}
	return nil, d.fail(ErrSyntax)
}

// scalar reads a value with read, returning it as an any.
func scalar[T any](read func(*T) error) (any, error) {
	var v T
	err := read(&v)
	return v, err
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

// numbers is an Object with a member of every kind Members has, written
// as the generator writes JSONMembers; encoding/json reads and writes the
// same struct by its tags, for reference.
type numbers struct {
	I    int      `json:"i"`
	Raw  []byte   `json:"raw"`
	I8   int8     `json:"i8"`
	I16  int16    `json:"i16"`
	Seqs []uint64 `json:"seqs,omitempty"`
	I32  int32    `json:"i32"`
	I64  int64    `json:"i64"`
	Tags []string `json:"tags"`
	U    uint     `json:"u"`
	U8   uint8    `json:"u8"`
	Next *numbers `json:"next,omitempty"`
	U16  uint16   `json:"u16"`
	U32  uint32   `json:"u32"`
	U64  uint64   `json:"u64"`
	B    bool     `json:"b"`
	S    string   `json:"s,omitempty"`
}

func (n *numbers) JSONMembers(m *Members) *Members {
	return m.Int("i", &n.I, false).Base64("raw", &n.Raw, false).Int8("i8", &n.I8, false).Int16("i16", &n.I16, false).
		Optional("seqs", Array(&n.Seqs)).Int32("i32", &n.I32, false).Int64("i64", &n.I64, false).
		Value("tags", Array(&n.Tags)).Uint("u", &n.U, false).Uint8("u8", &n.U8, false).Optional("next", Nullable(&n.Next)).
		Uint16("u16", &n.U16, false).Uint32("u32", &n.U32, false).Uint64("u64", &n.U64, false).Bool("b", &n.B, false).
		String("s", &n.S, true)
}

func TestTypedValues(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{`{"i":-5,"i64":-9223372036854775808,"u32":4294967295,"u64":18446744073709551615,"b":true,"raw":"AQI="}`, nil},
		{`{"i8":-128,"i16":32767,"i32":-2147483648,"u":1,"u8":255,"u16":65535,"s":"x","tags":["a"],"seqs":[1,2]}`, nil},
		{`{"i":null,"u32":null,"b":null,"raw":null,"tags":null,"next":null,"other":{"x":[1,{}]}}`, nil},
		{`{"next":{"i":-0,"next":{"u8":7}},"seqs":[]}`, nil},
		{`{"u32":4294967296}`, ErrRange},
		{`{"u32":-1}`, ErrRange},
		{`{"u8":-0}`, ErrRange},
		{`{"i8":128}`, ErrRange},
		{`{"i16":-32769}`, ErrRange},
		{`{"u16":65536}`, ErrRange},
		{`{"i":1.5}`, ErrRange},
		{`{"i":1e2}`, ErrRange},
		{`{"i":"1"}`, ErrType},
		{`{"b":1}`, ErrType},
		{`{"tags":[1]}`, ErrType},
		{`{"next":[]}`, ErrType},
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
		var ref numbers
		jerr := json.Unmarshal([]byte(c.in), &ref)
		if (jerr == nil) != (err == nil) {
			t.Errorf("%s: jsonw %v, encoding/json %v", c.in, err, jerr)
		}
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(n, ref) {
			t.Errorf("%s: jsonw %+v, encoding/json %+v", c.in, n, ref)
		}
		want, _ := json.Marshal(&ref)
		if got := Marshal(&n); string(got) != string(want) {
			t.Errorf("%s: jsonw writes %s, encoding/json %s", c.in, got, want)
		}
	}
	d := NewDecoder([]byte(`{"x":1}`))
	d.DisallowUnknown = true
	if err := d.Decode(&numbers{}); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown member with DisallowUnknown: %v", err)
	}
}

// TestNotValue checks that a type the generator would refuse panics
// rather than writing or reading nothing.
func TestNotValue(t *testing.T) {
	for name, f := range map[string]func(){
		"Marshal":   func() { Marshal(new(float64)) },
		"Unmarshal": func() { Unmarshal([]byte("1"), new(float64)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s of a *float64 did not panic", name)
				}
			}()
			f()
		}()
	}
}

// TestArray checks Array against encoding/json on a []uint64, starting
// from nil and from a slice with elements already in it, both ways.
func TestArray(t *testing.T) {
	for _, in := range []string{`null`, `[]`, `[1]`, `[1,2,3]`} {
		for _, start := range [][]uint64{nil, {7, 8}} {
			v := append([]uint64(nil), start...)
			ref := append([]uint64(nil), start...)
			if err := Unmarshal([]byte(in), Array(&v)); err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			if err := json.Unmarshal([]byte(in), &ref); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(v, ref) {
				t.Errorf("%s into %v: %#v, encoding/json %#v", in, start, v, ref)
			}
			want, _ := json.Marshal(ref)
			if got := Marshal(Array(&v)); string(got) != string(want) {
				t.Errorf("%s: writes %s, encoding/json %s", in, got, want)
			}
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
