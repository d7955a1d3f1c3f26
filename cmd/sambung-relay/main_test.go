//go:build !js

package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"sambung/internal/testkit"
	"strings"
	"testing"
	"time"
)

// TestRun starts the relay as the binary does, on a loopback port and a
// temporary data directory given through the environment, checks it
// serves, and stops it as a signal would.
func TestRun(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{
		"SAMBUNG_DATA":      data,
		"SAMBUNG_ADDR":      "127.0.0.1:0",
		"SAMBUNG_MAX_DEPTH": "5",
		// A free port: the default 3478 may be taken by a running relay.
		"SAMBUNG_TURN_ADDR":   "127.0.0.1:0",
		"SAMBUNG_ICE_SERVERS": `[{"urls":["stun:stun.example.org:3478"]}]`,
	}
	ctx, cancel := context.WithCancel(context.Background())
	var logs testkit.Buffer
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
	// The blob store is mounted, with its directory beside Badger's.
	resp, err = http.Post("http://"+addr+"/v1/blobs", "application/json", strings.NewReader(`{"size":1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), `"unauthorized"`) {
		t.Fatalf("POST /v1/blobs without a token: %d %q", resp.StatusCode, body)
	}
	if st, err := os.Stat(data + "-blobs"); err != nil || !st.IsDir() {
		t.Fatalf("blob directory: %v", err)
	}
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "\nsambung_blobs 0\n") {
		t.Fatalf("metrics lack the blob store's:\n%s", body)
	}
	// TURN is on by default, with its metrics.
	if !strings.Contains(string(body), "\nsambung_turn_allocations 0\n") {
		t.Fatalf("metrics lack TURN's:\n%s", body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"msg=listening addr=" + addr, "blobs=" + data + "-blobs", "msg=\"turn listening\"", "relay_ip=127.0.0.1", "msg=stopped"} {
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
		{"-blob-max-mib", "0"},
		{"-blob-quota-mib", "-1"},
		{"-blob-ttl", "0s"},
		{"-turn-ttl", "0s"},
		{"-turn-addr", "127.0.0.1:0", "-turn-relay-ip", "nope"},
		{"-turn-addr", "127.0.0.1"},
		{"-ice-servers", `[{"urls":["turn:t.example.org"]}]`},
		{"-ice-servers", `stun:stun.example.org`},
	} {
		err := run(context.Background(), append(args, "-data", t.TempDir()), func(string) string { return "" }, io.Discard, nil)
		if err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	// The environment reaches the blob flags too. Were it ignored, run would
	// start and, its context already done, stop at once without an error.
	env := map[string]string{"SAMBUNG_BLOB_TTL": "-1h"}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := run(ctx, []string{"-data", t.TempDir(), "-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard, nil); err == nil {
		t.Error("SAMBUNG_BLOB_TTL=-1h: no error")
	}
	for k, v := range map[string]string{"SAMBUNG_TURN": "off", "SAMBUNG_ICE_SERVERS": `[{"url":"stun:s"}]`} {
		env := map[string]string{k: v}
		if err := run(ctx, []string{"-data", t.TempDir(), "-addr", "127.0.0.1:0", "-turn-addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, io.Discard, nil); err == nil {
			t.Errorf("%s=%s: no error", k, v)
		}
	}
	if envName("otp-webhook") != "SAMBUNG_OTP_WEBHOOK" {
		t.Fatal(envName("otp-webhook"))
	}
}
