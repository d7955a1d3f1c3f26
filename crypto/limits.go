package crypto

// Bounds on what a peer (or anyone who can put bytes in front of Decrypt) can
// make us store or compute. Each says why that number.
const (
	// MaxForwardJump is the largest step a message counter may take past the
	// next expected counter of its chain. Deriving the message key for a
	// counter n ahead costs n chain steps before the MAC can be checked, so
	// this bounds the work a forged message can cause: 25000 steps are about
	// 50,000 HMACs, a few tens of milliseconds even in wasm. It is the limit
	// libsignal-client uses (MAX_FORWARD_JUMPS), so a gap libsignal accepts we
	// accept too; libsignal-node is stricter (2000).
	MaxForwardJump = 25000

	// MaxSkippedKeysPerChain is how many message keys of messages not yet
	// received we keep for one receiving chain; the oldest go first. 2000 is
	// libsignal's MAX_MESSAGE_KEYS and libsignal-node's look-ahead, so a
	// peer's reordering that libsignal survives we survive too.
	MaxSkippedKeysPerChain = 2000

	// MaxSkippedKeysPerSession caps the skipped keys of one session across all
	// its receiving chains (oldest chain's oldest keys go first). Each key
	// costs 36 bytes in the stored record; 4000 keeps a worst-case record near
	// 150 KB while still holding two chains' full windows, i.e. a long burst
	// lost around one turn of the ratchet.
	MaxSkippedKeysPerSession = 4000

	// MaxReceiverChains is how many receiving chains a session keeps; a
	// message on an older chain than these cannot be decrypted. libsignal
	// keeps 5 (MAX_RECEIVER_CHAINS): enough for messages delayed across a few
	// ratchet turns.
	MaxReceiverChains = 5

	// MaxPreviousSessions is how many archived sessions a SessionRecord keeps
	// besides the current one, so messages still in flight for a replaced
	// session decrypt. 40 is libsignal's ARCHIVED_STATES_MAX_LENGTH and
	// libsignal-node's CLOSED_SESSIONS_MAX.
	MaxPreviousSessions = 40

	// MaxPlaintextSize is the largest plaintext Encrypt accepts. Messages carry
	// text, receipts and attachment pointers; attachments themselves travel as
	// separately encrypted blobs. 1 MiB is far above any such message and
	// bounds the allocation a single ciphertext can force on the receiver.
	MaxPlaintextSize = 1 << 20

	// MaxMessageSize is the largest serialised message Decrypt accepts: the
	// largest plaintext after padding, plus generous room for the protobuf
	// framing, keys, MAC and PreKeySignalMessage wrapper.
	MaxMessageSize = MaxPlaintextSize + 1024
)
