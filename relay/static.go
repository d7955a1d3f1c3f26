//go:build !js

package relay

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"sambung/wire"
)

// placeholderPage is served when the relay has no web page (Config.Static
// is nil): enough to show the relay is up.
const placeholderPage = `<!doctype html>
<meta charset="utf-8">
<title>Sambung relay</title>
<p>The Sambung relay is running. The web client is not built into this binary.
`

// handleStatic serves the web page from Config.Static. A file X is sent as
// X.br with Content-Encoding: br when that exists and the client accepts
// br: the wasm module ships precompressed.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.handleError(w, r, wire.NewError(wire.CodeMethodNotAllowed))
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if s.cfg.Static == nil {
		if name != "" && name != "index.html" {
			s.handleError(w, r, errNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, placeholderPage)
		return
	}
	if name == "" {
		name = "index.html"
	}
	if st, err := fs.Stat(s.cfg.Static, name); err == nil && st.IsDir() {
		name = path.Join(name, "index.html")
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	w.Header().Add("Vary", "Accept-Encoding")
	if acceptsBrotli(r) {
		if s.serveFile(w, r, name+".br", ctype, "br") {
			return
		}
	}
	if !s.serveFile(w, r, name, ctype, "") {
		s.handleError(w, r, errNotFound)
	}
}

// serveFile answers with one file of the static FS, reporting false when
// it does not exist.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name, ctype, encoding string) bool {
	f, err := s.cfg.Static.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return false
	}
	content, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return false
		}
		content = bytes.NewReader(b)
	}
	w.Header().Set("Content-Type", ctype)
	if encoding != "" {
		w.Header().Set("Content-Encoding", encoding)
	}
	// Embedded files have no modification time, so without a validator a
	// browser would fetch the whole wasm module on every load. A hash of
	// the content is a strong ETag that ServeContent checks against
	// If-None-Match; no-cache makes the browser revalidate each time, so a
	// new build is picked up at once.
	if st.ModTime().IsZero() {
		tag, err := s.etag(name, content)
		if err != nil {
			return false
		}
		w.Header().Set("ETag", tag)
		w.Header().Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, "", st.ModTime(), content)
	return true
}

// etag returns the quoted SHA-256 prefix of a static file, hashing it once:
// the files of an embedded FS never change while the relay runs.
func (s *Server) etag(name string, content io.ReadSeeker) (string, error) {
	if tag, ok := s.etags.Load(name); ok {
		return tag.(string), nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, content); err != nil {
		return "", err
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tag := `"` + hex.EncodeToString(h.Sum(nil)[:16]) + `"`
	s.etags.Store(name, tag)
	return tag, nil
}

// acceptsBrotli reports whether Accept-Encoding lists br with a non-zero q.
func acceptsBrotli(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "br") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
