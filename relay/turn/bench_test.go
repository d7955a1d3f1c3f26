//go:build !js

package turn

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	pion "github.com/pion/turn/v4"
)

// The TURN cost for one call's media, in the same run as the direct path
// it replaces. Run with
//
//	go test ./relay/turn -run '^$' -bench Relay -benchtime 3s -count 3
//
// Both paths carry 1200-byte datagrams (a full RTP video packet) from a
// client socket to a peer that echoes each one back, 16 in flight; MB/s
// counts both directions. The TURN path is pion's client (ChannelData once
// bound) through this package's server on loopback. docs/PERFORMANCE.md
// ("TURN") records the figures.

const (
	benchPacket = 1200
	benchWindow = 16
)

// echo returns every datagram p receives to its sender until p closes.
func echo(p net.PacketConn) {
	buf := make([]byte, 1600)
	for {
		n, from, err := p.ReadFrom(buf)
		if err != nil {
			return
		}
		p.WriteTo(buf[:n], from)
	}
}

// pump sends b.N datagrams from c to peer in windows and reads the echoes;
// a datagram lost on loopback counts in the lost/op metric.
func pump(b *testing.B, c net.PacketConn, peer net.Addr) {
	msg := make([]byte, benchPacket)
	buf := make([]byte, 1600)
	lost := 0
	b.SetBytes(2 * benchPacket)
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		w := min(benchWindow, b.N-sent)
		for range w {
			if _, err := c.WriteTo(msg, peer); err != nil {
				b.Fatal(err)
			}
		}
		sent += w
		for i := 0; i < w; i++ {
			c.SetReadDeadline(time.Now().Add(time.Second))
			if _, _, err := c.ReadFrom(buf); err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					b.Fatal(err)
				}
				lost += w - i
				break
			}
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(lost)/float64(b.N), "lost/op")
}

func benchPeer(b *testing.B) net.PacketConn {
	p, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	go echo(p)
	return p
}

func BenchmarkRelayDirect(b *testing.B) {
	p := benchPeer(b)
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	pump(b, c, p.LocalAddr())
}

func BenchmarkRelayTURN(b *testing.B) {
	srv, err := New(Config{Enabled: true, Listen: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	p := benchPeer(b)
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	cred := srv.Credential()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(srv.Port()))
	cl, err := pion.NewClient(&pion.ClientConfig{STUNServerAddr: addr, TURNServerAddr: addr,
		Username: cred.Username, Password: cred.Password, Realm: DefaultRealm, Conn: conn})
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Listen(); err != nil {
		b.Fatal(err)
	}
	relayed, err := cl.Allocate()
	if err != nil {
		b.Fatal(err)
	}
	defer relayed.Close()
	// Warm up: the permission, then the channel binding pion makes after
	// the first datagrams, so the timed part runs on ChannelData.
	for range 3 {
		relayed.WriteTo([]byte("warm"), p.LocalAddr())
		relayed.SetReadDeadline(time.Now().Add(time.Second))
		relayed.ReadFrom(make([]byte, 1600))
		time.Sleep(50 * time.Millisecond)
	}
	pump(b, relayed, p.LocalAddr())
}
