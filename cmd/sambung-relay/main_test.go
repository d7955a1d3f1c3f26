//go:build !js

package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the relay's log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRun starts the relay as the binary does, on a loopback port and a
// temporary data directory given through the environment, checks it
// serves, and stops it as a signal would.
func TestRun(t *testing.T) {
	env := map[string]string{
		"SAMBUNG_DATA":      t.TempDir(),
		"SAMBUNG_ADDR":      "127.0.0.1:0",
		"SAMBUNG_MAX_DEPTH": "5",
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, nil, func(k string) string { return env[k] }, &logs, func(a string) { addrs <- a })
	}()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatal(err, logs.String())
	case <-time.After(10 * time.Second):
		t.Fatal("relay did not start")
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok\n" {
		t.Fatalf("healthz: %q", body)
	}
	// The page is the one built into the binary (package web), under the CSP.
	resp, err = http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "app.js") {
		t.Fatalf("GET /: %d %q", resp.StatusCode, body)
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("GET /: CSP %q", resp.Header.Get("Content-Security-Policy"))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"msg=listening addr=" + addr, "msg=stopped"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-otp-sender", "sms"},
		{"-otp-sender", "webhook"},
		{"-log-level", "loud"},
		{"-lookups-per-minute", "0"},
		{"-web", "/nonexistent/sambung-web"},
	} {
		err := run(context.Background(), append(args, "-data", t.TempDir()), func(string) string { return "" }, io.Discard, nil)
		if err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	if envName("otp-webhook") != "SAMBUNG_OTP_WEBHOOK" {
		t.Fatal(envName("otp-webhook"))
	}
}
