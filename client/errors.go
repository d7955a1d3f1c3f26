package client

import (
	"context"
	"errors"

	"sambung/client/attach"
	"sambung/wire"
)

// Error is a client error with a stable code for the JavaScript API
// (SambungError.code), from the one table in wire. Compare with errors.Is
// against the sentinels below.
type Error struct {
	Code    wire.Code
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
// code is the relay's); ErrorCode gives the code of either. These take
// their message from the table in wire:
var (
	ErrNotSignedIn         = &Error{Code: wire.CodeNotSignedIn}
	ErrSignedIn            = &Error{Code: wire.CodeSignedIn}
	ErrIdentityChanged     = &Error{Code: wire.CodeIdentityChanged}
	ErrClosed              = &Error{Code: wire.CodeClosed}
	ErrNetwork             = &Error{Code: wire.CodeNetwork}
	ErrOffline             = &Error{Code: wire.CodeOffline}
	ErrUnknownConversation = &Error{Code: wire.CodeUnknownConversation}
	ErrUnknownMessage      = &Error{Code: wire.CodeUnknownMessage}
	ErrTextTooLong         = &Error{Code: wire.CodeTextTooLong}
	ErrBadContent          = &Error{Code: wire.CodeBadContent}
	ErrCorruptState        = &Error{Code: wire.CodeCorruptState}
	// ErrStorage: the storage failed (in a browser: quota, blocked,
	// disabled in this browsing mode). After a failed write the client
	// drops what was staged since the last durable one and reads its
	// state again before it takes more work.
	ErrStorage = &Error{Code: wire.CodeStorage}
	// The file engine's errors (the browser's file methods).
	ErrFileTampered     = &Error{Code: wire.CodeFileTampered}
	ErrFileIncomplete   = &Error{Code: wire.CodeFileIncomplete}
	ErrFileTooLarge     = &Error{Code: wire.CodeFileTooLarge}
	ErrTooManyTransfers = &Error{Code: wire.CodeTooManyTransfers}
	// ErrNotAFile is FilePointer's answer for a message that has no file.
	ErrNotAFile = &Error{Code: wire.CodeNotAFile}
	// Errors of a platform binding (the wasm bridge): a bad argument is a
	// bug in the calling program, not in what the user typed.
	ErrBadArgument   = &Error{Code: wire.CodeBadArgument}
	ErrUnknownMethod = &Error{Code: wire.CodeUnknownMethod}
)

// Sentinels with a code the relay's table has too, and a message of their
// own.
var (
	ErrBadInput      = &Error{Code: wire.CodeBadRequest, Message: "bad input"}
	ErrDeviceRemoved = &Error{Code: wire.CodeDeviceRemoved, Message: "this device was removed from the account"}
	ErrNoTransfer    = &Error{Code: wire.CodeBadRequest, Message: "no such transfer"}
	ErrInternal      = &Error{Code: wire.CodeInternal, Message: "the core failed"}
)

// The sentinels without a message of their own take the table's. One loop
// here costs the wasm module 3 KB less than a call per sentinel: a
// composite literal is laid out statically, a call runs at start-up.
func init() {
	for _, e := range []*Error{
		ErrNotSignedIn, ErrSignedIn, ErrIdentityChanged, ErrClosed, ErrNetwork, ErrOffline,
		ErrUnknownConversation, ErrUnknownMessage, ErrTextTooLong, ErrBadContent, ErrCorruptState,
		ErrStorage, ErrFileTampered, ErrFileIncomplete, ErrFileTooLarge, ErrTooManyTransfers,
		ErrNotAFile, ErrBadArgument, ErrUnknownMethod,
	} {
		e.Message = e.Code.Message()
	}
}

// causes maps errors of the packages under the client to the API's
// errors, so that every error that reaches a page has a code from the
// table in wire.
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
		return string(ce.Code)
	}
	var we *wire.Error
	if errors.As(err, &we) {
		return string(we.Code)
	}
	switch {
	case errors.Is(err, context.Canceled):
		return string(wire.CodeCanceled)
	case errors.Is(err, context.DeadlineExceeded):
		return string(wire.CodeTimeout)
	}
	return string(wire.CodeInternal)
}
