//go:build !js

package native

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"sambung/client"
	"sambung/wire"
)

// httpTimeout bounds one request: every relay call is small, and a stuck
// one must not hold a sign-in forever.
const httpTimeout = 30 * time.Second

// HTTP is client.HTTP over net/http.
type HTTP struct {
	Base   string       // the relay's origin, e.g. "http://127.0.0.1:8080"
	Client *http.Client // nil: one with httpTimeout
}

var _ client.HTTP = (*HTTP)(nil)

// NewHTTP returns an HTTP for the relay at base.
func NewHTTP(base string) *HTTP {
	return &HTTP{Base: strings.TrimRight(base, "/"), Client: &http.Client{Timeout: httpTimeout}}
}

// Do implements client.HTTP.
func (h *HTTP) Do(ctx context.Context, method, path, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.Base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", wire.AuthScheme+" "+token)
	}
	hc := h.Client
	if hc == nil {
		hc = &http.Client{Timeout: httpTimeout}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	// The relay's answers are small; the cap keeps a wrong server from
	// filling memory.
	b, err := io.ReadAll(io.LimitReader(resp.Body, wire.MaxFrameSize))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}
