//go:build !js

package relay

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"sambung/relay/internal/httpjson"
	"sambung/relay/store"
	"sambung/wire"
)

// storeErrors maps the store errors that mean the same on every endpoint.
// Errors whose meaning depends on the endpoint (store.ErrNotFound,
// store.ErrTaken) are mapped by the handlers.
var storeErrors = []struct {
	err  error
	code wire.Code
}{
	{store.ErrTooManyDevices, wire.CodeTooManyDevices},
	{store.ErrTooManyPreKeys, wire.CodeTooManyPreKeys},
	{store.ErrUnknownDevice, wire.CodeUnknownDevice},
	{store.ErrMailboxFull, wire.CodeMailboxFull},
	{store.ErrAlreadyLinked, wire.CodeAlreadyLinked},
	{store.ErrNotLinked, wire.CodeNotLinked},
	{store.ErrLastIdentity, wire.CodeLastIdentity},
	{store.ErrClosed, wire.CodeUnavailable},
	{context.Canceled, wire.CodeUnavailable},
	{context.DeadlineExceeded, wire.CodeUnavailable},
}

// toWire turns any error into a coded one. Uncoded errors are relay faults:
// they are logged here and reach the client only as "internal".
func (s *Server) toWire(err error) *wire.Error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	for _, m := range storeErrors {
		if errors.Is(err, m.err) {
			return wire.NewError(m.code)
		}
	}
	s.log.Error("internal error", "err", err)
	return wire.NewError(wire.CodeInternal)
}

// handleError is the one place an HTTP error response is written.
func (s *Server) handleError(w http.ResponseWriter, r *http.Request, err error) {
	we := s.toWire(err)
	if we.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(we.RetryAfter))
	}
	httpjson.Write(w, we.Code.Status(), we)
}

var (
	errUnauthorized = wire.NewError(wire.CodeUnauthorized)
	errNotFound     = wire.NewError(wire.CodeNotFound)
)
