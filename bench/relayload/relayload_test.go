//go:build linux

package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sambung/relay"
	"sambung/wire"
)

// TestAppendSend checks the hand-written send frame against package wire's
// decoder, and that the receiver reads the send time back from the id.
func TestAppendSend(t *testing.T) {
	body := bytes.Repeat([]byte{0xfe, 0x01}, 100)
	id := envelopeID(nil, 42, 1234, 987654321)
	to := wire.EncodePersonID([wire.PersonIDSize]byte{1, 2, 3})
	f, err := wire.DecodeClientFrame(appendSend(nil, id, to, 3, body, 1700000000000))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := f.(*wire.SendFrame)
	if !ok || s.ID != string(id) || s.To != to || len(s.Envelopes) != 1 || len(s.Self) != 0 {
		t.Fatalf("decoded %#v", f)
	}
	e := s.Envelopes[0]
	if e.ID != string(id) || e.Device != 3 || e.Type != 1 || !bytes.Equal(e.Body, body) || e.TS != 1700000000000 {
		t.Fatalf("envelope %#v", e)
	}
	if ns, ok := sendTime(e.ID); !ok || ns != 987654321 {
		t.Fatalf("sendTime(%q) = %d, %v", e.ID, ns, ok)
	}
}

// TestLoadAgainstRelay runs a short closed loop against a real relay on
// loopback (in this process), then the echo baseline, and checks that
// messages went round and were counted.
func TestLoadAgainstRelay(t *testing.T) {
	cfg, _ := relayConfig(t.TempDir(), 0)
	cfg.MemTableSize = 8 << 20 // a small store
	srv, err := relay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer func() {
		hs.Close()
		srv.Close()
	}()
	addr := strings.TrimPrefix(hs.URL, "http://")
	ctx := t.Context()
	sessions, err := signUpAll(ctx, addr, "test", 8, 4)
	if err != nil {
		t.Fatal(err)
	}
	r := &run{clock: clock{start: time.Now()}}
	peers, err := connectAll(ctx, addr, sessions, 200, 2, 4, r)
	if err != nil {
		t.Fatal(err)
	}
	lctx, stop := context.WithCancel(ctx)
	r.measuring.Store(true)
	for _, p := range peers {
		go p.closedLoop(lctx, peers, r)
	}
	deadline := time.Now().Add(10 * time.Second)
	for r.delivered.Load() < 100 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if n, err := pingAll(peers, r, 10*time.Second); err != nil || n != int64(len(peers)) {
		t.Errorf("pings: %d, %v", n, err)
	}
	closeAll(peers)
	samples := 0
	for _, p := range peers {
		samples += len(p.samples)
	}
	if r.delivered.Load() < 100 || r.acked.Load() < 100 || samples == 0 || len(r.errors) > 0 {
		t.Fatalf("delivered %d, acked %d, %d latency samples, errors %v", r.delivered.Load(), r.acked.Load(), samples, r.errors)
	}

	es := httptest.NewServer(http.HandlerFunc(echo))
	defer es.Close()
	conns, err := dialEcho(ctx, strings.TrimPrefix(es.URL, "http://"), 4, 2)
	if err != nil {
		t.Fatal(err)
	}
	res, err := echoLoad(conns, 400, 10*time.Millisecond, 200*time.Millisecond)
	closeEcho(conns)
	if err != nil || res.roundTrips == 0 || len(res.samples) == 0 || res.total < res.roundTrips {
		t.Fatalf("echo: %d round trips, %d samples, %v", res.roundTrips, len(res.samples), err)
	}
}
