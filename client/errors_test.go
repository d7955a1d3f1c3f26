package client_test

import (
	"context"
	"errors"
	"testing"

	"sambung/client"
	"sambung/wire"
)

// TestErrorMessages pins what a page sees of the core's errors: the code
// and the message, taken from the table in wire or the sentinel's own,
// unchanged by the move of the codes into that table.
func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err           *client.Error
		code, message string
	}{
		{client.ErrNotSignedIn, "not_signed_in", "not signed in"},
		{client.ErrIdentityChanged, "identity_changed", "the contact's keys changed; sending waits until the user accepts them"},
		{client.ErrBadInput, "bad_request", "bad input"},
		{client.ErrDeviceRemoved, "device_removed", "this device was removed from the account"},
		{client.ErrNoTransfer, "bad_request", "no such transfer"},
		{client.ErrNotAFile, "not_a_file", "the message has no file"},
		{client.ErrUnknownMethod, "unknown_method", "no such method"},
		{client.ErrInternal, "internal", "the core failed"},
	} {
		if string(tc.err.Code) != tc.code || tc.err.Message != tc.message {
			t.Errorf("%s: %q, want %s: %q", tc.err.Code, tc.err.Message, tc.code, tc.message)
		}
	}
	for _, tc := range []struct {
		err  error
		code string
	}{
		{nil, ""},
		{context.Canceled, "canceled"},
		{context.DeadlineExceeded, "timeout"},
		{errors.New("other"), "internal"},
		{wire.NewError(wire.CodeWrongCode), "wrong_code"},
		{client.ErrStorage, "storage"},
	} {
		if got := client.ErrorCode(tc.err); got != tc.code {
			t.Errorf("ErrorCode(%v) = %q, want %q", tc.err, got, tc.code)
		}
	}
}
