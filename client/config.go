package client

import (
	"io"
	"time"
)

// Config says how a Client reaches the relay and where it keeps its state.
type Config struct {
	HTTP    HTTP    // required
	Dialer  Dialer  // required for Connect
	Storage Storage // required

	Rand io.Reader        // nil: crypto/rand
	Now  func() time.Time // nil: time.Now
	// OnEvent receives every Event, in order, from one goroutine of the
	// client. It must not block long; it may call the Client.
	OnEvent func(Event)
	// DeviceName is shown in the person's device list (at most 64 bytes).
	DeviceName string

	// MinBackoff and MaxBackoff bound the jittered exponential backoff of
	// reconnects and resends. Zero: defaultMinBackoff, defaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// PingInterval is how often an idle connection is probed; a connection
	// silent for two intervals is dropped. Zero: defaultPingInterval.
	PingInterval time.Duration
}

// settings is Config as the client keeps it. It has no time.Time in it:
// a crypto.Store made of a tx reaches the client's fields, and through
// them a time.Time would bring its formatting into the wasm module.
type settings struct {
	HTTP                                 HTTP
	Dialer                               Dialer
	Storage                              Storage
	Rand                                 io.Reader
	DeviceName                           string
	MinBackoff, MaxBackoff, PingInterval time.Duration
}

const (
	// defaultMinBackoff is the first reconnect delay: short enough that a
	// relay restart is invisible, long enough not to spin.
	defaultMinBackoff = 500 * time.Millisecond
	// defaultMaxBackoff caps the delay, so a device comes back within half a
	// minute of the relay, yet a thousand clients do not hammer it.
	defaultMaxBackoff = 30 * time.Second
	// defaultPingInterval keeps NATs and proxies (often 60 s idle timeouts)
	// from dropping the websocket and notices a dead one within a minute.
	defaultPingInterval = 25 * time.Second
)
