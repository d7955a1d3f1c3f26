package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"sambung/internal/jsonw"
)

// codec is one wire type's two encodings: encoding/json through its struct
// tags, as the relay uses it, and its own WriteJSON and ReadJSON, as the
// client uses them.
type codec struct {
	name string
	// values are the type's zero value and populated ones.
	values []any
	// mineEncode and mineDecode use the type's own methods.
	mineEncode func(v any) []byte
	mineDecode func(b []byte) (any, error)
	// jsonDecode decodes with encoding/json into a new value of the type.
	jsonDecode func(b []byte) (any, error)
}

type ownJSON[T any] interface {
	*T
	jsonw.Marshaler
	jsonw.Unmarshaler
}

func codecOf[T any, P ownJSON[T]](populated ...T) codec {
	var zero T
	c := codec{name: reflect.TypeFor[T]().Name()}
	c.values = append(c.values, zero)
	for _, v := range populated {
		c.values = append(c.values, v)
	}
	c.mineEncode = func(v any) []byte {
		t := v.(T)
		return jsonw.Marshal(P(&t))
	}
	c.mineDecode = func(b []byte) (any, error) {
		var t T
		err := jsonw.Unmarshal(b, P(&t))
		return t, err
	}
	c.jsonDecode = func(b []byte) (any, error) {
		var t T
		err := json.Unmarshal(b, &t)
		return t, err
	}
	return c
}

const odd = "<é\"\\\n\t\x01&\u2028>"

var (
	pub33  = append([]byte{djbType}, bytes.Repeat([]byte{7}, 32)...)
	sig64  = bytes.Repeat([]byte{9}, 64)
	spk    = SignedPreKey{ID: 1 << 31, PublicKey: pub33, Signature: sig64}
	otks   = []PreKey{{ID: 1, PublicKey: pub33}, {ID: 4294967295, PublicKey: []byte{}}}
	devKey = DeviceKeys{RegistrationID: 0x3fff, IdentityKey: pub33, SignedPreKey: spk, OneTimePreKeys: otks, Name: odd}
	ids    = []Address{PhoneAddress("+6281234567890"), AccountAddress("alice")}
	infos  = []DeviceInfo{{ID: 1, Name: odd, Created: -1, LastSeen: 1 << 62}, {ID: 2, Created: 5}}
	refs   = []DeviceRef{{Person: testPerson, Device: 3}}
	pdevs  = []PersonDevices{{Person: testPerson, Devices: []uint32{1, 3}}, {Person: odd, Devices: []uint32{}}}
	fullEr = Error{Code: CodeDeviceMismatch, Message: odd, RetryAfter: -3, Missing: refs, Stale: refs, Devices: pdevs}
)

// codecs lists every JSON body of the HTTP API and every type inside one.
var codecs = []codec{
	codecOf(PreKey{ID: 5, PublicKey: pub33}),
	codecOf(spk),
	codecOf(devKey, DeviceKeys{OneTimePreKeys: []PreKey{}}),
	codecOf(PhoneCodeRequest{Phone: odd}, PhoneCodeRequest{Phone: "+62", Proof: odd}),
	codecOf(PhoneCodeResponse{Phone: "+62", ExpiresIn: -1, ResendIn: 1 << 40}),
	codecOf(PhoneVerifyRequest{Phone: "+62", Code: "123456", Device: devKey}),
	codecOf(AccountRequest{AccountID: "alice", Password: odd, Device: devKey}),
	codecOf(Session{PersonID: testPerson, DeviceID: 2, Token: bytes.Repeat([]byte{0xfe}, TokenSize), Created: true}),
	codecOf(LinkPhoneRequest{Phone: "+62", Code: odd}),
	codecOf(LinkAccountRequest{AccountID: "a", Password: "p"}),
	codecOf(infos[0], infos[1]),
	codecOf(Me{PersonID: testPerson, DeviceID: 1, Identities: ids, Devices: infos}, Me{Identities: []Address{}, Devices: []DeviceInfo{}}),
	codecOf(DeviceList{Devices: infos}),
	codecOf(PreKeyUpload{OneTimePreKeys: otks}),
	codecOf(SignedPreKeyUpload{SignedPreKey: spk}),
	codecOf(KeyStatus{OneTimePreKeys: 3, Low: true, SignedPreKeyID: 4294967295}),
	codecOf(PreKeyBundle{DeviceID: 1, RegistrationID: 2, IdentityKey: pub33, SignedPreKey: spk, OneTimePreKey: &otks[0]}, PreKeyBundle{OneTimePreKey: &PreKey{}}),
	codecOf(Lookup{PersonID: testPerson, Identities: ids, Devices: []PreKeyBundle{{DeviceID: 1, OneTimePreKey: &otks[1]}, {}}}),
	codecOf(DeviceRef{Person: odd, Device: 1}),
	codecOf(pdevs[0], pdevs[1]),
	codecOf(fullEr, Error{Code: CodeBadFrame, Missing: []DeviceRef{}}),
	codecOf(ICEServer{URLs: []string{"stun:s", odd}, Username: "u", Credential: odd}, ICEServer{URLs: []string{}}),
	codecOf(ICEServers{ICEServers: []ICEServer{{URLs: []string{"turn:t"}}, {}}, Expires: 1 << 41}, ICEServers{ICEServers: []ICEServer{}}),
}

// TestJSONMatchesEncodingJSON proves each type's own JSON equivalent to
// encoding/json's: what one encodes, the other decodes to what encoding/json
// itself would decode it to.
func TestJSONMatchesEncodingJSON(t *testing.T) {
	for _, c := range codecs {
		for i, v := range c.values {
			ref, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			want, err := c.jsonDecode(ref)
			if err != nil {
				t.Fatalf("%s %d: encoding/json round trip: %v", c.name, i, err)
			}
			mine := c.mineEncode(v)
			got, err := c.jsonDecode(mine)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s %d: ours %s decodes with encoding/json to %#v, %v; want %#v", c.name, i, mine, got, err, want)
			}
			got, err = c.mineDecode(ref)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("%s %d: encoding/json's %s decodes with ours to %#v, %v; want %#v", c.name, i, ref, got, err, want)
			}
		}
	}
}

// frameValues are every frame, zero and populated.
var frameValues = []Frame{
	&AuthFrame{}, &AuthFrame{Token: bytes.Repeat([]byte{1}, TokenSize)},
	&SendFrame{}, &SendFrame{ID: "r1", To: testPerson, Envelopes: []OutgoingEnvelope{{ID: "m1", Device: 1, Type: 3, Body: []byte{1}, TS: 1 << 50}}, Self: []OutgoingEnvelope{{ID: "m1", Device: 2, Type: 1, Body: []byte{2}, TS: -1}}},
	&SendFrame{Envelopes: []OutgoingEnvelope{}, Self: []OutgoingEnvelope{}},
	&AckFrame{}, &AckFrame{Seqs: []uint64{0, 1<<64 - 1}}, &AckFrame{Seqs: []uint64{}},
	&PingFrame{}, &PingFrame{ID: odd},
	&ReadyFrame{}, &ReadyFrame{PersonID: testPerson, DeviceID: 9, OneTimePreKeys: 100},
	&EnvelopesFrame{}, &EnvelopesFrame{Envelopes: []Envelope{{Seq: 1<<64 - 1, ID: odd, From: testPerson, FromDevice: 2, Dest: testPerson, Type: 1, Body: []byte{0}, TS: 3, ServerTS: 4}, {}}},
	&SentFrame{}, &SentFrame{ID: "r", Duplicates: 2},
	&ErrorFrame{}, &ErrorFrame{ID: "r", Error: fullEr},
	&KeysLowFrame{}, &KeysLowFrame{Count: -1},
	&PongFrame{}, &PongFrame{ID: "p"},
	&DrainedFrame{},
	&AlertFrame{}, &AlertFrame{Kind: odd, Count: 7},
}

// jsonFrame is what the relay would send: encoding/json's encoding of f
// with the type member added.
func jsonFrame(t *testing.T, f Frame) []byte {
	body, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	out := []byte(`{"type":"` + f.FrameType() + `"`)
	if len(body) > 2 {
		out = append(out, ',')
	}
	return append(out, body[1:]...)
}

func newFrame(f Frame) Frame { return reflect.New(reflect.TypeOf(f).Elem()).Interface().(Frame) }

func isClientFrame(f Frame) bool {
	switch f.(type) {
	case *AuthFrame, *SendFrame, *AckFrame, *PingFrame:
		return true
	}
	return false
}

// TestFramesMatchEncodingJSON does for frames what
// TestJSONMatchesEncodingJSON does for bodies.
func TestFramesMatchEncodingJSON(t *testing.T) {
	for _, f := range frameValues {
		ref := jsonFrame(t, f)
		want := newFrame(f)
		if err := json.Unmarshal(ref, want); err != nil {
			t.Fatal(err)
		}
		mine, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		got := newFrame(f)
		if err := json.Unmarshal(mine, got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%T: ours %s decodes with encoding/json to %#v, %v; want %#v", f, mine, got, err, want)
		}
		decode := DecodeServerFrame
		if isClientFrame(f) {
			decode = DecodeClientFrame
		}
		got, err = decode(ref)
		var we *Error
		if err != nil && (!isClientFrame(f) || !errors.As(err, &we)) {
			t.Errorf("%T: decode %s: %v", f, ref, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%T: encoding/json's %s decodes with ours to %#v; want %#v", f, ref, got, want)
		}
	}
}

// keysComparable reports whether b can be compared between the decoders:
// it has no object with a repeated key and no key that encoding/json would
// match to a field case-insensitively but ours would not.
func keysComparable(b []byte) bool {
	d := json.NewDecoder(bytes.NewReader(b))
	type frame struct {
		obj  bool
		key  bool // the next string token in an object is a key
		seen map[string]bool
	}
	var stack []*frame
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return true // invalid JSON: both must refuse it
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.obj && top.key {
			k, _ := tok.(string)
			variant := strings.Contains(lowerFieldNames, ","+strings.ToLower(k)+",") && !strings.Contains(fieldNames, ","+k+",")
			if top.seen[k] || variant || !isASCII(k) {
				return false
			}
			top.seen[k] = true
			top.key = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: true, key: true, seen: map[string]bool{}})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].obj {
			stack[len(stack)-1].key = true
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// fieldNames lists every JSON member name of the package, between commas.
var fieldNames = ",id,publicKey,signature,registrationId,identityKey,signedPreKey,oneTimePreKeys,name,phone,expiresIn,resendIn,code,device,accountId,password,personId,deviceId,token,created,lastSeen,identities,devices,low,signedPreKeyId,oneTimePreKey,person,message,retryAfter,missing,stale,type,to,envelopes,self,body,ts,seqs,seq,from,fromDevice,dest,serverTs,duplicates,count,"

var lowerFieldNames = strings.ToLower(fieldNames)

// FuzzJSONAgrees decodes arbitrary bytes as every body type with both
// decoders: they must accept and reject the same inputs and agree on the
// values, apart from the documented difference in key matching.
func FuzzJSONAgrees(f *testing.F) {
	for _, c := range codecs {
		for _, v := range c.values {
			b, _ := json.Marshal(v)
			f.Add(b)
		}
	}
	f.Add([]byte(`{"identities":["phone:+6281234567890","nope"]}`))
	f.Add([]byte(`{"oneTimePreKey":null,"devices":null,"token":null,"id":null}`))
	f.Add([]byte(`{"id":1.5,"deviceId":-1,"created":"x","publicKey":"AQ"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !keysComparable(b) {
			return
		}
		for _, c := range codecs {
			got, err := c.mineDecode(b)
			if errors.Is(err, jsonw.ErrDepth) {
				continue
			}
			want, jerr := c.jsonDecode(b)
			if (err == nil) != (jerr == nil) {
				t.Fatalf("%s %q: ours %v, encoding/json %v", c.name, b, err, jerr)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %q: ours %#v, encoding/json %#v", c.name, b, got, want)
			}
		}
	})
}
