package client

// Event is something the UI should know about. Each concrete type names
// itself with EventType (for JavaScript) and is delivered to
// Config.OnEvent in order, from one goroutine.
type Event interface {
	EventType() string
}

// Event type names, as the JavaScript API spells them.
const (
	EventMessage         = "message"
	EventReceipt         = "receipt"
	EventTyping          = "typing"
	EventStatus          = "status"
	EventIdentityChanged = "identitychange"
	EventConversations   = "conversations"
	EventAlert           = "alert"
)

// Connection states of a StatusEvent.
const (
	StateConnecting = "connecting"
	StateOnline     = "online"
	StateOffline    = "offline"
)

// MessageEvent reports a new message, incoming or outgoing (also one sent
// by another device of this person), or a changed one.
type MessageEvent struct {
	Message Message `json:"message"`
}

// ReceiptEvent reports that messages of a conversation reached a status.
type ReceiptEvent struct {
	ConversationID string   `json:"conversationId"`
	MessageIDs     []string `json:"messageIds"`
	Status         Status   `json:"status"`
}

// TypingEvent reports that the peer of a conversation started or stopped
// typing.
type TypingEvent struct {
	ConversationID string `json:"conversationId"`
	Typing         bool   `json:"typing"`
}

// StatusEvent reports the connection state: StateConnecting, StateOnline
// or StateOffline. Err says why it went offline, when it did.
type StatusEvent struct {
	State string `json:"state"`
	Err   string `json:"error,omitempty"`
}

// IdentityChangedEvent reports that a contact's keys changed; sending to
// them waits for AcceptIdentity.
type IdentityChangedEvent struct {
	ConversationID string `json:"conversationId"`
}

// ConversationEvent reports that the conversation list changed (a new
// message, an unread count, a flag) and carries the list as it is now.
// Changes that come together give one event: the client reads the list
// once the events before it were delivered, so a burst of messages costs
// one list, not one per message.
type ConversationEvent struct {
	Conversations []Conversation `json:"conversations"`
}

// AlertEvent is the relay's warning that someone may be attacking this
// person, for the app to show so that the person can act (change the
// password, check their devices). Kind is wire.AlertSignInFailures
// (Count wrong passwords were tried for the account ID) or
// wire.AlertPreKeysDrained (others fetched Count of this device's
// one-time prekeys in a short time).
type AlertEvent struct {
	Kind  string `json:"kind"`
	Count int    `json:"count"`
}

func (AlertEvent) EventType() string           { return EventAlert }
func (MessageEvent) EventType() string         { return EventMessage }
func (ReceiptEvent) EventType() string         { return EventReceipt }
func (TypingEvent) EventType() string          { return EventTyping }
func (StatusEvent) EventType() string          { return EventStatus }
func (IdentityChangedEvent) EventType() string { return EventIdentityChanged }
func (ConversationEvent) EventType() string    { return EventConversations }
