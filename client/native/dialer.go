//go:build !js

package native

import (
	"context"
	"strings"

	"github.com/coder/websocket"

	"sambung/client"
	"sambung/wire"
)

// Dialer is client.Dialer over coder/websocket.
type Dialer struct {
	URL string // e.g. "ws://127.0.0.1:8080/v1/ws"
}

var _ client.Dialer = (*Dialer)(nil)

// NewDialer returns a Dialer for the relay whose HTTP origin is base.
func NewDialer(base string) *Dialer {
	u := strings.TrimRight(base, "/")
	if rest, ok := strings.CutPrefix(u, "http"); ok {
		u = "ws" + rest // http → ws, https → wss
	}
	return &Dialer{URL: u + wire.PathWebSocket}
}

// Dial implements client.Dialer.
func (d *Dialer) Dial(ctx context.Context) (client.Conn, error) {
	ws, _, err := websocket.Dial(ctx, d.URL, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(wire.MaxFrameSize)
	return &conn{ws: ws}, nil
}

type conn struct{ ws *websocket.Conn }

func (c *conn) Read(ctx context.Context) ([]byte, error) {
	_, b, err := c.ws.Read(ctx)
	return b, err
}

func (c *conn) Write(ctx context.Context, frame []byte) error {
	return c.ws.Write(ctx, websocket.MessageText, frame)
}

// Close drops the connection at once: the client calls it while holding
// its lock, so it must not wait for the peer's close handshake.
func (c *conn) Close() error { return c.ws.CloseNow() }
