package client

import (
	"context"
	"errors"

	"sambung/client/attach"
	"sambung/wire"
)

// Error is a client error with a stable code for the JavaScript API
// (SambungError.code). Compare with errors.Is against the sentinels below.
type Error struct {
	Code    string
	Message string
	err     error // the cause, if any
}

func (e *Error) Error() string {
	if e.err != nil {
		return "client: " + e.Message + ": " + e.err.Error()
	}
	return "client: " + e.Message
}

// Is matches any *Error with the same code, so a sentinel matches however
// the cause was wrapped.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.err }

// with returns a copy of the sentinel e carrying cause.
func (e *Error) with(cause error) *Error {
	return &Error{Code: e.Code, Message: e.Message, err: cause}
}

// Sentinel errors. Errors from the relay are *wire.Error values (their
// code is the relay's); ErrorCode gives the code of either.
var (
	ErrNotSignedIn         = &Error{Code: "not_signed_in", Message: "not signed in"}
	ErrSignedIn            = &Error{Code: "signed_in", Message: "already signed in; sign out first"}
	ErrIdentityChanged     = &Error{Code: "identity_changed", Message: "the contact's keys changed; sending waits until the user accepts them"}
	ErrClosed              = &Error{Code: "closed", Message: "client closed"}
	ErrNetwork             = &Error{Code: "network", Message: "the relay cannot be reached"}
	ErrOffline             = &Error{Code: "offline", Message: "not connected to the relay"}
	ErrUnknownConversation = &Error{Code: "unknown_conversation", Message: "no such conversation"}
	ErrUnknownMessage      = &Error{Code: "unknown_message", Message: "no such message"}
	ErrBadInput            = &Error{Code: "bad_request", Message: "bad input"}
	ErrTextTooLong         = &Error{Code: "text_too_long", Message: "message text is too long"}
	ErrDeviceRemoved       = &Error{Code: "device_removed", Message: "this device was removed from the account"}
	ErrBadContent          = &Error{Code: "bad_content", Message: "message content does not decode"}
	ErrCorruptState        = &Error{Code: "corrupt_state", Message: "stored state does not decode"}
	// ErrStorage: the storage failed (in a browser: quota, blocked,
	// disabled in this browsing mode). After a failed write the client
	// drops what was staged since the last durable one and reads its
	// state again before it takes more work.
	ErrStorage = &Error{Code: "storage", Message: "storage failed"}

	// The file engine's errors (the browser's file methods).
	ErrFileTampered     = &Error{Code: "file_tampered", Message: "the file does not match what the sender sent: it was altered or damaged"}
	ErrFileIncomplete   = &Error{Code: "file_incomplete", Message: "the file ended early; try the download again"}
	ErrFileTooLarge     = &Error{Code: "file_too_large", Message: "the file is larger than 2 GiB"}
	ErrTooManyTransfers = &Error{Code: "too_many_transfers", Message: "too many file transfers at once"}
	ErrNoTransfer       = &Error{Code: "bad_request", Message: "no such transfer"}

	// Errors of a platform binding (the wasm bridge): a bad argument is a
	// bug in the calling program, not in what the user typed.
	ErrBadArgument   = &Error{Code: "bad_argument", Message: "bad argument"}
	ErrUnknownMethod = &Error{Code: "unknown_method", Message: "no such method"}
	ErrInternal      = &Error{Code: "internal", Message: "the core failed"}
)

// causes maps errors of the packages under the client to the API's
// errors, so that every error that reaches a page has a code from this
// file or from the relay's table (wire).
var causes = []struct {
	cause error
	api   *Error
}{
	{attach.ErrTooLarge, ErrFileTooLarge},
	{attach.ErrTruncated, ErrFileIncomplete},
	{attach.ErrTampered, ErrFileTampered},
	{attach.ErrOrder, ErrFileTampered},
}

// Public returns err as the API reports it: an error of a package under
// the client becomes the client error it means; any other is unchanged.
func Public(err error) error {
	for _, c := range causes {
		if errors.Is(err, c.cause) {
			return c.api
		}
	}
	return err
}

// ErrorCode returns the stable code of err: a client code, the relay's
// wire code, "canceled" or "timeout" for a context's end, "internal" for
// anything else, "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	err = Public(err)
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	var we *wire.Error
	if errors.As(err, &we) {
		return string(we.Code)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "internal"
}
