//go:build !js

package turn

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	pion "github.com/pion/turn/v4"

	"sambung/wire"
)

// Errors of New.
var (
	ErrRelayIP = errors.New("turn: the relay IP must be an IPv4 address, and is required when listening on every interface")
	ErrListen  = errors.New("turn: bad listen address")
)

// portTries bounds the attempts to find a port free on both UDP and TCP
// when Listen asks for any port: a clash needs another process to take
// the TCP twin of a fresh UDP port, so a few tries always suffice.
const portTries = 8

// Server is the built-in STUN/TURN server.
type Server struct {
	cfg Config
	// secret is a pointer so that printing a Server (%+v) shows an
	// address, not the key: fmt cannot call String on unexported fields.
	secret *secret
	pion   *pion.Server
	meter  meter
	ip     net.IP
	port   int
	tcp    bool

	mu sync.Mutex
	// live counts the allocations of each client (network, address and
	// username): their requests may use the credential past its expiry.
	live map[string]int
	// perUser counts the live allocations of each username.
	perUser map[string]int
}

// New starts a server per cfg. Its credential secret is random and lives in
// memory only: TURN allocations are in memory too and end with the
// process, so a secret that survived a restart would keep nothing alive,
// and a copy of the relay's data directory mints nothing.
func New(cfg Config) (*Server, error) {
	cfg.setDefaults()
	host, port, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrListen, cfg.Listen, err)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return nil, fmt.Errorf("%w %q: bad port", ErrListen, cfg.Listen)
	}
	relayHost := host
	if hip := net.ParseIP(host); host == "" || hip != nil && hip.IsUnspecified() {
		relayHost = ""
	}
	ipText := cfg.RelayIP
	if ipText == "" {
		ipText = relayHost
	}
	ip := net.ParseIP(ipText).To4()
	if ip == nil || ip.IsUnspecified() {
		return nil, ErrRelayIP
	}
	s := &Server{cfg: cfg, secret: newSecret(), ip: ip, tcp: !cfg.NoTCP, live: map[string]int{}, perUser: map[string]int{}}

	udp, tcp, err := listen(host, port, s.tcp)
	if err != nil {
		return nil, err
	}
	s.port = udp.LocalAddr().(*net.UDPAddr).Port
	gen := &relayAddrs{host: relayHost, ip: ip, m: &s.meter}
	perm := func(_ net.Addr, peer net.IP) bool { return allowedPeer(ip, peer) }
	pc := pion.ServerConfig{
		PacketConnConfigs: []pion.PacketConnConfig{{PacketConn: udp, RelayAddressGenerator: gen, PermissionHandler: perm}},
		LoggerFactory:     pionLog{cfg.Logger},
		Realm:             cfg.Realm,
		AuthHandler:       s.auth,
		QuotaHandler:      s.quota,
		EventHandler: pion.EventHandler{
			OnAuth:              s.onAuth,
			OnAllocationCreated: s.onCreated,
			OnAllocationDeleted: s.onDeleted,
		},
	}
	if tcp != nil {
		pc.ListenerConfigs = []pion.ListenerConfig{{Listener: tcp, RelayAddressGenerator: gen, PermissionHandler: perm}}
	}
	if s.pion, err = pion.NewServer(pc); err != nil {
		udp.Close()
		if tcp != nil {
			tcp.Close()
		}
		return nil, fmt.Errorf("turn: %w", err)
	}
	cfg.Logger.Info("turn listening", "port", s.port, "relay_ip", ip.String(), "tcp", s.tcp, "realm", cfg.Realm)
	if ip.IsLoopback() && relayHost == "" {
		cfg.Logger.Warn("turn advertises a loopback address: only this machine can use it; set the relay's public IP (-turn-relay-ip) in production")
	}
	return s, nil
}

// listen opens the UDP socket and, with tcp, a TCP listener on the same
// port, so that one port number serves both.
func listen(host, port string, tcp bool) (net.PacketConn, net.Listener, error) {
	tries := 1
	if port == "0" {
		tries = portTries
	}
	var err error
	for range tries {
		var udp net.PacketConn
		if udp, err = net.ListenPacket("udp4", net.JoinHostPort(host, port)); err != nil {
			return nil, nil, fmt.Errorf("turn: %w", err)
		}
		if !tcp {
			return udp, nil, nil
		}
		p := strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port)
		var ln net.Listener
		if ln, err = net.Listen("tcp4", net.JoinHostPort(host, p)); err == nil {
			return udp, ln, nil
		}
		udp.Close()
	}
	return nil, nil, fmt.Errorf("turn: TCP on the UDP port: %w", err)
}

// Close stops the server and ends every allocation.
func (s *Server) Close() error { return s.pion.Close() }

// Port is the port the server listens on, UDP and TCP.
func (s *Server) Port() int { return s.port }

// Credential mints a credential valid for the configured TTL.
func (s *Server) Credential() Credential { return s.secret.mint(s.cfg.Now().Add(s.cfg.TTL)) }

// URLs are the server's ICE URLs, TURN over UDP, TURN over TCP and STUN.
func (s *Server) URLs() []string {
	hp := net.JoinHostPort(s.ip.String(), strconv.Itoa(s.port))
	urls := []string{"turn:" + hp + "?transport=udp"}
	if s.tcp {
		urls = append(urls, "turn:"+hp+"?transport=tcp")
	}
	return append(urls, "stun:"+hp)
}

// ICEServer mints a credential and returns the server's entry for a
// client's iceServers, with the credential's expiry.
func (s *Server) ICEServer() (wire.ICEServer, time.Time) {
	c := s.Credential()
	return wire.ICEServer{URLs: s.URLs(), Username: c.Username, Credential: c.Password}, c.Expires
}

// clientKey names one client of one username: allocations are per
// 5-tuple, and the server has one address per network.
func clientKey(src net.Addr, username string) string {
	return src.Network() + " " + src.String() + " " + username
}

// auth is pion's AuthHandler: it returns the long-term key of a username
// the relay minted, while the username is unexpired, or past its expiry
// (up to RefreshGrace) for a client that holds an allocation made with it.
// pion then checks the request's MESSAGE-INTEGRITY with the key.
func (s *Server) auth(username, realm string, src net.Addr) ([]byte, bool) {
	exp, ok := parseUsername(username)
	if !ok || realm != s.cfg.Realm {
		s.meter.refused.Add(1)
		return nil, false
	}
	now := s.cfg.Now()
	if !now.Before(exp) {
		s.mu.Lock()
		live := s.live[clientKey(src, username)] > 0
		s.mu.Unlock()
		if !live || !now.Before(exp.Add(s.cfg.RefreshGrace)) {
			s.meter.refused.Add(1)
			return nil, false
		}
	}
	return pion.GenerateAuthKey(username, realm, s.secret.password(username)), true
}

// onAuth counts the requests whose MESSAGE-INTEGRITY failed: the username
// was a valid one but the password was wrong.
func (s *Server) onAuth(_, _ net.Addr, _, _, _ string, _ string, verdict bool) {
	if !verdict {
		s.meter.refused.Add(1)
	}
}

// quota is pion's QuotaHandler, asked before each new allocation.
func (s *Server) quota(username, _ string, _ net.Addr) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.perUser[username] < s.cfg.MaxAllocations
}

func (s *Server) onCreated(src, _ net.Addr, _, username, _ string, _ net.Addr, _ int) {
	s.mu.Lock()
	s.live[clientKey(src, username)]++
	s.perUser[username]++
	s.mu.Unlock()
}

func (s *Server) onDeleted(src, _ net.Addr, _, username, _ string) {
	k := clientKey(src, username)
	s.mu.Lock()
	if s.live[k]--; s.live[k] <= 0 {
		delete(s.live, k)
	}
	if s.perUser[username]--; s.perUser[username] <= 0 {
		delete(s.perUser, username)
	}
	s.mu.Unlock()
}

// allowedPeer is the permission policy: a relay on a public address
// relays only to public addresses, so that TURN cannot reach the relay's
// own loopback services or its private network (cloud metadata at
// 169.254.169.254, databases on 10/8). A relay advertising a private or
// loopback address (development, a LAN) may relay within that scope too.
func allowedPeer(relay, peer net.IP) bool {
	switch {
	case peer.IsUnspecified() || peer.IsMulticast() || peer.IsLinkLocalUnicast() || peer.IsLinkLocalMulticast():
		return false
	case peer.IsLoopback():
		return relay.IsLoopback()
	case peer.IsPrivate():
		return relay.IsLoopback() || relay.IsPrivate()
	}
	return peer.IsGlobalUnicast()
}
