package client

// Status is where an outgoing message is on its way; for an incoming one,
// "delivered" until the user has seen it, then "read". Statuses only move
// forward (pending < sent < delivered < read); "failed" means the relay
// refused the message for good.
type Status string

// Message statuses.
const (
	StatusPending   Status = "pending"   // in the outbox, not yet acknowledged by the relay
	StatusSent      Status = "sent"      // ✓ the relay has it on disk
	StatusDelivered Status = "delivered" // ✓✓ a device of the recipient has stored it
	StatusRead      Status = "read"      // blue ✓✓ the recipient has seen it
	StatusFailed    Status = "failed"    // the relay refused it for good
)

// Statuses lists every status, for the page's generated constants.
func Statuses() []Status {
	return []Status{StatusPending, StatusSent, StatusDelivered, StatusRead, StatusFailed}
}

// Rank orders statuses so that receipts only move a message forward; the
// page's STATUS_RANK (web/static/constants.js) is generated from it.
func (s Status) Rank() int {
	switch s {
	case StatusPending, StatusFailed:
		return 0
	case StatusSent:
		return 1
	case StatusDelivered:
		return 2
	case StatusRead:
		return 3
	}
	return -1
}

// Message is one message of a conversation as the UI shows it.
type Message struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversationId"` // the peer's person id
	From           string `json:"from"`           // sender's person id
	Outgoing       bool   `json:"outgoing"`
	Text           string `json:"text"`
	SentAt         int64  `json:"sentAt"` // sender's clock, Unix milliseconds
	// Order sorts a conversation's messages; it is the same on every device
	// of both people (see docs/CLIENT.md), so a late message slots in.
	Order  string `json:"order"`
	Status Status `json:"status"`
	// Undecryptable marks a placeholder for an envelope that could not be
	// decrypted; Text is empty.
	Undecryptable bool `json:"undecryptable,omitempty"`
	// File describes the attachment of a file message; Text is then its
	// caption. The file key and digest stay inside the client: see
	// FilePointer.
	File *FileInfo `json:"file,omitempty"`

	pointer []byte // the encoded attach.Pointer of File
	// Call is set on a call in the history (Text is empty).
	Call *CallRecord `json:"call,omitempty"`
}

// Contact is a person found by an address.
type Contact struct {
	PersonID   string   `json:"personId"`
	Identities []string `json:"identities"` // addresses, e.g. "phone:+6281234567890"
	// Kind is the kind of address they were found by: "phone" or "account".
	Kind string `json:"kind"`
	// IdentityChanged is set when a device key of theirs appeared or changed
	// since the user last accepted their keys; sending waits for
	// AcceptIdentity.
	IdentityChanged bool `json:"identityChanged"`
}

// Conversation is one entry of the conversation list.
type Conversation struct {
	ID              string   `json:"id"` // the peer's person id
	Title           string   `json:"title"`
	Kind            string   `json:"kind"`
	Identities      []string `json:"identities"`
	Unread          int      `json:"unread"`
	Last            *Message `json:"last"`
	IdentityChanged bool     `json:"identityChanged"`
}

// Profile is the signed-in person as this device knows them.
type Profile struct {
	SignedIn   bool     `json:"signedIn"`
	PersonID   string   `json:"personId"`
	DeviceID   uint32   `json:"deviceId"`
	Identities []string `json:"identities"`
}

// Device is one device of the signed-in person. Times are Unix
// milliseconds.
type Device struct {
	ID       uint32 `json:"id"`
	Name     string `json:"name"`
	Created  int64  `json:"created"`
	LastSeen int64  `json:"lastSeen"`
	Current  bool   `json:"current"` // this device
}

// SafetyNumber is what two people compare to know no one sits between
// them: 60 digits to read out, and bytes for a QR code.
type SafetyNumber struct {
	Displayable string `json:"displayable"`
	Scannable   []byte `json:"scannable"`
}
