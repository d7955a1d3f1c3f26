// Package relay is Sambung's server: sign-up and sign-in with phone numbers
// (one-time codes) and account IDs (argon2id passwords), a directory of
// people, identities, devices and their public prekeys, and one durable
// mailbox of ciphertext per device, filled and drained over a websocket.
//
// The relay never sees plaintext, private keys or passwords at rest: it
// stores public keys, hashes and ciphertext. It needs a real network stack
// (coder/websocket's Accept), so all of it but this file is built !js.
//
// docs/PROTOCOL.md describes every endpoint, frame and error; the shared
// types are in package wire.
package relay
