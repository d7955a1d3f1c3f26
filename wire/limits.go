package wire

// Protocol limits. The relay enforces them; clients may check first. Each
// says why it is that number.
const (
	// MaxEnvelopeBody caps one ciphertext: text, receipts and call signaling
	// are far smaller, and attachments travel as encrypted blobs, so 256 KiB
	// is generous while keeping a mailbox's worst case bounded.
	MaxEnvelopeBody = 256 << 10

	// MaxDevicesPerPerson caps the devices of one person: a phone and a few
	// browsers (WhatsApp allows 5, Signal 6), with room to spare. It also
	// bounds the fan-out of one send.
	MaxDevicesPerPerson = 8

	// MaxEnvelopesPerSend is one envelope per device of the recipient plus
	// one per other device of the sender.
	MaxEnvelopesPerSend = 2 * MaxDevicesPerPerson

	// MaxFrameSize caps one websocket frame: a full send of the largest
	// envelopes, base64 costing 4/3, plus 1 KiB of JSON per envelope.
	MaxFrameSize = MaxEnvelopesPerSend * (MaxEnvelopeBody*4/3 + 1024)

	// MaxAuthFrame caps the first frame of a connection, the only one a
	// socket may send before it has proved a device: an auth frame is
	// about 70 bytes, and a socket nobody has authenticated must not make
	// the relay hold megabytes.
	MaxAuthFrame = 2048

	// MaxEnvelopeID caps a client-chosen envelope id: a UUID is 36, a
	// base64 of 32 random bytes 44.
	MaxEnvelopeID = 64

	// MaxRequestID caps the id a client puts on a send or ping frame.
	MaxRequestID = 64

	// MaxAckSeqs caps the sequence numbers in one ack frame: the relay's
	// push window is smaller, so an honest client never needs more.
	MaxAckSeqs = 1024

	// MaxPreKeysPerUpload caps one-time prekeys in one request: libsignal
	// clients generate them 100 at a time.
	MaxPreKeysPerUpload = 100

	// MaxStoredPreKeys caps one-time prekeys the relay keeps per device, so
	// a device cannot fill the relay's disk with keys.
	MaxStoredPreKeys = 500

	// PreKeysLow is the count below which the relay tells a device to top
	// up: 20 covers a burst of new contacts between two connections.
	PreKeysLow = 20

	// MaxDeviceName caps a device's display name, in bytes.
	MaxDeviceName = 64

	// MinPassword and MaxPassword bound a password, in bytes: 8 is NIST
	// SP 800-63B's floor; 1024 keeps one argon2id call's input sane.
	MinPassword = 8
	MaxPassword = 1024

	// CodeDigits is the length of a one-time phone code.
	CodeDigits = 6

	// MaxRegistrationID is libsignal's 14-bit registration id range.
	MaxRegistrationID = 0x3fff

	// MaxRequestBody caps an HTTP request body: a device registration with
	// a full batch of prekeys is under 16 KiB.
	MaxRequestBody = 64 << 10
)
