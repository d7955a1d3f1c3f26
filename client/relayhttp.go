package client

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"sambung/internal/jsonw"
	"sambung/wire"
)

// call makes one JSON request to the relay. auth adds this device's token.
// A relay error comes back as its *wire.Error; a transport failure as
// ErrNetwork.
func (c *Client) call(ctx context.Context, method, path string, auth bool, req, resp any) error {
	b, err := c.request(ctx, method, path, auth, req)
	if err != nil {
		return err
	}
	if resp != nil {
		if err := jsonw.Unmarshal(b, resp); err != nil {
			return &wire.Error{Code: wire.CodeInternal, Message: "the relay's answer does not decode"}
		}
	}
	return nil
}

// request is call without decoding: it returns the answer's body.
func (c *Client) request(ctx context.Context, method, path string, auth bool, req any) ([]byte, error) {
	var body []byte
	if req != nil {
		body = jsonw.Marshal(req)
	}
	token := ""
	if auth {
		c.mu.Lock()
		if c.acct != nil {
			token = base64.StdEncoding.EncodeToString(c.acct.Token)
		}
		c.mu.Unlock()
		if token == "" {
			return nil, ErrNotSignedIn
		}
	}
	status, b, err := c.cfg.HTTP.Do(ctx, method, path, token, body)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ErrNetwork.with(err)
	}
	if status < 200 || status > 299 {
		return nil, relayError(status, b)
	}
	return b, nil
}

// relayError decodes a relay error body; a body that is not one (a proxy's
// page) becomes an error with a code for its status.
func relayError(status int, b []byte) error {
	var e wire.Error
	if jsonw.Unmarshal(b, &e) == nil && e.Code != "" {
		return &e
	}
	code := wire.CodeInternal
	switch {
	case status == 429:
		code = wire.CodeRateLimited
	case status == 401:
		code = wire.CodeUnauthorized
	case status >= 500:
		code = wire.CodeUnavailable
	}
	return &wire.Error{Code: code, Message: "HTTP " + strconv.Itoa(status)}
}

// pathParam fills the one {name} parameter of a wire path template.
func pathParam(template, value string) string {
	i := strings.IndexByte(template, '{')
	j := strings.IndexByte(template, '}')
	return template[:i] + pathEscape(value) + template[j+1:]
}

// pathEscape escapes s for one path segment as url.PathEscape does (a
// test holds the two equal), without linking net/url, which brings fmt
// and reflect into the wasm module.
func pathEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.~$&+:=@", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&0xf])
	}
	return b.String()
}
