//go:build !js

package relay

import (
	"net/http"

	"sambung/relay/blob"
)

// openBlobs opens the attachment store in cfg.BlobDir. Its requests are
// authenticated with the same bearer tokens as the rest of the API.
func (s *Server) openBlobs() (*blob.Store, error) {
	return blob.New(blob.Config{
		Dir:          s.cfg.BlobDir,
		Logger:       s.log,
		Now:          s.cfg.Now,
		Authenticate: s.blobDevice,
		MaxSize:      s.cfg.BlobMaxSize,
		Quota:        s.cfg.BlobQuota,
		TTL:          s.cfg.BlobTTL,
		TotalQuota:   s.cfg.BlobTotalQuota,
		Space:        func(n int64) error { return s.disk.room(n) },
	})
}

// blobDevice is the blob store's Authenticator. The store returns its
// error to handleError, which codes a store fault as for any handler.
func (s *Server) blobDevice(r *http.Request) (string, uint32, error) {
	d, err := s.bearer(r)
	if err != nil {
		return "", 0, err
	}
	return d.person, d.id, nil
}
