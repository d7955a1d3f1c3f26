package client

import (
	"bytes"
	"reflect"
	"strconv"
	"testing"

	"sambung/internal/golden"
	"sambung/internal/jsonw"
	"sambung/wire"
)

// goldenLines encodes the zero T and values, one line each, and checks
// that each line decodes and encodes back to itself.
func goldenLines[T any](t *testing.T, values ...T) []byte {
	t.Helper()
	var zero T
	var out []byte
	for i, v := range append([]T{zero}, values...) {
		b := jsonw.Marshal(&v)
		out = append(out, reflect.TypeFor[T]().Name()+"#"+strconv.Itoa(i)+" "...)
		out = append(append(out, b...), '\n')
		var back T
		if err := jsonw.Unmarshal(b, &back); err != nil {
			t.Errorf("%T %d: decode %s: %v", v, i, b, err)
			continue
		}
		if again := jsonw.Marshal(&back); !bytes.Equal(again, b) {
			t.Errorf("%T %d: %s decodes and encodes to %s", v, i, b, again)
		}
	}
	return out
}

// TestStoredJSONGolden holds every stored record and the Content to the
// bytes in testdata/json.golden, which the hand-written codecs wrote:
// records already in IndexedDB must read back, and new ones must not
// change shape.
func TestStoredJSONGolden(t *testing.T) {
	key := make([]byte, 33)
	var out []byte
	out = append(out, goldenLines(t, account{PersonID: "p", DeviceID: 2, Token: []byte{1, 2}, RegistrationID: 3, IdentityKey: key,
		SignedPreKeyID: 4, SignedPreKeyAt: 5, PrevSignedPreKeyID: 6, NextPreKeyID: 7, Identities: []string{"phone:+62", oddText}},
		account{Token: []byte{}, Identities: []string{}})...)
	out = append(out, goldenLines(t, deviceRecord{ID: 1, Key: key, Accepted: true}, deviceRecord{ID: 2, Key: []byte{}})...)
	out = append(out, goldenLines(t, contactRecord{PersonID: "p", Identities: []string{"account:a"}, Kind: "k", Known: true,
		Devices: []deviceRecord{{ID: 1, Key: key}, {ID: 2}}, LastOrder: "000.x", Unread: -1},
		contactRecord{Identities: []string{}, Devices: []deviceRecord{}})...)
	out = append(out, goldenLines(t, Message{ID: "m", ConversationID: "c", From: "f", Outgoing: true, Text: oddText, SentAt: 1 << 50,
		Order: "o", Status: StatusRead, Undecryptable: true, Call: &CallRecord{Outcome: CallCompleted, Video: true, Duration: 42000}})...)
	out = append(out, goldenLines(t, outboxItem{Seq: 1<<64 - 1, To: "t", ID: "i", Kind: KindText, Plain: []byte{1}, TS: 2,
		Envelopes: []wire.Envelope{{ID: "i", Device: 1 << 31, Type: 3, Body: []byte{9}, TS: 2}},
		Self:      []wire.Envelope{{ID: "i", Device: 1, Type: 1, Body: []byte{}, TS: 2}}}, outboxItem{Envelopes: []wire.Envelope{}})...)
	out = append(out, goldenLines(t, ReceiptContent{Status: StatusDelivered, IDs: []string{"a", "b"}}, ReceiptContent{IDs: []string{}})...)
	out = append(out, goldenLines(t, Content{V: 1, Kind: KindText, ID: "i", TS: 3, To: "t", Text: oddText, Typing: true,
		Receipt: &ReceiptContent{Status: StatusRead, IDs: []string{"x"}}, File: []byte{7}, Call: "{}"}, Content{Receipt: &ReceiptContent{}, File: []byte{}})...)
	golden.Check(t, "json.golden", out)
}

// TestCallSignalGolden holds the signal's writer and reader to the bytes
// in testdata/callsignal.golden.
func TestCallSignalGolden(t *testing.T) {
	var out []byte
	for i, s := range []CallSignal{{}, {CallID: "c", Op: CallOffer, SDP: oddText, ICE: []string{"candidate:1", ""}, Flags: CallVideo, Start: 1 << 45, Duration: 42},
		{ICE: []string{}}} {
		b := jsonw.Marshal(&s)
		out = append(out, "CallSignal#"+strconv.Itoa(i)+" "...)
		out = append(append(out, b...), '\n')
		var back CallSignal
		if err := jsonw.Unmarshal(b, &back); err != nil {
			t.Errorf("%d: decode %s: %v", i, b, err)
			continue
		}
		if again := jsonw.Marshal(&back); !bytes.Equal(again, b) {
			t.Errorf("%d: %s decodes and encodes to %s", i, b, again)
		}
	}
	golden.Check(t, "callsignal.golden", out)
}
