package client

import (
	"errors"
	"strconv"

	"sambung/client/attach"
	"sambung/internal/jsonw"
	"sambung/wire"
)

// Content is the plaintext inside every Signal ciphertext the client
// sends: a text, a file, a receipt or a typing indicator. To the relay they are
// the same: padded to a multiple of paddingBlock bytes and encrypted per
// device.
//
// A device's own other devices get the same Content as the recipient (a
// "sync" copy); they know it for one because the sender is their own
// person, and To names the conversation.
type Content struct {
	// V is contentVersion; a content of a later version is refused with
	// ErrBadContent rather than misread.
	V    int    `json:"v"`
	Kind string `json:"kind"` // KindText, KindFile, KindReceipt, KindTyping
	// ID is the sender's id of this content; for a text it is the message
	// id, the same on every device of both people.
	ID string `json:"id"`
	// TS is the sender's clock in Unix milliseconds; it orders the
	// conversation.
	TS int64 `json:"ts"`
	// To is the person the content was sent to: the conversation, for the
	// sender's own other devices.
	To      string          `json:"to"`
	Text    string          `json:"text,omitempty"`
	Receipt *ReceiptContent `json:"receipt,omitempty"`
	Typing  bool            `json:"typing,omitempty"`
	// File is an encoded attach.Pointer, for KindFile; Text is then an
	// optional caption.
	File []byte `json:"file,omitempty"`
	Call string `json:"call,omitempty"` // KindCall: a CallSignal's JSON text, see call.go
}

// ReceiptContent says that messages reached a status on the receiving
// device: StatusDelivered or StatusRead.
type ReceiptContent struct {
	Status Status   `json:"status"`
	IDs    []string `json:"ids"`
}

// Content kinds.
const (
	KindText    = "text"
	KindReceipt = "receipt"
	KindTyping  = "typing"
	KindFile    = "file"
	KindCall    = "call"
)

const (
	// contentVersion is the version of the Content encoding written here.
	contentVersion = 1

	// paddingBlock is Signal's padding unit: plaintexts are padded to a
	// multiple of 160 bytes (a 0x80 byte, then zeros), so the ciphertext's
	// length says little about the text and a receipt looks like a short
	// text.
	paddingBlock = 160
	paddingMark  = 0x80

	// MaxTextSize caps a message text in bytes: 64 KiB is a long letter,
	// and keeps a padded, encrypted copy per device far under the relay's
	// 256 KiB envelope cap.
	MaxTextSize = 64 << 10

	// maxContentSize caps a decoded plaintext: a maximal text in JSON with
	// every byte escaped (\u00XX is 6 bytes) plus the other fields.
	maxContentSize = 6*MaxTextSize + 4096

	// maxReceiptIDs caps the ids one receipt names: a relay push window is
	// 256 envelopes, and a read receipt after a long absence covers at most
	// what MarkRead marks at once (maxMarkRead).
	maxReceiptIDs = 1024

	// maxIDLen caps a content id, as the relay caps envelope ids.
	maxIDLen = wire.MaxEnvelopeID
)

// badContent is ErrBadContent with the reason.
func badContent(reason string) error {
	return ErrBadContent.with(errors.New("content: " + reason))
}

// validID accepts what the client itself generates and nothing that could
// break a storage key: 1 to maxIDLen of a-z A-Z 0-9 - _.
func validID(s string) bool {
	if len(s) == 0 || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// encodeContent returns the padded plaintext of c.
func encodeContent(c *Content) ([]byte, error) {
	c.V = contentVersion
	if err := c.validate(); err != nil {
		return nil, err
	}
	b := jsonw.Marshal(c)
	n := (len(b)/paddingBlock + 1) * paddingBlock // always at least one pad byte
	out := make([]byte, n)
	copy(out, b)
	out[len(b)] = paddingMark
	return out, nil
}

// decodeContent strips the padding of a plaintext and decodes and checks
// its Content. Every failure is ErrBadContent.
func decodeContent(b []byte) (*Content, error) {
	if len(b) > maxContentSize+paddingBlock {
		return nil, badContent(strconv.Itoa(len(b)) + " bytes is too long")
	}
	end := len(b)
	for end > 0 && b[end-1] == 0 {
		end--
	}
	if end == 0 || b[end-1] != paddingMark {
		return nil, badContent("padding")
	}
	b = b[:end-1]
	d := jsonw.NewDecoder(b)
	d.DisallowUnknown = true
	var c Content
	if err := d.Value(&c); err != nil {
		return nil, badContent("not a content object")
	}
	if d.End() != nil {
		return nil, badContent("trailing data")
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// validate checks the fields a receiver relies on.
func (c *Content) validate() error {
	if c.V != contentVersion {
		return badContent("version " + strconv.Itoa(c.V))
	}
	if !validID(c.ID) {
		return badContent("id")
	}
	if c.TS <= 0 || c.TS > maxTimestamp {
		return badContent("timestamp")
	}
	if !wire.ValidPersonID(c.To) {
		return badContent("to")
	}
	if (c.Kind == KindCall) != (c.Call != "") || c.Call != "" && (c.Text != "" || c.Receipt != nil || c.Typing || c.File != nil) {
		return badContent("call")
	}
	switch c.Kind {
	case KindCall:
		_, err := decodeCallSignal(c.Call)
		return err
	case KindText:
		if len(c.Text) > MaxTextSize {
			return badContent("text of " + strconv.Itoa(len(c.Text)) + " bytes")
		}
		if c.Receipt != nil || c.Typing || c.File != nil {
			return badContent("text with other fields")
		}
	case KindFile:
		if len(c.Text) > MaxTextSize {
			return badContent("caption of " + strconv.Itoa(len(c.Text)) + " bytes")
		}
		if c.Receipt != nil || c.Typing {
			return badContent("file with other fields")
		}
		if _, err := attach.UnmarshalPointer(c.File); err != nil {
			return badContent("file pointer: " + err.Error())
		}
	case KindReceipt:
		r := c.Receipt
		if r == nil || c.Text != "" || c.Typing || c.File != nil {
			return badContent("receipt")
		}
		if r.Status != StatusDelivered && r.Status != StatusRead {
			return badContent("receipt status")
		}
		if len(r.IDs) == 0 || len(r.IDs) > maxReceiptIDs {
			return badContent("receipt of " + strconv.Itoa(len(r.IDs)) + " ids")
		}
		for _, id := range r.IDs {
			if !validID(id) {
				return badContent("receipt id")
			}
		}
	case KindTyping:
		if c.Text != "" || c.Receipt != nil || c.File != nil {
			return badContent("typing")
		}
	default:
		return badContent("kind")
	}
	return nil
}
