package crypto

import (
	"errors"
	"strconv"
)

// Sentinel errors. Decrypt and Encrypt return them bare or wrapped, so test
// with errors.Is.
var (
	// ErrBadSignature reports a signed prekey whose XEdDSA signature by the
	// bundle's identity key does not verify.
	ErrBadSignature = errors.New("crypto: bad signature")

	// ErrNoSession reports an Encrypt, or a Decrypt of a SignalMessage, for an
	// address with no session.
	ErrNoSession = errors.New("crypto: no session")

	// ErrDuplicateMessage reports a message whose key was already used: a
	// replay, or a retransmission of a message already decrypted.
	ErrDuplicateMessage = errors.New("crypto: duplicate message")

	// ErrInvalidMessage reports any ciphertext that does not decode or does
	// not authenticate. It deliberately does not say which check failed.
	ErrInvalidMessage = errors.New("crypto: invalid message")

	// ErrTooFarInFuture reports a message counter more than MaxForwardJump
	// past the next expected one.
	ErrTooFarInFuture = errors.New("crypto: message too far in the future")

	// ErrMessageTooLarge reports a plaintext over MaxPlaintextSize or a
	// ciphertext over MaxMessageSize.
	ErrMessageTooLarge = errors.New("crypto: message too large")

	// ErrUnknownPreKey reports a PreKeySignalMessage naming a one-time or
	// signed prekey this device does not have (used already, or never had).
	ErrUnknownPreKey = errors.New("crypto: unknown prekey")

	// ErrUntrustedIdentity reports an identity key for an address that differs
	// from the one on record. The error returned is an *UntrustedIdentityError.
	ErrUntrustedIdentity = errors.New("crypto: untrusted identity")
)

// UntrustedIdentityError names the address and the new identity key that
// TrustIdentity refused, so the caller can show it and, if the user accepts
// it, pass it to SaveIdentity.
type UntrustedIdentityError struct {
	Address Address
	Key     PublicKey
}

func (e *UntrustedIdentityError) Error() string {
	return ErrUntrustedIdentity.Error() + " for " + e.Address.String()
}

// Unwrap makes errors.Is(err, ErrUntrustedIdentity) true.
func (e *UntrustedIdentityError) Unwrap() error { return ErrUntrustedIdentity }

// PreKeyError names the prekey that a PreKeySignalMessage needed and the
// store did not give: Err is ErrUnknownPreKey when the store has no such
// key, else the store's own error.
type PreKeyError struct {
	What string // "one-time prekey" or "signed prekey"
	ID   uint32
	Err  error
}

func (e *PreKeyError) Error() string {
	id := strconv.FormatUint(uint64(e.ID), 10)
	if e.Err == ErrUnknownPreKey {
		return ErrUnknownPreKey.Error() + ": " + e.What + " " + id
	}
	return "crypto: loading " + e.What + " " + id + ": " + e.Err.Error()
}

// Unwrap returns Err, so errors.Is(err, ErrUnknownPreKey) works.
func (e *PreKeyError) Unwrap() error { return e.Err }

// detailError is a sentinel with a detail for people; errors.Is sees the
// sentinel.
type detailError struct {
	err    error
	detail string
}

func (e *detailError) Error() string { return e.err.Error() + ": " + e.detail }
func (e *detailError) Unwrap() error { return e.err }

// withDetail wraps the sentinel err with a detail.
func withDetail(err error, detail string) error { return &detailError{err, detail} }
