// Package crypto implements the Signal Protocol as libsignal speaks it on the
// wire (message version 3): Curve25519 keys in libsignal's encoding, XEdDSA
// signatures, X3DH session setup, the Double Ratchet, and safety numbers
// (Fingerprint version 2).
//
// It is pure code: no I/O, no goroutines, no global state. Randomness comes
// in as an io.Reader; storage is the caller's, behind the Store interface.
// A decrypt that fails leaves every piece of state exactly as it was.
package crypto
