package crypto

import "context"

// MemoryStore is a Store held in memory: for tests, benchmarks and as the
// cache in front of persistent storage. It keeps *SessionRecord values
// themselves, so no serialisation happens per message. It is not safe for
// concurrent use.
type MemoryStore struct {
	identity       *PrivateKey
	registrationID uint32
	identities     map[Address]PublicKey
	preKeys        map[uint32]*PrivateKey
	signedPreKeys  map[uint32]*PrivateKey
	sessions       map[Address]*SessionRecord
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store for a device with the given identity
// key and registration id.
func NewMemoryStore(identity *PrivateKey, registrationID uint32) *MemoryStore {
	return &MemoryStore{
		identity:       identity,
		registrationID: registrationID,
		identities:     make(map[Address]PublicKey),
		preKeys:        make(map[uint32]*PrivateKey),
		signedPreKeys:  make(map[uint32]*PrivateKey),
		sessions:       make(map[Address]*SessionRecord),
	}
}

// AddPreKey stores a one-time prekey under id.
func (m *MemoryStore) AddPreKey(id uint32, k *PrivateKey) { m.preKeys[id] = k }

// AddSignedPreKey stores a signed prekey under id.
func (m *MemoryStore) AddSignedPreKey(id uint32, k *PrivateKey) { m.signedPreKeys[id] = k }

// IdentityKeyPair returns this device's identity key.
func (m *MemoryStore) IdentityKeyPair(context.Context) *PrivateKey { return m.identity }

// LocalRegistrationID returns this device's registration id.
func (m *MemoryStore) LocalRegistrationID(context.Context) uint32 { return m.registrationID }

// TrustIdentity saves key for addr on first use and refuses a different one.
func (m *MemoryStore) TrustIdentity(ctx context.Context, addr Address, key PublicKey) error {
	old, ok := m.identities[addr]
	if !ok {
		m.identities[addr] = key
		return nil
	}
	if !old.Equal(key) {
		return &UntrustedIdentityError{Address: addr, Key: key}
	}
	return nil
}

// SaveIdentity records key for addr, replacing any other.
func (m *MemoryStore) SaveIdentity(ctx context.Context, addr Address, key PublicKey) error {
	m.identities[addr] = key
	return nil
}

// Identity returns the identity key on record for addr.
func (m *MemoryStore) Identity(addr Address) (PublicKey, bool) {
	k, ok := m.identities[addr]
	return k, ok
}

// LoadPreKey returns the one-time prekey id.
func (m *MemoryStore) LoadPreKey(ctx context.Context, id uint32) (*PrivateKey, error) {
	k, ok := m.preKeys[id]
	if !ok {
		return nil, &PreKeyError{What: "one-time prekey", ID: id, Err: ErrUnknownPreKey}
	}
	return k, nil
}

// RemovePreKey deletes the one-time prekey id.
func (m *MemoryStore) RemovePreKey(ctx context.Context, id uint32) error {
	delete(m.preKeys, id)
	return nil
}

// LoadSignedPreKey returns the signed prekey id.
func (m *MemoryStore) LoadSignedPreKey(ctx context.Context, id uint32) (*PrivateKey, error) {
	k, ok := m.signedPreKeys[id]
	if !ok {
		return nil, &PreKeyError{What: "signed prekey", ID: id, Err: ErrUnknownPreKey}
	}
	return k, nil
}

// LoadSession returns the record for addr, or (nil, nil).
func (m *MemoryStore) LoadSession(ctx context.Context, addr Address) (*SessionRecord, error) {
	return m.sessions[addr], nil
}

// StoreSession keeps r as the record for addr.
func (m *MemoryStore) StoreSession(ctx context.Context, addr Address, r *SessionRecord) error {
	m.sessions[addr] = r
	return nil
}
