package client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"sambung/wire"
)

// call makes one JSON request to the relay. auth adds this device's token.
// A relay error comes back as its *wire.Error; a transport failure as
// ErrNetwork.
func (c *Client) call(ctx context.Context, method, path string, auth bool, req, resp any) error {
	var body []byte
	if req != nil {
		var err error
		if body, err = json.Marshal(req); err != nil {
			return err
		}
	}
	token := ""
	if auth {
		c.mu.Lock()
		if c.acct != nil {
			token = base64.StdEncoding.EncodeToString(c.acct.Token)
		}
		c.mu.Unlock()
		if token == "" {
			return ErrNotSignedIn
		}
	}
	status, b, err := c.cfg.HTTP.Do(ctx, method, path, token, body)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return ErrNetwork.with(err)
	}
	if status < 200 || status > 299 {
		return relayError(status, b)
	}
	if resp != nil {
		if err := json.Unmarshal(b, resp); err != nil {
			return &wire.Error{Code: wire.CodeInternal, Message: "the relay's answer does not decode"}
		}
	}
	return nil
}

// relayError decodes a relay error body; a body that is not one (a proxy's
// page) becomes an error with a code for its status.
func relayError(status int, b []byte) error {
	var e wire.Error
	if json.Unmarshal(b, &e) == nil && e.Code != "" {
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
	return template[:i] + url.PathEscape(value) + template[j+1:]
}
