//go:build !js

package blob

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"sambung/relay/internal/httpjson"
	"sambung/wire"
)

// maxCreateBody bounds a POST body: it holds one number.
const maxCreateBody = 1 << 10

// The relay's own record (meta.go) has a generated jsonw codec, as the
// wire types do.
//
//go:generate go run sambung/internal/jsonw/gen
//jsonw:codec meta

var (
	errBadID          = wire.ErrorWith(wire.CodeBadRequest, "a blob id is 32 lowercase hex digits")
	errBadOffsetValue = wire.ErrorWith(wire.CodeBadRequest, "Upload-Offset must be a non-negative decimal integer")
	errBadContentType = wire.ErrorWith(wire.CodeBadRequest, "a PATCH body must be "+wire.ContentTypeOffset)
	errMethod         = wire.NewError(wire.CodeMethodNotAllowed)
	errNoSuchPath     = wire.NewError(wire.CodeNotFound)
)

// Serve answers the blob endpoints under wire.PathBlobs. It writes no
// error response: it returns the error for the relay's handleError, which
// writes every error of the relay in one shape.
func (s *Store) Serve(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	rest, ok := strings.CutPrefix(r.URL.Path, wire.PathBlobs)
	if !ok {
		return errNoSuchPath
	}
	if rest == "" || rest == "/" {
		if r.Method != http.MethodPost {
			return errMethod
		}
		return s.handleCreate(w, r)
	}
	id, ok := strings.CutPrefix(rest, "/")
	if !ok || strings.Contains(id, "/") {
		return errNoSuchPath
	}
	var h func(http.ResponseWriter, *http.Request, string) error
	switch r.Method {
	case http.MethodHead:
		h = s.handleHead
	case http.MethodPatch:
		h = s.handlePatch
	case http.MethodGet:
		h = s.handleGet
	case http.MethodDelete:
		h = s.handleDelete
	default:
		return errMethod
	}
	return h(w, r, id)
}

// authenticate asks the relay's Authenticator who is calling.
func (s *Store) authenticate(r *http.Request) (string, uint32, error) {
	person, device, err := s.cfg.Authenticate(r)
	if err != nil {
		return "", 0, err
	}
	if person == "" {
		return "", 0, errUnauthorized
	}
	if len(person) > maxPersonLen {
		// A record could not hold it; the relay's person ids are 26
		// characters, so this is a fault of the Authenticator.
		return "", 0, errors.New("blob: Authenticate returned a person id longer than 64 bytes")
	}
	return person, device, nil
}

// find authenticates the caller and looks the blob up.
func (s *Store) find(r *http.Request, id string) (string, uint32, *entry, meta, error) {
	person, device, err := s.authenticate(r)
	if err != nil {
		return "", 0, nil, meta{}, err
	}
	if !validID(id) {
		return "", 0, nil, meta{}, errBadID
	}
	e, m, err := s.lookup(id)
	return person, device, e, m, err
}

// handleCreate is POST /v1/blobs {size}: reserve quota, make the upload.
func (s *Store) handleCreate(w http.ResponseWriter, r *http.Request) error {
	person, device, err := s.authenticate(r)
	if err != nil {
		return err
	}
	var req wire.CreateRequest
	if err := httpjson.Read(w, r, maxCreateBody, &req, `the body must be {"size": <bytes>}`); err != nil {
		return err
	}
	id, err := s.create(person, device, req.Size)
	if err != nil {
		return err
	}
	w.Header().Set("Location", wire.PathBlobs+"/"+id)
	w.Header().Set(wire.HeaderUploadOffset, "0")
	w.Header().Set(wire.HeaderUploadLength, itoa(req.Size))
	return httpjson.Write(w, http.StatusCreated, &wire.CreateResponse{ID: id, Size: req.Size})
}

// handleHead is HEAD /v1/blobs/{id}: the durable offset and the size.
func (s *Store) handleHead(w http.ResponseWriter, r *http.Request, id string) error {
	_, _, _, m, err := s.find(r, id)
	if err != nil {
		return err
	}
	if m.expired(s.cfg.Now()) {
		return ErrBlobExpired
	}
	setUploadHeaders(w, m)
	w.WriteHeader(http.StatusOK)
	return nil
}

func setUploadHeaders(w http.ResponseWriter, m meta) {
	h := w.Header()
	h.Set(wire.HeaderUploadOffset, itoa(m.Offset))
	h.Set(wire.HeaderUploadLength, itoa(m.Size))
	if m.complete() {
		h.Set(wire.HeaderBlobExpires, itoa(m.Expires))
	}
}

// handlePatch is PATCH /v1/blobs/{id}: append the body at Upload-Offset.
func (s *Store) handlePatch(w http.ResponseWriter, r *http.Request, id string) error {
	person, device, e, _, err := s.find(r, id)
	if err != nil {
		return err
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != wire.ContentTypeOffset {
		return errBadContentType
	}
	offset, err := parseOffset(r.Header.Get(wire.HeaderUploadOffset))
	if err != nil {
		return errBadOffsetValue
	}
	next, err := s.appendBytes(r.Context(), e, person, device, offset, r.Body, r.ContentLength)
	if next >= 0 {
		w.Header().Set(wire.HeaderUploadOffset, itoa(next))
	}
	if err != nil {
		return err
	}
	if _, m, lerr := s.lookup(id); lerr == nil && m.complete() {
		w.Header().Set(wire.HeaderBlobExpires, itoa(m.Expires))
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleGet is GET /v1/blobs/{id}: the bytes of a completed blob, with
// Range support, to any authenticated device.
func (s *Store) handleGet(w http.ResponseWriter, r *http.Request, id string) error {
	_, _, _, m, err := s.find(r, id)
	if err != nil {
		return err
	}
	if !m.complete() {
		return ErrBlobIncomplete
	}
	if m.expired(s.cfg.Now()) {
		return ErrBlobExpired
	}
	// Answer a bad Range in JSON like every other error; good ones are
	// left to http.ServeContent. With If-Range a Range that fits nothing
	// may yet be ignored (a changed ETag), which ServeContent decides; a
	// malformed one or too many ranges are refused either way.
	if h := r.Header.Get("Range"); h != "" {
		if _, err := parseRanges(h, m.Size); errors.Is(err, errBadRange) ||
			(err != nil && r.Header.Get("If-Range") == "") {
			w.Header().Set("Content-Range", "bytes */"+itoa(m.Size))
			return wire.NewError(wire.CodeRangeNotSatisfiable)
		}
	}
	f, err := os.Open(s.blobPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return ErrUnknownBlob // swept between the lookup and here
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("ETag", `"`+id+`"`) // blobs never change: the id is the version
	h.Set(wire.HeaderBlobExpires, itoa(m.Expires))
	http.ServeContent(&countingWriter{w, &s.bytesOut}, r, "", time.UnixMilli(m.Completed), f)
	return nil
}

// handleDelete is DELETE /v1/blobs/{id}: any device of the owner removes
// the blob (a cancelled upload, a retracted file) and frees its quota.
func (s *Store) handleDelete(w http.ResponseWriter, r *http.Request, id string) error {
	person, _, e, m, err := s.find(r, id)
	if err != nil {
		return err
	}
	if m.Person != person {
		return ErrNotUploader
	}
	if err := acquire(r.Context(), e, s.cfg.BusyWait); err != nil {
		return err
	}
	defer func() { <-e.lock }()
	s.remove(e)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// countingWriter counts the bytes of a download. It keeps ReadFrom, so
// http.ServeContent still sends the file with sendfile.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	n, err := io.Copy(c.ResponseWriter, r)
	c.n.Add(n)
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
