package crypto

import (
	"context"
	"strconv"
)

// Address names one device of a remote party: Signal's protocol address.
type Address struct {
	Name     string
	DeviceID uint32
}

// String returns "name.device", the form libsignal uses.
func (a Address) String() string {
	return a.Name + "." + strconv.FormatUint(uint64(a.DeviceID), 10)
}

// IdentityStore holds this device's identity and the identities of the
// parties it talks to.
type IdentityStore interface {
	IdentityKeyPair(ctx context.Context) *PrivateKey
	LocalRegistrationID(ctx context.Context) uint32
	// TrustIdentity applies trust-on-first-use for addr: nil if unknown (it
	// is then saved) or equal; an *UntrustedIdentityError
	// (errors.Is(err, ErrUntrustedIdentity)) if a different key is on record.
	TrustIdentity(ctx context.Context, addr Address, key PublicKey) error
	// SaveIdentity records key for addr unconditionally (the user accepted
	// the new key).
	SaveIdentity(ctx context.Context, addr Address, key PublicKey) error
}

// PreKeyStore holds this device's one-time prekeys. LoadPreKey returns an
// error wrapping ErrUnknownPreKey, or (nil, nil), for an id it does not hold.
type PreKeyStore interface {
	LoadPreKey(ctx context.Context, id uint32) (*PrivateKey, error)
	RemovePreKey(ctx context.Context, id uint32) error
}

// SignedPreKeyStore holds this device's signed prekeys. LoadSignedPreKey
// returns an error wrapping ErrUnknownPreKey, or (nil, nil), for an id it does
// not hold.
type SignedPreKeyStore interface {
	LoadSignedPreKey(ctx context.Context, id uint32) (*PrivateKey, error)
}

// SessionStore holds one SessionRecord per remote address.
type SessionStore interface {
	// LoadSession returns (nil, nil) when there is none. The protocol
	// functions change the returned record in place and then call
	// StoreSession; they change it only when they succeed.
	LoadSession(ctx context.Context, addr Address) (*SessionRecord, error)
	StoreSession(ctx context.Context, addr Address, r *SessionRecord) error
}

// Store is everything the protocol functions need.
type Store interface {
	IdentityStore
	PreKeyStore
	SignedPreKeyStore
	SessionStore
}
