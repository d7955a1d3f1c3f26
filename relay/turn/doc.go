// Package turn is the relay's built-in STUN/TURN server (RFC 8489, RFC
// 8656), on pion/turn, for calls between browsers that cannot reach each
// other directly.
//
// It relays DTLS-SRTP packets it cannot read: the media keys are agreed
// end to end, with fingerprints carried in end-to-end-encrypted signaling.
// It hands out no credentials itself: the relay mints short-lived ones
// (see Credential and credential.go for the scheme) only for authenticated
// devices, at /v1/ice-servers. It must never log its secret or a password,
// and must not relay to the relay's own loopback or private network unless
// it is itself advertised there (see allowedPeer).
//
// The browser's wasm module must not import this package (nor pion).
package turn
