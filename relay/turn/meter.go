//go:build !js

package turn

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync/atomic"
)

// meter counts the bytes that cross the relay sockets, the ones pion opens
// for allocations to talk to peers. Counting there, not on the listening
// socket, counts media alone: no STUN requests, no TURN framing.
type meter struct {
	in      atomic.Int64 // from peers
	out     atomic.Int64 // to peers
	refused atomic.Int64 // requests refused for their credential
}

// meteredConn is a relay socket that counts into a meter.
type meteredConn struct {
	net.PacketConn
	m *meter
}

func (c meteredConn) ReadFrom(p []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(p)
	c.m.in.Add(int64(n))
	return n, addr, err
}

// WriteTo counts before it writes, so that the count already holds a
// datagram when the peer has it, and takes back what was not written.
func (c meteredConn) WriteTo(p []byte, addr net.Addr) (int, error) {
	c.m.out.Add(int64(len(p)))
	n, err := c.PacketConn.WriteTo(p, addr)
	if n < len(p) {
		c.m.out.Add(int64(n - len(p)))
	}
	return n, err
}

// errNoTCPRelay answers a TCP allocation (RFC 6062), which pion's server
// does not implement either: a browser's TURN-over-TCP still relays UDP.
var errNoTCPRelay = errors.New("turn: TCP relaying is not supported")

// relayAddrs is pion's RelayAddressGenerator: it opens each allocation's
// relay socket on host, advertises it at ip and meters it.
type relayAddrs struct {
	host string // where relay sockets listen, "" for every interface
	ip   net.IP // what clients and peers are told
	m    *meter
}

func (g *relayAddrs) Validate() error {
	if g.ip == nil {
		return errors.New("turn: no relay IP")
	}
	return nil
}

func (g *relayAddrs) AllocatePacketConn(network string, port int) (net.PacketConn, net.Addr, error) {
	c, err := net.ListenPacket(network, net.JoinHostPort(g.host, strconv.Itoa(port)))
	if err != nil {
		return nil, nil, err
	}
	local, ok := c.LocalAddr().(*net.UDPAddr)
	if !ok {
		c.Close()
		return nil, nil, fmt.Errorf("turn: relay socket on %s is not UDP", network)
	}
	return meteredConn{c, g.m}, &net.UDPAddr{IP: g.ip, Port: local.Port}, nil
}

func (g *relayAddrs) AllocateConn(string, int) (net.Conn, net.Addr, error) {
	return nil, nil, errNoTCPRelay
}

// WriteMetrics writes the server's counters in Prometheus text format, for
// the relay to append to /metrics.
func (s *Server) WriteMetrics(w io.Writer) {
	line := func(name, kind, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", name, help, name, kind, name, v)
	}
	line("sambung_turn_bytes_in_total", "counter", "Bytes the TURN relay sockets received from peers.", s.meter.in.Load())
	line("sambung_turn_bytes_out_total", "counter", "Bytes the TURN relay sockets sent to peers.", s.meter.out.Load())
	line("sambung_turn_allocations", "gauge", "TURN allocations alive.", int64(s.pion.AllocationCount()))
	line("sambung_turn_auth_refused_total", "counter", "TURN requests refused for an unknown, expired or wrong credential.", s.meter.refused.Load())
}
