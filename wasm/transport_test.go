//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"sambung/client"
	"sambung/wire"
)

// deadOrigin is an origin where nothing listens: port 9 (discard) on
// loopback, refused at once.
const deadOrigin = "http://127.0.0.1:9"

func TestFetchHealth(t *testing.T) {
	h := fetchHTTP{base: relayOrigin(t)}
	status, body, err := h.Do(testContext(t), "GET", wire.PathHealth, "", nil)
	if err != nil || status != 200 || strings.TrimSpace(string(body)) != "ok" {
		t.Fatalf("GET /healthz = %d %q %v, want 200 ok", status, body, err)
	}
}

// TestFetchRelayError: an HTTP error status is a result, not an error, and
// its body is the relay's coded error.
func TestFetchRelayError(t *testing.T) {
	h := fetchHTTP{base: relayOrigin(t)}
	status, body, err := h.Do(testContext(t), "POST", wire.PathAccountSignIn, "", []byte("{not json"))
	if err != nil {
		t.Fatal(err)
	}
	var e wire.Error
	if status != 400 || json.Unmarshal(body, &e) != nil || e.Code != wire.CodeBadRequest {
		t.Fatalf("bad sign-in body: %d %s, want 400 bad_request", status, body)
	}
}

// TestFetchToken: the token reaches the relay as a bearer token; a wrong
// one is unauthorized.
func TestFetchToken(t *testing.T) {
	h := fetchHTTP{base: relayOrigin(t)}
	status, body, err := h.Do(testContext(t), "GET", wire.PathMe, "AAAA", nil)
	if err != nil {
		t.Fatal(err)
	}
	var e wire.Error
	if status != 401 || json.Unmarshal(body, &e) != nil || e.Code != wire.CodeUnauthorized {
		t.Fatalf("GET /v1/me with a wrong token: %d %s, want 401 unauthorized", status, body)
	}
}

func TestFetchUnreachable(t *testing.T) {
	inBrowser(t)
	_, _, err := fetchHTTP{base: deadOrigin}.Do(testContext(t), "GET", wire.PathHealth, "", nil)
	if !errors.Is(err, client.ErrNetwork) || client.ErrorCode(err) != "network" {
		t.Fatalf("fetch of a dead origin = %v (code %q), want a network error", err, client.ErrorCode(err))
	}
}

func TestFetchCancelled(t *testing.T) {
	h := fetchHTTP{base: relayOrigin(t)}
	ctx, cancel := context.WithCancel(testContext(t))
	cancel()
	if _, _, err := h.Do(ctx, "GET", wire.PathHealth, "", nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("Do with an ended context = %v, want context.Canceled", err)
	}
}

func TestWebSocketURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080": "ws://127.0.0.1:8080/v1/ws",
		"https://relay.example": "wss://relay.example/v1/ws",
	} {
		if got := wsURL(in); got != want {
			t.Errorf("wsURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWebSocketBadToken talks to the relay's websocket: a wrong token gets
// an error frame, which Read returns before the close that follows it, and
// the 1008 close maps to the relay's code.
func TestWebSocketBadToken(t *testing.T) {
	origin := relayOrigin(t)
	ctx := testContext(t)
	conn, err := wsDialer{url: wsURL(origin)}.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	auth, err := wire.Encode(&wire.AuthFrame{Token: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.Write(ctx, auth); err != nil {
		t.Fatal(err)
	}
	b, err := conn.Read(ctx)
	if err != nil {
		t.Fatalf("Read = %v, want the error frame first", err)
	}
	f, err := wire.DecodeServerFrame(b)
	ef, ok := f.(*wire.ErrorFrame)
	if err != nil || !ok || ef.Code != wire.CodeUnauthorized {
		t.Fatalf("first frame %s, want an unauthorized error frame", b)
	}
	_, err = conn.Read(ctx)
	var we *wire.Error
	if !errors.As(err, &we) || we.Code != wire.CodeUnauthorized {
		t.Fatalf("Read after the close = %v, want wire error unauthorized", err)
	}
	if err := conn.Write(ctx, auth); err == nil {
		t.Fatal("Write on a closed socket succeeded")
	}
}

func TestWebSocketDialRefused(t *testing.T) {
	inBrowser(t)
	_, err := wsDialer{url: wsURL(deadOrigin)}.Dial(testContext(t))
	if client.ErrorCode(err) != "network" {
		t.Fatalf("Dial of a dead origin = %v, want a network error", err)
	}
}

// TestWebSocketCloseByClient: after Close, Read fails at once instead of
// waiting for the relay.
func TestWebSocketCloseByClient(t *testing.T) {
	origin := relayOrigin(t)
	ctx := testContext(t)
	conn, err := wsDialer{url: wsURL(origin)}.Dial(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if _, err := conn.Read(ctx); !errors.Is(err, errConnClosed) {
		t.Fatalf("Read after Close = %v, want errConnClosed", err)
	}
	if err := conn.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
}
