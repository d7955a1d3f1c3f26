// Package wire holds everything the relay and its clients agree on: the JSON
// bodies of every HTTP request and response, the websocket frames, the table
// of coded errors, the protocol limits, and the parsing of addresses
// (phone:+6281234567890, account:alice).
//
// The relay and the client share only this package. It is standard library
// only and small, because it is compiled into the browser's wasm module. It
// must not hold relay policy, storage or cryptography: it describes bytes on
// the wire and checks their shape, nothing more. Byte fields travel as
// standard base64 (encoding/json's []byte encoding).
//
// docs/PROTOCOL.md is the prose companion of this package.
package wire
