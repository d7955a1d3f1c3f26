package client

import (
	"errors"
	"strings"
	"testing"

	"sambung/internal/jsonw"
)

// testSDP is the shape of a browser's offer, shortened.
const testSDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
	"a=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n" +
	"a=fingerprint:sha-256 3E:2F:0B:5C:6A:7D:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA\r\n" +
	"a=setup:actpass\r\na=mid:0\r\n"

const testCandidate = "candidate:1840965416 1 udp 2122260223 127.0.0.1 54321 typ host generation 0 ufrag EsAw network-id 1"

func callVectors() []*Content {
	call := func(s CallSignal) *Content {
		s.Start = 1700000000000
		return &Content{Kind: KindCall, ID: "c" + s.Op, TS: 1700000000000, To: testPerson, Call: string(jsonw.Marshal(&s))}
	}
	return []*Content{
		call(CallSignal{CallID: "gkr3jysdi7yxq3cmll7u3fowua", Op: CallOffer, Flags: CallCaller | CallVideo, SDP: testSDP}),
		call(CallSignal{CallID: "k", Op: CallAnswer, SDP: testSDP, Flags: CallMuted | CallCameraOff}),
		call(CallSignal{CallID: "k", Op: CallICE, ICE: []string{testCandidate, ""}}),
		call(CallSignal{CallID: "k", Op: CallMedia, Flags: CallVideo | CallMuted}),
		call(CallSignal{CallID: "k", Op: CallHangup, Flags: CallAnswered, Duration: 61_000}),
		call(CallSignal{CallID: "k", Op: CallDecline}),
		call(CallSignal{CallID: "k", Op: CallBusy, Flags: CallVideo}),
	}
}

func TestCallContentRoundTrip(t *testing.T) {
	for _, c := range callVectors() {
		b, err := encodeContent(c)
		if err != nil {
			t.Fatalf("%+v: %v", c.Call, err)
		}
		got, err := decodeContent(b)
		if err != nil {
			t.Fatalf("%+v: %v", c.Call, err)
		}
		if got.Call != c.Call {
			t.Fatalf("round trip: %s, want %s", got.Call, c.Call)
		}
		if _, err := decodeCallSignal(got.Call); err != nil {
			t.Fatal(err)
		}
	}
	// A message stored with the call as text reads as the record.
	var old Message
	if err := jsonw.Unmarshal([]byte(`{"id":"m","call":"completed video 42000"}`), &old); err != nil ||
		old.Call == nil || *old.Call != (CallRecord{Outcome: CallCompleted, Video: true, Duration: 42000}) {
		t.Errorf("old call record: %+v %v", old.Call, err)
	}
	if err := jsonw.Unmarshal([]byte(`{"id":"m","call":"completed video"}`), &old); err == nil {
		t.Error("a call text without a duration reads")
	}
}

// TestCallContentRejects: each field of a signal is checked for its op,
// with the bounds.
func TestCallContentRejects(t *testing.T) {
	ok := CallSignal{CallID: "k", Op: CallOffer, SDP: testSDP, Flags: CallCaller, Start: 1}
	cases := map[string]func(s *CallSignal){
		"no call id":          func(s *CallSignal) { s.CallID = "" },
		"slash in call id":    func(s *CallSignal) { s.CallID = "a/b" },
		"long call id":        func(s *CallSignal) { s.CallID = strings.Repeat("a", maxIDLen+1) },
		"unknown op":          func(s *CallSignal) { s.Op = "transfer" },
		"offer without sdp":   func(s *CallSignal) { s.SDP = "" },
		"sdp not sdp":         func(s *CallSignal) { s.SDP = "<html>" },
		"sdp too big":         func(s *CallSignal) { s.SDP = testSDP + strings.Repeat("a=x\r\n", maxSDP/5) },
		"sdp with nul":        func(s *CallSignal) { s.SDP = testSDP + "a=\x00\r\n" },
		"sdp not utf-8":       func(s *CallSignal) { s.SDP = testSDP + "a=\xff\r\n" },
		"hangup with sdp":     func(s *CallSignal) { s.Op = CallHangup },
		"offer with ice":      func(s *CallSignal) { s.ICE = []string{testCandidate} },
		"ice without any":     func(s *CallSignal) { s.Op, s.SDP = CallICE, "" },
		"too many candidates": func(s *CallSignal) { s.Op, s.SDP, s.ICE = CallICE, "", make([]string, maxCandidates+1) },
		"candidate not one":   func(s *CallSignal) { s.Op, s.SDP, s.ICE = CallICE, "", []string{"a=inject"} },
		"candidate with crlf": func(s *CallSignal) { s.Op, s.SDP, s.ICE = CallICE, "", []string{testCandidate + "\r\na=x"} },
		"candidate too long": func(s *CallSignal) {
			s.Op, s.SDP, s.ICE = CallICE, "", []string{"candidate:" + strings.Repeat("1", maxCandidate)}
		},
		"negative duration": func(s *CallSignal) { s.Op, s.SDP, s.Duration = CallHangup, "", -1 },
		"endless duration":  func(s *CallSignal) { s.Op, s.SDP, s.Duration = CallHangup, "", maxCallDuration.Milliseconds()+1 },
		"duration on offer": func(s *CallSignal) { s.Duration = 5 },
		"answered offer":    func(s *CallSignal) { s.Flags |= CallAnswered },
		"unknown flag":      func(s *CallSignal) { s.Flags |= 32 },
		"negative flags":    func(s *CallSignal) { s.Flags = -1 },
		"offer by callee":   func(s *CallSignal) { s.Flags = 0 },
		"no start":          func(s *CallSignal) { s.Start = 0 },
		"start too late":    func(s *CallSignal) { s.Start = maxTimestamp + 1 },
	}
	for name, change := range cases {
		s := ok
		change(&s)
		_, err := encodeContent(&Content{Kind: KindCall, ID: "a", TS: 1, To: testPerson, Call: string(jsonw.Marshal(&s))})
		if !errors.Is(err, ErrBadContent) {
			t.Errorf("%s: got %v, want ErrBadContent", name, err)
		}
	}
	okJSON := string(jsonw.Marshal(&ok))
	for name, c := range map[string]*Content{
		"call kind without call": {Kind: KindCall, ID: "a", TS: 1, To: testPerson},
		"text with call":         {Kind: KindText, ID: "a", TS: 1, To: testPerson, Text: "x", Call: okJSON},
		"call with text":         {Kind: KindCall, ID: "a", TS: 1, To: testPerson, Text: "x", Call: okJSON},
		"call not json":          {Kind: KindCall, ID: "a", TS: 1, To: testPerson, Call: "offer"},
		"call unknown field":     {Kind: KindCall, ID: "a", TS: 1, To: testPerson, Call: okJSON[:len(okJSON)-1] + `,"x":1}`},
		"call trailing data":     {Kind: KindCall, ID: "a", TS: 1, To: testPerson, Call: okJSON + "{}"},
		"call too long": {Kind: KindCall, ID: "a", TS: 1, To: testPerson,
			Call: okJSON[:len(okJSON)-1] + `,"muted":false` + strings.Repeat(" ", maxCallJSON) + "}"},
	} {
		if _, err := encodeContent(c); !errors.Is(err, ErrBadContent) {
			t.Errorf("%s: got %v, want ErrBadContent", name, err)
		}
	}
}

// FuzzCallContent fuzzes the content decoder from call signals: whatever
// decodes is valid and re-encodes to itself.
func FuzzCallContent(f *testing.F) {
	fuzzContent(f, callVectors())
}

// FuzzICEServers fuzzes the check of the relay's ICE server list: it
// never panics, and fails only with a jsonw error that says where.
func FuzzICEServers(f *testing.F) {
	for b := range iceVectors {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s iceServers
		err := jsonw.Unmarshal(b, &s)
		var je *jsonw.Error
		if err != nil && !errors.As(err, &je) {
			t.Fatalf("error %v is not a *jsonw.Error", err)
		}
	})
}

var iceVectors = map[string]bool{
	`{"iceServers":[{"urls":["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"],` +
		`"username":"1790000000:abc","credential":"c2VjcmV0"},{"urls":"stun:stun.example.org:3478"}],"expires":1790000000000}`: true,
	`{"iceServers":[],"expires":0,"later":{"x":[1]}}`: true,
	`{"iceServers":{}}`: false,
	`{"expires":1}`:     false,
	`[]`:                false,
	`{"iceServers":[}`:  false,
}

func TestICEServersCheck(t *testing.T) {
	for b, want := range iceVectors {
		var s iceServers
		if err := jsonw.Unmarshal([]byte(b), &s); (err == nil && s.ok) != want {
			t.Errorf("%s: %v %v, want ok %v", b, err, s.ok, want)
		}
	}
}
