//go:build !js

// Package httpjson reads request bodies and writes answers with the
// generated jsonw codecs, for the relay's API and its blob store alike.
// Errors it returns are *wire.Error values for the relay's handleError.
package httpjson

import (
	"errors"
	"io"
	"net/http"

	"sambung/internal/jsonw"
	"sambung/wire"
)

// Read reads a request body of at most limit bytes into v, any value
// jsonw.Unmarshal takes. A longer body
// is body_too_large, a *wire.Error from a member's own decoder (an Address
// that did not parse) is returned as it is, and any other failure is
// bad_request with the message badShape, which says what was expected.
func Read(w http.ResponseWriter, r *http.Request, limit int64, v any, badShape string) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err == nil {
		err = jsonw.Unmarshal(b, v)
	}
	if err == nil {
		return nil
	}
	var mbe *http.MaxBytesError
	var we *wire.Error
	switch {
	case errors.As(err, &mbe):
		return wire.NewError(wire.CodeBodyTooLarge)
	case errors.As(err, &we):
		return we
	}
	return wire.ErrorWith(wire.CodeBadRequest, badShape)
}

// Write answers with status and v (any value jsonw.Marshal takes) as JSON, ending in a newline as
// encoding/json's Encoder wrote it.
func Write(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err := w.Write(append(jsonw.Marshal(v), '\n'))
	return err
}
