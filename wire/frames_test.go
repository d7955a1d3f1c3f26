package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

const testPerson = "aaaaaaaaaaaaaaaaaaaaaaaaaa"

var token32 = `"` + strings.Repeat("A", 43) + `="`

// frameCases are the decoder's vectors: each client frame and the code it
// must get ("" for success). They seed FuzzDecodeFrame.
var frameCases = []struct {
	name, in string
	code     Code
}{
	{"auth", `{"type":"auth","token":` + token32 + `}`, ""},
	{"auth short token", `{"type":"auth","token":"AAAA"}`, CodeBadFrame},
	{"auth token not base64", `{"type":"auth","token":"!!!"}`, CodeBadFrame},
	{"ping", `{"type":"ping","id":"p1"}`, ""},
	{"ping no id", `{"type":"ping"}`, ""},
	{"ping bad id", `{"type":"ping","id":"a b"}`, CodeBadFrame},
	{"ack", `{"type":"ack","seqs":[1,2,3]}`, ""},
	{"ack empty", `{"type":"ack","seqs":[]}`, CodeBadFrame},
	{"ack negative", `{"type":"ack","seqs":[-1]}`, CodeBadFrame},
	{"send", `{"type":"send","id":"r1","to":"` + testPerson + `","envelopes":[{"id":"m1","device":1,"type":3,"body":"AQID","ts":1700000000000}],"self":[{"id":"m1","device":2,"type":1,"body":"AQID","ts":1}]}`, ""},
	{"send no envelopes", `{"type":"send","id":"r1","to":"` + testPerson + `","envelopes":[]}`, CodeBadFrame},
	{"send bad to", `{"type":"send","id":"r1","to":"bob","envelopes":[{"id":"m1","device":1,"type":3,"body":"AQID","ts":1}]}`, CodeBadFrame},
	{"send device 0", `{"type":"send","id":"r1","to":"` + testPerson + `","envelopes":[{"id":"m1","device":0,"type":3,"body":"AQID","ts":1}]}`, CodeBadFrame},
	{"send device twice", `{"type":"send","id":"r1","to":"` + testPerson + `","envelopes":[{"id":"m1","device":1,"type":3,"body":"AQID","ts":1},{"id":"m2","device":1,"type":3,"body":"AQID","ts":1}]}`, CodeBadFrame},
	{"send empty body", `{"type":"send","id":"r1","to":"` + testPerson + `","envelopes":[{"id":"m1","device":1,"type":3,"body":"","ts":1}]}`, CodeBadFrame},
	{"send type 256", `{"type":"send","id":"r1","to":"` + testPerson + `","envelopes":[{"id":"m1","device":1,"type":256,"body":"AQID","ts":1}]}`, CodeBadFrame},
	{"send no id", `{"type":"send","to":"` + testPerson + `","envelopes":[{"id":"m1","device":1,"type":3,"body":"AQID","ts":1}]}`, CodeBadFrame},
	{"send body number", `{"type":"send","id":"r1","to":"` + testPerson + `","envelopes":[{"id":"m1","device":1,"type":3,"body":5,"ts":1}]}`, CodeBadFrame},
	{"unknown type", `{"type":"hello"}`, CodeBadFrame},
	{"no type", `{"token":"x"}`, CodeBadFrame},
	{"type not string", `{"type":1}`, CodeBadFrame},
	{"array", `[1,2]`, CodeBadFrame},
	{"null", `null`, CodeBadFrame},
	{"truncated", `{"type":"send","id":"r1"`, CodeBadFrame},
	{"empty", ``, CodeBadFrame},
	{"server frame from client", `{"type":"sent","id":"r1"}`, CodeBadFrame},
}

func TestDecodeClientFrame(t *testing.T) {
	for _, c := range frameCases {
		f, err := DecodeClientFrame([]byte(c.in))
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		var we *Error
		if !errors.As(err, &we) || we.Code != c.code {
			t.Errorf("%s: got %v, %v; want code %s", c.name, f, err, c.code)
		}
	}
}

func TestSendLimits(t *testing.T) {
	env := func(dev uint32, size int) Envelope {
		return Envelope{ID: "m", Device: dev, Type: 1, Body: make([]byte, size), TS: 1}
	}
	big := &SendFrame{ID: "r", To: testPerson, Envelopes: []Envelope{env(1, MaxEnvelopeBody+1)}}
	if err := big.Validate(); !errors.Is(err, ErrEnvelopeTooLarge) {
		t.Errorf("oversize body: %v", err)
	}
	ok := &SendFrame{ID: "r", To: testPerson, Envelopes: []Envelope{env(1, MaxEnvelopeBody)}}
	if err := ok.Validate(); err != nil {
		t.Errorf("body of exactly the limit: %v", err)
	}
	many := &SendFrame{ID: "r", To: testPerson}
	for i := 1; i <= MaxEnvelopesPerSend+1; i++ {
		many.Envelopes = append(many.Envelopes, env(uint32(i), 1))
	}
	if err := many.Validate(); !errors.Is(err, ErrTooManyEnvelopes) {
		t.Errorf("too many envelopes: %v", err)
	}
	// A full send of the largest envelopes fits in one frame.
	full := &SendFrame{ID: strings.Repeat("r", MaxRequestID), To: testPerson}
	for i := 1; i <= MaxEnvelopesPerSend; i++ {
		e := env(uint32(i), MaxEnvelopeBody)
		e.ID = strings.Repeat("x", MaxEnvelopeID)
		e.TS = 1 << 62
		full.Envelopes = append(full.Envelopes, e)
	}
	b, err := Encode(full)
	if err != nil || len(b) > MaxFrameSize {
		t.Errorf("full send is %d bytes, MaxFrameSize %d (%v)", len(b), MaxFrameSize, err)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	server := []Frame{
		&ReadyFrame{PersonID: testPerson, DeviceID: 2, OneTimePreKeys: 17},
		&EnvelopesFrame{Envelopes: []Envelope{{Seq: 7, ID: "m1", From: testPerson, FromDevice: 1, Type: 3, Body: []byte{1, 2}, TS: 5, ServerTS: 6}}},
		&SentFrame{ID: "r1", Duplicates: 1},
		&ErrorFrame{ID: "r1", Error: Error{Code: CodeDeviceMismatch, Message: "m", Missing: []DeviceRef{{testPerson, 3}}, Devices: []PersonDevices{{testPerson, []uint32{1, 3}}}}},
		&KeysLowFrame{Count: 3},
		&PongFrame{ID: "p"},
		&DrainedFrame{},
		&AlertFrame{Kind: AlertSignInFailures, Count: 10},
	}
	for _, f := range server {
		b, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte(`{"type":"`+f.FrameType()+`"`)) || !json.Valid(b) {
			t.Fatalf("Encode(%T) = %s", f, b)
		}
		g, err := DecodeServerFrame(b)
		if err != nil || !reflect.DeepEqual(f, g) {
			t.Fatalf("round trip %T: %s -> %#v, %v", f, b, g, err)
		}
	}
	for _, c := range frameCases {
		if c.code != "" {
			continue
		}
		f, _ := DecodeClientFrame([]byte(c.in))
		b, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		g, err := DecodeClientFrame(b)
		if err != nil || !reflect.DeepEqual(f, g) {
			t.Fatalf("round trip %s: %s -> %#v, %v", c.name, b, g, err)
		}
	}
}

func TestErrorTable(t *testing.T) {
	seen := map[Code]bool{}
	for _, c := range Codes() {
		if seen[c.Code] || c.Message == "" || c.Code.Message() != c.Message {
			t.Errorf("code %s: repeated, or message %q", c.Code, c.Message)
		}
		seen[c.Code] = true
		if relay := c.Origin == OriginRelay; relay != (c.Status >= 400 && c.Status <= 599) || relay && c.Code.Status() != c.Status {
			t.Errorf("code %s of %s: status %d", c.Code, c.Origin, c.Status)
		}
	}
	if CodeNotSignedIn.Status() != 500 {
		t.Error("a code the relay never sends should map to 500")
	}
	if Code("nope").Status() != 500 {
		t.Error("unknown code should map to 500")
	}
	err := Errorf(CodeBadPhone, "custom")
	if !errors.Is(err, ErrBadPhone) || errors.Is(err, ErrBadAccountID) {
		t.Error("errors.Is must match by code")
	}
}

// FuzzDecodeFrame checks that no input panics either decoder, that every
// error is a coded *Error, and that what decodes re-encodes to an equal frame.
func FuzzDecodeFrame(f *testing.F) {
	for _, c := range frameCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte(`{"type":"envelopes","envelopes":[{"seq":1,"id":"m","from":"x","fromDevice":1,"type":1,"body":"AA==","ts":1,"serverTs":2}]}`))
	f.Add([]byte(`{"type":"error","id":"r","code":"device_mismatch","message":"m","missing":[{"person":"p","device":2}]}`))
	f.Add([]byte(`{"type":"drained"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, decode := range []func([]byte) (Frame, error){DecodeClientFrame, DecodeServerFrame} {
			fr, err := decode(b)
			if err != nil {
				var we *Error
				if !errors.As(err, &we) || we.Code == "" {
					t.Fatalf("uncoded error %v", err)
				}
				continue
			}
			enc, err := Encode(fr)
			if err != nil {
				t.Fatalf("Encode after decode: %v", err)
			}
			again, err := decode(enc)
			if err != nil || !reflect.DeepEqual(normalise(fr), normalise(again)) {
				t.Fatalf("re-decode of %s: %#v vs %#v (%v)", enc, fr, again, err)
			}
		}
	})
}

// normalise makes nil and empty slices compare equal, as JSON does not keep
// the difference.
func normalise(f Frame) string {
	b, _ := json.Marshal(f)
	return string(b)
}
