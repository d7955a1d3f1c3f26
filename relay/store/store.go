package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"sambung/wire"
)

// Errors the store returns. Callers map them to wire codes.
var (
	ErrNotFound       = errors.New("store: not found")
	ErrTaken          = errors.New("store: identity belongs to another person")
	ErrAlreadyLinked  = errors.New("store: person already has an identity of that kind")
	ErrNotLinked      = errors.New("store: person has no such identity")
	ErrLastIdentity   = errors.New("store: cannot unlink the last identity")
	ErrTooManyDevices = errors.New("store: person has the most devices allowed")
	ErrTooManyPreKeys = errors.New("store: device has the most one-time prekeys allowed")
	ErrUnknownDevice  = errors.New("store: person has no such device")
	ErrMailboxFull    = errors.New("store: mailbox full")
	ErrClosed         = errors.New("store: closed")
)

// MailboxID names the mailbox of one device of one person.
type MailboxID struct {
	Person string
	Device uint32
}

// String renders the mailbox as person.device, for logs.
func (m MailboxID) String() string { return m.Person + "." + strconv.FormatUint(uint64(m.Device), 10) }

// Append is one envelope headed for one mailbox.
type Append struct {
	To MailboxID
	// Envelope is stored without Device (To names it); Append assigns
	// its Seq.
	Envelope wire.Envelope
	// Wrote asks the store to record, in the same commit as the envelope,
	// that its sender has written to the mailbox's person (Contacts), so
	// that the recipient can see it the moment the envelope arrives.
	Wrote bool
}

// AppendResult reports what an Append stored.
type AppendResult struct {
	// Stored counts envelopes written; Duplicates those whose id had been
	// stored before; Dropped those for mailboxes whose device no longer
	// exists (a send that raced with a device removal).
	Stored, Duplicates, Dropped int
}

// Mailboxes queues envelopes per device. Implementations must make an
// Append durable before it returns, keep a mailbox in Seq order, and make
// a resent envelope (same mailbox, From, FromDevice and ID) a duplicate for
// as long as it is queued and for a while after it is deleted.
type Mailboxes interface {
	// Append stores the envelopes of one send, all or none. It fails with
	// ErrMailboxFull if any mailbox would pass its depth limit or the
	// sender's share of it, or a person's mailboxes their byte limit
	// (Shares).
	Append(ctx context.Context, batch []Append) (AppendResult, error)
	// Read returns envelopes of mbox with Seq > after, in order, at most
	// limit of them and about maxBytes of bodies (always at least one).
	Read(ctx context.Context, mbox MailboxID, after uint64, limit, maxBytes int) ([]wire.Envelope, error)
	// Delete removes the envelopes with these seqs and returns how many
	// existed. Unknown seqs are ignored.
	Delete(ctx context.Context, mbox MailboxID, seqs []uint64) (int, error)
	// Depth returns how many envelopes mbox holds.
	Depth(ctx context.Context, mbox MailboxID) (int, error)
	// Drop deletes a mailbox and everything in it.
	Drop(ctx context.Context, mbox MailboxID) error
}

// PasswordHash is an argon2id hash with the parameters that made it.
type PasswordHash struct {
	Salt    []byte `json:"salt"`
	Memory  uint32 `json:"m"` // KiB
	Time    uint32 `json:"t"`
	Threads uint8  `json:"p"`
	Hash    []byte `json:"hash"`
}

// Identity is what an address points at.
type Identity struct {
	Person   string        `json:"person"`
	Password *PasswordHash `json:"password,omitempty"`
}

// Person is a person's record.
type Person struct {
	ID         string         `json:"id"`
	Identities []wire.Address `json:"identities"`
	Created    int64          `json:"created"`
	// NextDevice is the id the next device gets; ids are never reused.
	NextDevice uint32 `json:"nextDevice"`
}

// Device is one device of a person.
type Device struct {
	ID             uint32            `json:"id"`
	Name           string            `json:"name,omitempty"`
	RegistrationID uint32            `json:"registrationId"`
	IdentityKey    []byte            `json:"identityKey"`
	SignedPreKey   wire.SignedPreKey `json:"signedPreKey"`
	TokenHash      [32]byte          `json:"tokenHash"`
	Created        int64             `json:"created"`
	LastSeen       int64             `json:"lastSeen,omitempty"`
}

// Info returns what the device's person may see of it.
func (d *Device) Info() wire.DeviceInfo {
	return wire.DeviceInfo{ID: d.ID, Name: d.Name, Created: d.Created, LastSeen: d.LastSeen}
}

// NewDevice is a device to register: its record (ID is assigned) and its
// first one-time prekeys.
type NewDevice struct {
	Device  Device
	PreKeys []wire.PreKey
}

// Bundle is one device's prekey bundle; Taken says it carries a one-time
// prekey, and Left how many the device has left after that.
type Bundle struct {
	wire.PreKeyBundle
	Taken bool
	Left  int
}

// Directory holds people, identities, devices, tokens and prekeys.
type Directory interface {
	// CreatePerson makes person id with one identity and a first device.
	// ErrTaken if the address is someone's.
	CreatePerson(ctx context.Context, id string, addr wire.Address, ident Identity, dev NewDevice, now time.Time) (uint32, error)
	// AddDevice registers a device for an existing person.
	AddDevice(ctx context.Context, person string, dev NewDevice, now time.Time) (uint32, error)
	Identity(ctx context.Context, addr wire.Address) (Identity, error)
	Link(ctx context.Context, person string, addr wire.Address, ident Identity) error
	Unlink(ctx context.Context, person string, addr wire.Address) error
	Person(ctx context.Context, person string) (Person, []Device, error)
	// DeviceIDs lists a person's current device ids in order.
	DeviceIDs(ctx context.Context, person string) ([]uint32, error)
	// Authenticate finds the device whose token hashes to tokenHash.
	Authenticate(ctx context.Context, tokenHash [32]byte) (person string, device uint32, err error)
	TouchDevice(ctx context.Context, person string, device uint32, now time.Time) error
	// RemoveDevice deletes a device, its token and its keys (not its
	// mailbox: that is Mailboxes.Drop).
	RemoveDevice(ctx context.Context, person string, device uint32) error

	AddPreKeys(ctx context.Context, person string, device uint32, keys []wire.PreKey) (int, error)
	SetSignedPreKey(ctx context.Context, person string, device uint32, spk wire.SignedPreKey) error
	KeyStatus(ctx context.Context, person string, device uint32) (count int, signedID uint32, err error)
	// TakeBundles returns one bundle per device (all devices when devices
	// is nil). A device for which take returns true gives the bundle one
	// of its one-time prekeys, taken atomically; take may be nil (none
	// taken), and may be asked again about a device when the transaction
	// retries after a conflict.
	TakeBundles(ctx context.Context, person string, devices []uint32, take func(device uint32) bool) ([]Bundle, error)
}

// CodeRecord is what the relay keeps of one phone number's codes: the
// pending code, only as a MAC, and the number's counts across codes.
type CodeRecord struct {
	MAC     []byte `json:"mac"`     // nil when no code is pending
	Expires int64  `json:"expires"` // Unix ms
	SentAt  int64  `json:"sentAt"`  // Unix ms
	Tries   int    `json:"tries"`   // wrong tries of this code

	// Day starts the 24-hour window that Sent and Fails count in.
	Day   int64 `json:"day,omitempty"`
	Sent  int   `json:"sent,omitempty"`  // codes sent in the window
	Fails int   `json:"fails,omitempty"` // wrong tries in the window, across codes
	// Lockouts counts the number's lockouts, which grow with it, until a
	// right code or the record's expiry; LockedUntil ends the current one.
	Lockouts    int   `json:"lockouts,omitempty"`
	LockedUntil int64 `json:"lockedUntil,omitempty"`
}

// Throttle counts failed attempts against one target, an account's
// password say, whatever their source.
type Throttle struct {
	Fails       int   `json:"fails"`                 // since the last success
	LockedUntil int64 `json:"lockedUntil,omitempty"` // Unix ms
}

// Codes holds one-time phone codes, throttles and the relay's secrets.
type Codes interface {
	// UpdateCode runs fn on the code record of phone atomically (found is
	// false when there is none) and saves rec if fn returns save, deletes it
	// if del. fn may run more than once, on conflicts.
	UpdateCode(ctx context.Context, phone string, ttl time.Duration, fn func(rec *CodeRecord, found bool) (save, del bool, err error)) error
	// UpdateThrottle is UpdateCode for the throttle record called name.
	UpdateThrottle(ctx context.Context, name string, ttl time.Duration, fn func(rec *Throttle, found bool) (save, del bool, err error)) error
	// Secret returns the named random secret, creating it on first use.
	Secret(ctx context.Context, name string, size int) ([]byte, error)
}

// Contacts remembers who has sent to whom (an Append with Wrote records
// it): the relay's mailbox shares tell
// a contact (someone the owner has written to) from a stranger, and its
// lookup allowance grows with the people who wrote to a person. A person
// who removes their account leaves these records behind; they say nothing
// but that two ids once exchanged a message, which the relay saw anyway.
type Contacts interface {
	// Wrote reports whether person has ever sent to peer.
	Wrote(ctx context.Context, person, peer string) (bool, error)
	// Writers counts the people who have sent to person, up to limit.
	Writers(ctx context.Context, person string, limit int) (int, error)
}

// Store is everything the relay keeps.
type Store interface {
	Directory
	Codes
	Contacts
	Mailboxes
	Close() error
}
