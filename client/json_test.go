package client

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"testing"

	"sambung/internal/jsonw"
	"sambung/wire"
)

type ownJSON[T any] interface {
	*T
	jsonw.Marshaler
	jsonw.Unmarshaler
}

// checkJSON proves a type's own JSON equivalent to encoding/json's, which
// wrote the records stored before: each side decodes what the other
// encodes to what encoding/json itself would decode it to.
func checkJSON[T any, P ownJSON[T]](t *testing.T, values ...T) {
	t.Helper()
	var zero T
	for i, v := range append([]T{zero}, values...) {
		ref, err := json.Marshal(&v)
		if err != nil {
			t.Fatal(err)
		}
		var want T
		if err := json.Unmarshal(ref, &want); err != nil {
			t.Fatal(err)
		}
		mine := jsonw.Marshal(P(&v))
		var got T
		if err := json.Unmarshal(mine, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%T %d: ours %s decodes with encoding/json to %+v, %v; want %+v", v, i, mine, got, err, want)
		}
		var back T
		if err := jsonw.Unmarshal(ref, P(&back)); err != nil || !reflect.DeepEqual(back, want) {
			t.Errorf("%T %d: encoding/json's %s decodes with ours to %+v, %v; want %+v", v, i, ref, back, err, want)
		}
	}
}

const oddText = "<é\"\\\n\x01&\u2028> 😀"

func TestStoredJSONMatchesEncodingJSON(t *testing.T) {
	key := make([]byte, 33)
	checkJSON(t, account{PersonID: "p", DeviceID: 2, Token: []byte{1, 2}, RegistrationID: 3, IdentityKey: key,
		SignedPreKeyID: 4, SignedPreKeyAt: 5, PrevSignedPreKeyID: 6, NextPreKeyID: 7, Identities: []string{"phone:+62", oddText}})
	checkJSON(t, deviceRecord{ID: 1, Key: key, Accepted: true}, deviceRecord{ID: 2, Key: []byte{}})
	checkJSON(t, contactRecord{PersonID: "p", Identities: []string{"account:a"}, Kind: "k", Known: true,
		Devices: []deviceRecord{{ID: 1, Key: key}, {ID: 2}}, LastOrder: "000.x", Unread: -1},
		contactRecord{Identities: []string{}, Devices: []deviceRecord{}})
	checkJSON(t, Message{ID: "m", ConversationID: "c", From: "f", Outgoing: true, Text: oddText, SentAt: 1 << 50,
		Order: "o", Status: StatusRead, Undecryptable: true})
	checkJSON(t, outboxItem{Seq: 1<<64 - 1, To: "t", ID: "i", Kind: KindText, Plain: []byte{1}, TS: 2,
		Envelopes: []wire.Envelope{{ID: "i", Device: 1 << 31, Type: 3, Body: []byte{9}, TS: 2}},
		Self:      []wire.Envelope{{ID: "i", Device: 1, Type: 1, Body: []byte{}, TS: 2}}}, outboxItem{Envelopes: []wire.Envelope{}})
	checkJSON(t, ReceiptContent{Status: StatusDelivered, IDs: []string{"a", "b"}}, ReceiptContent{IDs: []string{}})
	checkJSON(t, Content{V: 1, Kind: KindText, ID: "i", TS: 3, To: "t", Text: oddText, Typing: true,
		Receipt: &ReceiptContent{Status: StatusRead, IDs: []string{"x"}}}, Content{Receipt: &ReceiptContent{}})
}

// TestKeysMatchFormat holds the storage keys, now built with strconv, to
// the fmt verbs that built them before: stored data keeps its keys.
func TestKeysMatchFormat(t *testing.T) {
	for _, n := range []uint64{0, 1, 0xabc, 1<<24 - 1, 1<<32 - 1, maxTimestamp, 1<<64 - 1} {
		if n < 1<<32 {
			if got, want := preKeyKey(uint32(n)), prefixPreKey+fmt.Sprintf("%08x", n); got != want {
				t.Errorf("preKeyKey(%d) = %q, want %q", n, got, want)
			}
			if got, want := signedKey(uint32(n)), prefixSigned+fmt.Sprintf("%08x", n); got != want {
				t.Errorf("signedKey(%d) = %q, want %q", n, got, want)
			}
		}
		if got, want := outboxKey(n), prefixOutbox+fmt.Sprintf("%016x", n); got != want {
			t.Errorf("outboxKey(%d) = %q, want %q", n, got, want)
		}
		if n <= maxTimestamp {
			if got, want := orderKey(int64(n), "id"), fmt.Sprintf("%015d.%s", n, "id"); got != want {
				t.Errorf("orderKey(%d) = %q, want %q", n, got, want)
			}
			if got, want := seenAtKey(int64(n), "s"), prefixSeenAt+fmt.Sprintf("%015d", n)+"/s"; got != want {
				t.Errorf("seenAtKey(%d) = %q, want %q", n, got, want)
			}
		}
	}
	if got, want := orderKey(-5, "x"), fmt.Sprintf("%015d.%s", -5, "x"); got != want {
		t.Errorf("orderKey(-5) = %q, want %q", got, want)
	}
}

func TestPathEscapeMatchesNetURL(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{"", "phone:+6281234567890", "account:a.b_c", "a/b?c#d e%f;g,h", string(all), "é😀"} {
		if got, want := pathEscape(s), url.PathEscape(s); got != want {
			t.Errorf("pathEscape(%q) = %q, want %q", s, got, want)
		}
	}
}
