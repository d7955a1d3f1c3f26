//go:build !js

package blob

import (
	"net/http"
	"strconv"

	"sambung/wire"
)

// Error codes of the blob endpoints. They are not in wire's table yet
// (wire is not this package's to edit): until they are, status below gives
// their HTTP status, and wire.Code.Status would say 500 for them.
const (
	// CodeUnknownBlob: no blob has this id (never made, deleted or swept).
	CodeUnknownBlob wire.Code = "unknown_blob"
	// CodeBlobExpired: the blob expired and waits for the sweeper.
	CodeBlobExpired wire.Code = "blob_expired"
	// CodeBlobTooLarge: the declared size is over the per-blob cap.
	CodeBlobTooLarge wire.Code = "blob_too_large"
	// CodeQuotaExceeded: the person's blobs would exceed their byte or
	// count quota.
	CodeQuotaExceeded wire.Code = "quota_exceeded"
	// CodeBlobIncomplete: a download of a blob whose upload has not
	// finished.
	CodeBlobIncomplete wire.Code = "blob_incomplete"
	// CodeOffsetMismatch: a PATCH's Upload-Offset is not the blob's
	// durable offset, sent back in the Upload-Offset header.
	CodeOffsetMismatch wire.Code = "offset_mismatch"
	// CodeUploadBusy: another PATCH of the same upload is still running.
	CodeUploadBusy wire.Code = "upload_busy"
	// CodeNotUploader: only the device that created an upload may PATCH it,
	// and only its person may delete it.
	CodeNotUploader wire.Code = "not_uploader"
	// CodeRangeNotSatisfiable: no range of the Range header overlaps the
	// blob; Content-Range carries its size.
	CodeRangeNotSatisfiable wire.Code = "range_not_satisfiable"
)

// codes is this package's part of the one table of coded errors.
var codes = map[wire.Code]struct {
	status  int
	message string
}{
	CodeUnknownBlob:         {http.StatusNotFound, "no such blob"},
	CodeBlobExpired:         {http.StatusGone, "the blob has expired"},
	CodeBlobTooLarge:        {http.StatusRequestEntityTooLarge, "the blob is larger than the relay accepts"},
	CodeQuotaExceeded:       {http.StatusForbidden, "this person's blobs would exceed their quota; delete some or wait for expiry"},
	CodeBlobIncomplete:      {http.StatusConflict, "the blob's upload has not finished"},
	CodeOffsetMismatch:      {http.StatusConflict, "Upload-Offset is not the blob's current offset; see the Upload-Offset header"},
	CodeUploadBusy:          {http.StatusConflict, "another request is writing this upload; retry after retryAfter seconds"},
	CodeNotUploader:         {http.StatusForbidden, "only the uploading device may write this blob"},
	CodeRangeNotSatisfiable: {http.StatusRequestedRangeNotSatisfiable, "no range overlaps the blob"},
}

// newError returns an Error with one of this package's codes and its
// default message.
func newError(c wire.Code) *wire.Error {
	if i, ok := codes[c]; ok {
		return wire.ErrorWith(c, i.message)
	}
	return wire.NewError(c)
}

// status is the HTTP status of any code, this package's or wire's.
func status(c wire.Code) int {
	if i, ok := codes[c]; ok {
		return i.status
	}
	return c.Status()
}

// Sentinels. errors.Is matches any *wire.Error with the same code.
var (
	ErrUnknownBlob    = newError(CodeUnknownBlob)
	ErrBlobExpired    = newError(CodeBlobExpired)
	ErrBlobTooLarge   = newError(CodeBlobTooLarge)
	ErrQuotaExceeded  = newError(CodeQuotaExceeded)
	ErrBlobIncomplete = newError(CodeBlobIncomplete)
	ErrOffsetMismatch = newError(CodeOffsetMismatch)
	ErrUploadBusy     = newError(CodeUploadBusy)
	ErrNotUploader    = newError(CodeNotUploader)
	ErrClosed         = wire.ErrorWith(wire.CodeUnavailable, "the blob store is closed")
	errUnauthorized   = wire.NewError(wire.CodeUnauthorized)
)

// Codes returns this package's error codes, for documentation and tests.
func Codes() []wire.Code {
	out := make([]wire.Code, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	return out
}

// Status returns the HTTP status of c, including this package's codes, so
// the relay's error handler can answer them until wire's table has them.
func Status(c wire.Code) int { return status(c) }

func retryAfter(e *wire.Error, seconds int) *wire.Error {
	c := *e
	c.RetryAfter = seconds
	return &c
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var errSizeRange = wire.ErrorWith(wire.CodeBadRequest, "size must be a whole number of bytes from 1")

func errTooLarge(limit int64) *wire.Error {
	return wire.ErrorWith(CodeBlobTooLarge, "a blob is at most "+itoa(limit)+" bytes")
}

func quotaError(message string) *wire.Error { return wire.ErrorWith(CodeQuotaExceeded, message) }
