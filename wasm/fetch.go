//go:build js && wasm

package main

import (
	"context"
	"errors"
	"syscall/js"

	"sambung/client"
	"sambung/wire"
)

// maxResponse bounds a relay response body. The relay's answers are a few
// KB (a lookup of 8 devices); the cap, the same as the native client's,
// stops a wrong server from filling the worker's memory.
const maxResponse = wire.MaxFrameSize

var errResponseTooLarge = errors.New("wasm: relay response too large")

// fetchHTTP is client.HTTP over the browser's fetch. net/http would do the
// same through fetch, but it would add about 1.6 MB to the module.
type fetchHTTP struct {
	base string // the relay origin, e.g. "https://relay.example"; no trailing slash
}

var _ client.HTTP = fetchHTTP{}

// Do implements client.HTTP. A failed fetch (no network, refused, CORS) is
// an error wrapping client.ErrNetwork; any HTTP status is a result.
func (h fetchHTTP) Do(ctx context.Context, method, path, token string, body []byte) (int, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	headers := js.Global().Get("Object").New()
	if token != "" {
		headers.Set("Authorization", wire.AuthScheme+" "+token)
	}
	init := js.Global().Get("Object").New()
	init.Set("method", method)
	init.Set("headers", headers)
	// The token is the only credential; cookies and caches play no part.
	init.Set("credentials", "omit")
	init.Set("cache", "no-store")
	init.Set("redirect", "error")
	if body != nil {
		headers.Set("Content-Type", "application/json")
		init.Set("body", bytesToJS(body))
	}
	abort := js.Global().Get("AbortController").New()
	init.Set("signal", abort.Get("signal"))
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			abort.Call("abort")
		case <-done:
		}
	}()

	var pending js.Value
	if err := catch(func() { pending = js.Global().Call("fetch", h.base+path, init) }); err != nil {
		return 0, nil, networkError(ctx, err)
	}
	resp, err := await(ctx, pending)
	if err != nil {
		return 0, nil, networkError(ctx, err)
	}
	status := resp.Get("status").Int()
	buf, err := await(ctx, resp.Call("arrayBuffer"))
	if err != nil {
		return 0, nil, networkError(ctx, err)
	}
	if buf.Get("byteLength").Int() > maxResponse {
		return 0, nil, errResponseTooLarge
	}
	out, err := bytesFromJS(buf)
	if err != nil {
		return 0, nil, err
	}
	return status, out, nil
}

// networkError returns ctx's error when ctx ended (fetch reports an abort
// as an AbortError), else err marked as client.ErrNetwork.
func networkError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &networkErr{err}
}

// networkErr is a transport failure. It unwraps to client.ErrNetwork and
// its cause, so errors.Is(err, client.ErrNetwork) holds and
// client.ErrorCode gives "network".
type networkErr struct{ cause error }

func (e *networkErr) Error() string   { return "the relay cannot be reached: " + e.cause.Error() }
func (e *networkErr) Unwrap() []error { return []error{client.ErrNetwork, e.cause} }
