package wire_test

import (
	"fmt"

	"sambung/wire"
)

func ExampleParseAddress() {
	a, err := wire.ParseAddress("phone:+62 812-3456-7890")
	fmt.Println(a, err)
	_, err = wire.ParseAddress("phone:0812 3456 7890")
	fmt.Println(err)
	// Output:
	// phone:+6281234567890 <nil>
	// wire: bad_phone: a phone number must be E.164: '+' then 8 to 15 digits, the first not 0
}

func ExampleEncode() {
	b, _ := wire.Encode(&wire.SentFrame{ID: "r1"})
	fmt.Println(string(b))
	f, _ := wire.DecodeClientFrame([]byte(`{"type":"ack","seqs":[4,5]}`))
	fmt.Println(f.(*wire.AckFrame).Seqs)
	// Output:
	// {"type":"sent","id":"r1"}
	// [4 5]
}
