//go:build !js

package turn

import (
	"cmp"
	"log/slog"
	"time"
)

// Defaults. Each is a Config field; zero means the default.
const (
	// DefaultListen is the standard STUN/TURN port (RFC 8489, RFC 8656) on
	// every interface.
	DefaultListen = ":3478"
	// DefaultRealm is the realm of the long-term credentials.
	DefaultRealm = "sambung"
	// DefaultTTL is how long a minted credential may start allocations.
	// Ten minutes covers fetching it, ringing (a call rings for at most a
	// minute) and ICE, with room for a slow answer; a client fetches a
	// fresh one for every call. A leaked credential is worth little after
	// that, and the device token that minted it is the real secret.
	DefaultTTL = 10 * time.Minute
	// DefaultRefreshGrace is how long past its expiry a credential keeps
	// the allocations it made alive (Refresh, CreatePermission,
	// ChannelBind from the same client address): a call that started
	// with a fresh credential is not cut when the credential expires.
	// Twelve hours is longer than any real call; it only bounds one
	// credential's use, and a longer call loses its relay path at most
	// one allocation lifetime (10 minutes) later.
	DefaultRefreshGrace = 12 * time.Hour
	// DefaultMaxAllocations caps the live allocations of one credential.
	// A browser makes one per TURN URL and local interface for a call
	// (two URLs here, so 2 to 4), and an ICE restart makes new ones
	// before the old ones expire: 16 is ample, and stops one credential
	// from opening a relay socket per port.
	DefaultMaxAllocations = 16
)

// Config configures the built-in STUN/TURN server. The zero value of every
// field but Enabled and RelayIP means its default.
type Config struct {
	// Enabled starts the server with the relay; false leaves it off and
	// /v1/ice-servers offers only the external servers.
	Enabled bool
	// Listen is the address the server listens on, UDP and TCP on the same
	// port ("127.0.0.1:0" picks a free one; default ":3478").
	Listen string
	// NoTCP turns off the TCP listener: TURN over TCP gets through
	// networks that block UDP, at the cost of one more socket.
	NoTCP bool
	// RelayIP is the IP clients and peers reach the server at: it goes
	// into the URLs handed to clients and into every relayed address.
	// With Listen on all interfaces it must be set; otherwise it defaults
	// to Listen's host.
	RelayIP string
	// Realm is the long-term credential realm (default "sambung").
	Realm string
	// TTL is how long a credential may start allocations (default 10
	// minutes).
	TTL time.Duration
	// RefreshGrace is how long after its expiry a credential keeps its own
	// allocations alive (default 12 hours).
	RefreshGrace time.Duration
	// MaxAllocations caps the live allocations per credential (default 16).
	MaxAllocations int
	// Logger gets the server's log; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock of credential expiry; tests inject one.
	Now func() time.Time
}

func (c *Config) setDefaults() {
	c.Listen = cmp.Or(c.Listen, DefaultListen)
	c.Realm = cmp.Or(c.Realm, DefaultRealm)
	c.TTL = cmp.Or(c.TTL, DefaultTTL)
	c.RefreshGrace = cmp.Or(c.RefreshGrace, DefaultRefreshGrace)
	c.MaxAllocations = cmp.Or(c.MaxAllocations, DefaultMaxAllocations)
	c.Logger = cmp.Or(c.Logger, slog.Default())
	if c.Now == nil {
		c.Now = time.Now
	}
}
