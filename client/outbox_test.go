package client

import (
	"fmt"
	"testing"

	"sambung/internal/jsonw"
	"sambung/wire"
)

// TestOutboxReadsOldRecords loads an outbox item as clients stored it
// before it held wire.Envelope, and sends the very same ciphertexts.
func TestOutboxReadsOldRecords(t *testing.T) {
	old := `{"seq":5,"to":"bob","id":"m1","kind":"text","plain":"AQ==","ts":7,` +
		`"sealed":[{"p":"bob","d":2,"t":3,"b":"Ag=="},{"p":"me","d":4,"t":2,"b":"Aw=="}]}`
	it := new(outboxItem)
	if err := jsonw.Unmarshal([]byte(old), it); err != nil {
		t.Fatal(err)
	}
	want := &wire.SendFrame{ID: requestID(5), To: "bob",
		Envelopes: []wire.Envelope{{ID: "m1", Device: 2, Type: 3, Body: []byte{2}, TS: 7}},
		Self:      []wire.Envelope{{ID: "m1", Device: 4, Type: 2, Body: []byte{3}, TS: 7}}}
	if got := it.frame(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("frame %+v, want %+v", got, want)
	}
	again := new(outboxItem)
	if err := jsonw.Unmarshal(jsonw.Marshal(it), again); err != nil || fmt.Sprint(again) != fmt.Sprint(it) {
		t.Fatalf("%+v after a round trip, %v", again, err)
	}
}
