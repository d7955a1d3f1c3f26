package client

import (
	"bytes"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"testing"

	"sambung/client/attach"
)

const testPerson = "mfrggzdfmztwq2lknnwg23tpob"

func contentVectors() []*Content {
	return []*Content{
		{Kind: KindText, ID: "gkr3jysdi7yxq3cmll7u3fowua", TS: 1700000000000, To: testPerson, Text: "halo 👋 <img src=x>"},
		{Kind: KindText, ID: "a", TS: 1, To: testPerson, Text: ""},
		{Kind: KindReceipt, ID: "r-1", TS: 1700000000001, To: testPerson,
			Receipt: &ReceiptContent{Status: StatusDelivered, IDs: []string{"a", "b"}}},
		{Kind: KindReceipt, ID: "r_2", TS: 1700000000002, To: testPerson,
			Receipt: &ReceiptContent{Status: StatusRead, IDs: []string{"gkr3jysdi7yxq3cmll7u3fowua"}}},
		{Kind: KindTyping, ID: "t", TS: 1700000000003, To: testPerson, Typing: true},
		{Kind: KindTyping, ID: "t", TS: 1700000000003, To: testPerson},
		{Kind: KindFile, ID: "f", TS: 1700000000004, To: testPerson, File: testPointer()},
		{Kind: KindFile, ID: "f2", TS: 1700000000005, To: testPerson, File: testPointer(), Text: "caption"},
	}
}

// testPointer is an encoded attach.Pointer of a small PDF.
func testPointer() []byte {
	p := attach.Pointer{BlobID: "3f2a9c0e5b7d41a8be0c6d2f9e1a7b54", Size: 12345, MIME: "application/pdf", FileName: "laporan.pdf"}
	p.Key[0], p.Digest[0] = 1, 2
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	return b
}

func TestContentRoundTrip(t *testing.T) {
	for _, c := range contentVectors() {
		b, err := encodeContent(c)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if len(b)%paddingBlock != 0 {
			t.Fatalf("%d bytes: not padded to %d", len(b), paddingBlock)
		}
		got, err := decodeContent(b)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		b2, _ := encodeContent(got)
		if !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed %q into %q", b, b2)
		}
	}
}

// TestContentPaddingHidesKind: a receipt and a short text encrypt to the
// same length.
func TestContentPaddingHidesKind(t *testing.T) {
	v := contentVectors()
	text, _ := encodeContent(v[0])
	receipt, _ := encodeContent(v[2])
	typing, _ := encodeContent(v[4])
	if len(text) != len(receipt) || len(text) != len(typing) {
		t.Fatalf("lengths %d %d %d", len(text), len(receipt), len(typing))
	}
}

func TestContentRejects(t *testing.T) {
	pad := func(s string) []byte {
		b := append([]byte(s), paddingMark)
		return append(b, make([]byte, paddingBlock-len(b)%paddingBlock)...)
	}
	to := `"to":"` + testPerson + `"`
	cases := map[string][]byte{
		"empty":            nil,
		"no padding mark":  []byte(`{"v":1}`),
		"only zeros":       make([]byte, 160),
		"not json":         pad(`hello`),
		"trailing":         pad(`{"v":1,"kind":"typing","id":"a","ts":1,` + to + `} {}`),
		"unknown field":    pad(`{"v":1,"kind":"typing","id":"a","ts":1,` + to + `,"x":1}`),
		"version 2":        pad(`{"v":2,"kind":"typing","id":"a","ts":1,` + to + `}`),
		"no id":            pad(`{"v":1,"kind":"typing","ts":1,` + to + `}`),
		"slash in id":      pad(`{"v":1,"kind":"typing","id":"a/b","ts":1,` + to + `}`),
		"zero ts":          pad(`{"v":1,"kind":"typing","id":"a","ts":0,` + to + `}`),
		"huge ts":          pad(`{"v":1,"kind":"typing","id":"a","ts":1000000000000000,` + to + `}`),
		"bad to":           pad(`{"v":1,"kind":"typing","id":"a","ts":1,"to":"bob"}`),
		"unknown kind":     pad(`{"v":1,"kind":"call","id":"a","ts":1,` + to + `}`),
		"receipt no ids":   pad(`{"v":1,"kind":"receipt","id":"a","ts":1,` + to + `,"receipt":{"status":"read","ids":[]}}`),
		"receipt sent":     pad(`{"v":1,"kind":"receipt","id":"a","ts":1,` + to + `,"receipt":{"status":"sent","ids":["x"]}}`),
		"receipt bad id":   pad(`{"v":1,"kind":"receipt","id":"a","ts":1,` + to + `,"receipt":{"status":"read","ids":["../x"]}}`),
		"text and typing":  pad(`{"v":1,"kind":"text","id":"a","ts":1,` + to + `,"text":"x","typing":true}`),
		"typing with text": pad(`{"v":1,"kind":"typing","id":"a","ts":1,` + to + `,"text":"x"}`),
		"file no pointer":  pad(`{"v":1,"kind":"file","id":"a","ts":1,` + to + `}`),
		"file bad pointer": pad(`{"v":1,"kind":"file","id":"a","ts":1,` + to + `,"file":"AgAA"}`),
		"text with file":   pad(`{"v":1,"kind":"text","id":"a","ts":1,` + to + `,"file":"` + base64.StdEncoding.EncodeToString(testPointer()) + `"}`),
		"file and typing":  pad(`{"v":1,"kind":"file","id":"a","ts":1,` + to + `,"typing":true,"file":"` + base64.StdEncoding.EncodeToString(testPointer()) + `"}`),
		"text too long":    pad(`{"v":1,"kind":"text","id":"a","ts":1,` + to + `,"text":"` + strings.Repeat("x", MaxTextSize+1) + `"}`),
	}
	for name, b := range cases {
		if _, err := decodeContent(b); !errors.Is(err, ErrBadContent) {
			t.Errorf("%s: got %v, want ErrBadContent", name, err)
		}
	}
}

func FuzzDecodeContent(f *testing.F) {
	fuzzContent(f, contentVectors(), []byte(`{"v":1}`+"\x80"))
}

// fuzzContent fuzzes the content decoder from the encoded seeds and raw
// extras: it fails only with ErrBadContent, and whatever decodes is valid,
// re-encodes to itself and encodes stably.
func fuzzContent(f *testing.F, seeds []*Content, raw ...[]byte) {
	f.Helper()
	for _, c := range seeds {
		b, err := encodeContent(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, b := range raw {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := decodeContent(b)
		if err != nil {
			if !errors.Is(err, ErrBadContent) {
				t.Fatalf("error %v is not ErrBadContent", err)
			}
			return
		}
		if (c.Kind == KindCall) != (c.Call != "") {
			t.Fatalf("kind %s with call %v", c.Kind, c.Call)
		}
		b2, err := encodeContent(c)
		if err != nil {
			t.Fatalf("accepted content does not encode: %v", err)
		}
		c2, err := decodeContent(b2)
		if err != nil || !reflect.DeepEqual(c, c2) {
			t.Fatalf("re-decoded %+v, %v; want %+v", c2, err, c)
		}
		if b3, _ := encodeContent(c2); !bytes.Equal(b2, b3) {
			t.Fatal("encoding is not stable")
		}
	})
}

// TestOrderKey: order keys sort by timestamp first, then id, and as
// numbers, whatever the number of digits.
func TestOrderKey(t *testing.T) {
	keys := []string{
		orderKey(9, "z"),
		orderKey(10, "a"),
		orderKey(1700000000000, "a"),
		orderKey(1700000000000, "b"),
		orderKey(maxTimestamp, "a"),
	}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Fatalf("%s sorts after %s", keys[i-1], keys[i])
		}
	}
}
