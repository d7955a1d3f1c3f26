//go:build !js

package blob

import (
	"strconv"

	"sambung/wire"
)

// Sentinels of the blob codes, which live in wire's one table of coded
// errors. errors.Is matches any *wire.Error with the same code.
var (
	ErrUnknownBlob    = wire.NewError(wire.CodeUnknownBlob)
	ErrBlobExpired    = wire.NewError(wire.CodeBlobExpired)
	ErrBlobTooLarge   = wire.NewError(wire.CodeBlobTooLarge)
	ErrQuotaExceeded  = wire.NewError(wire.CodeQuotaExceeded)
	ErrBlobIncomplete = wire.NewError(wire.CodeBlobIncomplete)
	ErrOffsetMismatch = wire.NewError(wire.CodeOffsetMismatch)
	ErrUploadBusy     = wire.NewError(wire.CodeUploadBusy)
	ErrNotUploader    = wire.NewError(wire.CodeNotUploader)
	ErrClosed         = wire.ErrorWith(wire.CodeUnavailable, "the blob store is closed")
	ErrStorageFull    = wire.ErrorWith(wire.CodeStorageFull, "the relay holds the most blob bytes it allows in all; retry later")
	errUnauthorized   = wire.NewError(wire.CodeUnauthorized)
)

func retryAfter(e *wire.Error, seconds int) *wire.Error {
	c := *e
	c.RetryAfter = seconds
	return &c
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var errSizeRange = wire.ErrorWith(wire.CodeBadRequest, "size must be a whole number of bytes from 1")

func errTooLarge(limit int64) *wire.Error {
	return wire.ErrorWith(wire.CodeBlobTooLarge, "a blob is at most "+itoa(limit)+" bytes")
}

func quotaError(message string) *wire.Error { return wire.ErrorWith(wire.CodeQuotaExceeded, message) }
