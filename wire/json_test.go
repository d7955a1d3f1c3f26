package wire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"sambung/internal/jsonw"
)

// codec is one wire type's generated codec, with sample values.
type codec struct {
	name string
	// values are the type's zero value and populated ones.
	values []any
	encode func(v any) []byte
	// decode decodes into a new value of the type, with unknown members
	// refused when strict.
	decode func(b []byte, strict bool) (any, error)
}

func codecOf[T any](populated ...T) codec {
	var zero T
	c := codec{name: reflect.TypeFor[T]().Name()}
	c.values = append(c.values, zero)
	for _, v := range populated {
		c.values = append(c.values, v)
	}
	c.encode = func(v any) []byte {
		t := v.(T)
		return jsonw.Marshal(&t)
	}
	c.decode = func(b []byte, strict bool) (any, error) {
		var t T
		d := jsonw.NewDecoder(b)
		d.DisallowUnknown = strict
		err := d.Decode(&t)
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

// frameValues are every frame, zero and populated.
var frameValues = []Frame{
	&AuthFrame{}, &AuthFrame{Token: bytes.Repeat([]byte{1}, TokenSize)},
	&SendFrame{}, &SendFrame{ID: "r1", To: testPerson, Envelopes: []Envelope{{ID: "m1", Device: 1, Type: 3, Body: []byte{1}, TS: 1 << 50}}, Self: []Envelope{{ID: "m1", Device: 2, Type: 1, Body: []byte{2}, TS: -1}}},
	&SendFrame{Envelopes: []Envelope{}, Self: []Envelope{}},
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

func isClientFrame(f Frame) bool {
	switch f.(type) {
	case *AuthFrame, *SendFrame, *AckFrame, *PingFrame:
		return true
	}
	return false
}

// TestDecodeErrors holds every generated decoder to the Decoder's rules:
// unknown members skipped (or refused when strict), a value of the wrong
// kind a type error, invalid JSON a syntax error, nesting capped.
func TestDecodeErrors(t *testing.T) {
	deep := bytes.Repeat([]byte("["), jsonw.MaxDepth+1)
	cases := []struct {
		in     string
		strict bool
		want   error
	}{
		{`{"zzz":[1,{"a":null}],"zz":"x"}`, false, nil},
		{`{"zzz":1}`, true, jsonw.ErrUnknown},
		{`[]`, false, jsonw.ErrType},
		{`"x"`, false, jsonw.ErrType},
		{`{`, false, jsonw.ErrSyntax},
		{`{"zzz":` + string(deep), false, jsonw.ErrDepth},
		{`{} {}`, false, jsonw.ErrSyntax},
	}
	for _, c := range codecs {
		for _, tc := range cases {
			_, err := c.decode([]byte(tc.in), tc.strict)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("%s %s (strict %v): %v, want %v", c.name, tc.in, tc.strict, err, tc.want)
			}
		}
	}
	// A member of the wrong kind, for each kind of member.
	for _, tc := range []struct {
		c  codec
		in string
	}{
		{codecOf[PreKey](), `{"id":"1"}`},
		{codecOf[PreKey](), `{"id":-1}`},
		{codecOf[PreKey](), `{"publicKey":"not base64!"}`},
		{codecOf[Session](), `{"created":0}`},
		{codecOf[DeviceKeys](), `{"signedPreKey":[]}`},
		{codecOf[DeviceKeys](), `{"oneTimePreKeys":{}}`},
		{codecOf[PreKeyBundle](), `{"oneTimePreKey":1}`},
		{codecOf[PersonDevices](), `{"devices":[1,-1]}`},
		{codecOf[Me](), `{"identities":[true]}`},
		{codecOf[ICEServer](), `{"urls":[1]}`},
	} {
		if _, err := tc.c.decode([]byte(tc.in), false); !errors.Is(err, jsonw.ErrType) && !errors.Is(err, jsonw.ErrRange) {
			t.Errorf("%s %s: %v, want a type or range error", tc.c.name, tc.in, err)
		}
	}
}

// FuzzDecodeBodies decodes arbitrary bytes as every body type: no input
// panics, and what decodes encodes to JSON that decodes to the same bytes
// again.
func FuzzDecodeBodies(f *testing.F) {
	for _, c := range codecs {
		for _, v := range c.values {
			f.Add(c.encode(v))
		}
	}
	f.Add([]byte(`{"identities":["phone:+6281234567890","nope"]}`))
	f.Add([]byte(`{"oneTimePreKey":null,"devices":null,"token":null,"id":null}`))
	f.Add([]byte(`{"id":1.5,"deviceId":-1,"created":"x","publicKey":"AQ"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range codecs {
			v, err := c.decode(b, false)
			if err != nil {
				var je *jsonw.Error
				var we *Error
				if !errors.As(err, &je) && !errors.As(err, &we) {
					t.Fatalf("%s %q: error %T %v is neither a jsonw.Error nor an Error", c.name, b, err, err)
				}
				continue
			}
			enc := c.encode(v)
			again, err := c.decode(enc, true)
			if err != nil {
				t.Fatalf("%s %q: re-decode of %s: %v", c.name, b, enc, err)
			}
			if enc2 := c.encode(again); !bytes.Equal(enc, enc2) {
				t.Fatalf("%s %q: %s re-encodes to %s", c.name, b, enc, enc2)
			}
		}
	})
}
