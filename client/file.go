package client

import (
	"context"
	"encoding/base64"
	"errors"

	"sambung/client/attach"
)

// FileInfo is what a file message shows before and after its download:
// everything in its attach.Pointer but the blob id, the key and the digest.
type FileInfo struct {
	Name       string `json:"name"` // sanitised; "" when the sender gave none
	MIME       string `json:"mime"` // "" when unknown
	Size       uint64 `json:"size"` // plaintext bytes
	Width      uint32 `json:"width,omitempty"`
	Height     uint32 `json:"height,omitempty"`
	DurationMs uint32 `json:"durationMs,omitempty"`
	// Thumbnail is a small JPEG, PNG or WebP preview of an image, or nil.
	Thumbnail []byte `json:"thumbnail,omitempty"`
}

// setPointer decodes an encoded pointer into m.File and keeps the encoding.
func (m *Message) setPointer(b []byte) error {
	p, err := attach.UnmarshalPointer(b)
	if err != nil {
		return err
	}
	m.pointer = b
	m.File = &FileInfo{
		Name: p.FileName, MIME: p.MIME, Size: p.Size,
		Width: p.Width, Height: p.Height, DurationMs: p.DurationMs,
		Thumbnail: p.Thumbnail,
	}
	return nil
}

// SendFile sends an uploaded attachment to a person, with an optional
// caption. p names the blob the relay holds, with its file key and digest
// (see package attach); it travels only inside the end-to-end-encrypted
// message. The message is stored and queued as Send does.
func (c *Client) SendFile(ctx context.Context, address string, p *attach.Pointer, caption string) (Message, error) {
	if len(caption) > MaxTextSize {
		return Message{}, ErrTextTooLong
	}
	b, err := p.Marshal()
	if err != nil {
		return Message{}, ErrBadInput.with(err)
	}
	return c.send(ctx, address, caption, b)
}

// FilePointer returns the attachment pointer of a file message, for the
// download: the blob id, file key, digest and size.
func (c *Client) FilePointer(ctx context.Context, conversationID, messageID string) (*attach.Pointer, error) {
	var m *Message
	err := c.view(ctx, []string{msgIDKey(conversationID, messageID)}, func(t *tx) error {
		if _, err := c.signedIn(); err != nil {
			return err
		}
		var err error
		m, err = t.message(conversationID, messageID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, ErrUnknownMessage
	}
	if m.pointer == nil {
		return nil, ErrNotAFile
	}
	p, err := attach.UnmarshalPointer(m.pointer)
	if err != nil {
		return nil, ErrCorruptState.with(errors.New("stored file pointer: " + err.Error()))
	}
	return p, nil
}

// Token returns this device's bearer token, base64, for requests the
// platform makes itself: the browser's file engine uploads and downloads
// blobs with fetch. It is a secret: never log it or hand it to a page.
func (c *Client) Token() (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a, err := c.signedIn()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(a.Token), nil
}
