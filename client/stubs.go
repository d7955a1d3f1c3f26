package client

import (
	"context"
	"errors"
)

// The behaviour behind these signatures follows in the next commits; they
// exist so that wasm/ compiles against the final API now.

var (
	errMissingConfig = errors.New("config needs HTTP and Storage")
	errNotYet        = errors.New("not implemented yet")
)

func (c *Client) RequestPhoneCode(ctx context.Context, phone string) error          { return errNotYet }
func (c *Client) VerifyPhone(ctx context.Context, phone, code string) error         { return errNotYet }
func (c *Client) SignUpAccount(ctx context.Context, account, password string) error { return errNotYet }
func (c *Client) SignInAccount(ctx context.Context, account, password string) error { return errNotYet }
func (c *Client) LinkPhoneCode(ctx context.Context, phone string) error             { return errNotYet }
func (c *Client) LinkPhone(ctx context.Context, phone, code string) error           { return errNotYet }
func (c *Client) LinkAccount(ctx context.Context, account, password string) error   { return errNotYet }
func (c *Client) Me(ctx context.Context) (Profile, error)                           { return Profile{}, errNotYet }
func (c *Client) Devices(ctx context.Context) ([]Device, error)                     { return nil, errNotYet }
func (c *Client) RemoveDevice(ctx context.Context, id uint32) error                 { return errNotYet }
func (c *Client) SignOut(ctx context.Context) error                                 { return errNotYet }
func (c *Client) Connect(ctx context.Context) error                                 { return errNotYet }
func (c *Client) Lookup(ctx context.Context, address string) (Contact, error) {
	return Contact{}, errNotYet
}
func (c *Client) Send(ctx context.Context, address, text string) (Message, error) {
	return Message{}, errNotYet
}
func (c *Client) MarkRead(ctx context.Context, conversationID, upTo string) error { return errNotYet }
func (c *Client) Typing(ctx context.Context, conversationID string, typing bool) error {
	return errNotYet
}
func (c *Client) Conversations(ctx context.Context) ([]Conversation, error) { return nil, errNotYet }
func (c *Client) History(ctx context.Context, conversationID, before string, limit int) ([]Message, error) {
	return nil, errNotYet
}
func (c *Client) SafetyNumber(ctx context.Context, conversationID string) (SafetyNumber, error) {
	return SafetyNumber{}, errNotYet
}
func (c *Client) AcceptIdentity(ctx context.Context, conversationID string) error { return errNotYet }
