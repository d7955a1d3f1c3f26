package client

import "context"

// HTTP is one JSON request and response to the relay. path is like
// "/v1/lookup/phone:+6281234567890"; token is the device token in its raw
// bytes' base64 form, "" for none. A non-2xx status is not an error of Do:
// the client decodes the relay's error body itself. err is for transport
// failures only (no connection, timeout).
type HTTP interface {
	Do(ctx context.Context, method, path, token string, body []byte) (status int, resp []byte, err error)
}

// Dialer opens the relay's websocket (/v1/ws).
type Dialer interface {
	Dial(ctx context.Context) (Conn, error)
}

// Conn is a message-oriented websocket: one text frame is one []byte.
// Write may be called while a Read is blocked; the client never calls
// Write from two goroutines at once, nor Read.
type Conn interface {
	Read(ctx context.Context) ([]byte, error)
	Write(ctx context.Context, frame []byte) error
	Close() error
}
