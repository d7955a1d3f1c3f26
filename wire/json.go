package wire

import (
	"sambung/internal/jsonw"
)

// Every type here writes and reads its own JSON with package jsonw, so
// that the browser's wasm module links neither encoding/json nor reflect,
// and the relay uses the same codecs. jsonw_gen.go holds them, generated
// from the struct tags of the types these directives name: each lists its
// members once, and a frame's follow the "type" member that Encode puts
// first.
//
//go:generate go run sambung/internal/jsonw/gen
//
//jsonw:codec PreKey SignedPreKey DeviceKeys PhoneCodeRequest PhoneCodeResponse PhoneVerifyRequest
//jsonw:codec AccountRequest Session LinkPhoneRequest LinkAccountRequest DeviceInfo Me DeviceList
//jsonw:codec PreKeyUpload SignedPreKeyUpload KeyStatus PreKeyBundle Lookup DeviceRef PersonDevices
//jsonw:codec Error ICEServer ICEServers Envelope CreateRequest CreateResponse
//jsonw:codec AuthFrame SendFrame AckFrame PingFrame ReadyFrame EnvelopesFrame SentFrame
//jsonw:codec ErrorFrame KeysLowFrame PongFrame DrainedFrame AlertFrame

// WriteJSON writes a as its string form, as MarshalText does.
func (a *Address) WriteJSON(w *jsonw.Writer) { w.String(a.String()) }

// ReadJSON reads and normalises an address, as UnmarshalText does.
func (a *Address) ReadJSON(d *jsonw.Decoder) error {
	if d.Null() {
		return nil
	}
	var s string
	if err := d.String(&s); err != nil {
		return err
	}
	return a.UnmarshalText([]byte(s))
}
