//go:build !js

package relay

import (
	"net"
	"net/http"
	"net/netip"
	"sync"

	"sambung/wire"
)

// Sockets before authentication. A websocket costs the relay memory from
// the moment it is accepted: the HTTP connection's buffers, a goroutine,
// and whatever the first frame holds. Until the auth frame has proved a
// device, that memory is bounded three ways: the first frame may be at
// most wire.MaxAuthFrame bytes (ws.go sets the read limit), the socket
// has AuthTimeout to send it, and the gate below caps how many such
// sockets exist at once, in all and per source address.

// gate counts unauthenticated websockets globally and per address.
type gate struct {
	max, perAddr int
	metrics      *metrics
	mu           sync.Mutex
	total        int
	byAddr       map[string]int
}

func newGate(max, perAddr int, m *metrics) *gate {
	return &gate{max: max, perAddr: perAddr, metrics: m, byAddr: make(map[string]int)}
}

// enter admits one more unauthenticated socket from addr, or refuses it:
// unavailable when the relay holds the most it allows in all, rate_limited
// when addr holds its share. Either way the client retries after the auth
// deadline, by which time every socket counted now has authenticated or
// been closed.
func (g *gate) enter(addr string, retry int) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var e *wire.Error
	switch {
	case g.total >= g.max:
		e = wire.ErrorWith(wire.CodeUnavailable, "the relay has too many connections waiting to authenticate; retry after retryAfter seconds")
	case g.byAddr[addr] >= g.perAddr:
		e = wire.ErrorWith(wire.CodeRateLimited, "too many connections from this address are waiting to authenticate; retry after retryAfter seconds")
	default:
		g.total++
		g.byAddr[addr]++
		g.metrics.unauthenticated.Add(1)
		return nil
	}
	g.metrics.unauthRefused.Add(1)
	e.RetryAfter = retry
	return e
}

// leave forgets one socket of addr that enter admitted.
func (g *gate) leave(addr string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.total--
	if n := g.byAddr[addr] - 1; n > 0 {
		g.byAddr[addr] = n
	} else {
		delete(g.byAddr, addr)
	}
	g.metrics.unauthenticated.Add(-1)
}

// addrKey is the source a per-address limit counts: the TCP peer's IPv4
// address, or the /64 of its IPv6 address, since one IPv6 host is
// commonly given a whole /64 and could otherwise pick a fresh address for
// every request. The relay does not trust forwarding headers.
func addrKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
