//go:build !js

package testkit

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"sambung/crypto"
	"sambung/wire"
)

// NewDeviceKeys makes a device's key material the way a client does: an
// identity key, a signed prekey with a real XEdDSA signature, and n
// one-time prekeys.
func NewDeviceKeys(n int) (wire.DeviceKeys, error) {
	k, sign, err := NewKeysWithSigner()
	if err != nil {
		return k, err
	}
	if k.SignedPreKey, err = sign(1); err != nil {
		return k, err
	}
	for i := range n {
		p, err := crypto.GenerateKey(rand.Reader)
		if err != nil {
			return k, err
		}
		k.OneTimePreKeys = append(k.OneTimePreKeys, wire.PreKey{ID: uint32(100 + i), PublicKey: p.PublicKey().Bytes()})
	}
	return k, nil
}

// NewKeysWithSigner makes an identity key without prekeys, and a function
// that makes signed prekeys under it.
func NewKeysWithSigner() (wire.DeviceKeys, func(id uint32) (wire.SignedPreKey, error), error) {
	ik, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		return wire.DeviceKeys{}, nil, err
	}
	sign := func(id uint32) (wire.SignedPreKey, error) {
		spk, err := crypto.GenerateKey(rand.Reader)
		if err != nil {
			return wire.SignedPreKey{}, err
		}
		sig, err := ik.Sign(rand.Reader, spk.PublicKey().Bytes())
		return wire.SignedPreKey{ID: id, PublicKey: spk.PublicKey().Bytes(), Signature: sig}, err
	}
	return wire.DeviceKeys{RegistrationID: 1, IdentityKey: ik.PublicKey().Bytes()}, sign, nil
}

// DeviceKeys is NewDeviceKeys for a test.
func DeviceKeys(t testing.TB, n int) wire.DeviceKeys {
	t.Helper()
	k, err := NewDeviceKeys(n)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Reply is the relay's answer to one HTTP request.
type Reply struct {
	Status int
	Header http.Header
	Err    *wire.Error // the coded error of an answer that is not 2xx
}

// Request sends one HTTP request to url with body (nil, raw []byte, or a
// value sent as JSON) and, when token is set, a bearer token. A 2xx answer
// is decoded into out unless out is nil; any other must carry a coded
// error, or Request fails.
func Request(method, url string, token []byte, body, out any) (Reply, error) {
	var b []byte
	switch v := body.(type) {
	case nil:
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return Reply{}, err
		}
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(b))
	if err != nil {
		return Reply{}, err
	}
	if token != nil {
		req.Header.Set("Authorization", "Bearer "+base64.StdEncoding.EncodeToString(token))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	r := Reply{Status: resp.StatusCode, Header: resp.Header}
	if resp.StatusCode/100 != 2 {
		var e wire.Error
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Code == "" {
			return r, fmt.Errorf("%s %s: status %d without a coded error (%v)", method, url, resp.StatusCode, err)
		}
		r.Err = &e
		return r, nil
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return r, fmt.Errorf("%s %s: %w", method, url, err)
		}
	}
	return r, nil
}

// Account signs a new device with fresh keys up (path
// wire.PathAccountSignUp) or in (wire.PathAccountSignIn) at the relay at
// base, over its real HTTP API.
func Account(base, path, account, password string) (wire.Session, error) {
	keys, err := NewDeviceKeys(0)
	if err != nil {
		return wire.Session{}, err
	}
	var s wire.Session
	r, err := Request("POST", base+path, nil, wire.AccountRequest{AccountID: account, Password: password, Device: keys}, &s)
	if err == nil && r.Err != nil {
		err = fmt.Errorf("%s %s: %d %s: %s", path, account, r.Status, r.Err.Code, r.Err.Message)
	}
	return s, err
}

// SignUp is Account for a test: a new account with one device.
func SignUp(t testing.TB, base, account, password string) wire.Session {
	t.Helper()
	s, err := Account(base, wire.PathAccountSignUp, account, password)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Gauge reads one gauge from the relay's /metrics at base.
func Gauge(base, name string) (int64, error) {
	resp, err := http.Get(base + wire.PathMetrics)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /metrics (%v)", name, sc.Err())
}

// WebSocketURL is the relay's websocket endpoint for its origin base.
func WebSocketURL(base string) string {
	return "ws" + strings.TrimPrefix(base, "http") + wire.PathWebSocket
}

// Conn is one websocket to the relay.
type Conn struct {
	WS *websocket.Conn
}

// Dial connects to the relay at base and, unless s is the zero Session,
// authenticates as s and reads up to the ready frame.
func Dial(ctx context.Context, base string, s wire.Session) (*Conn, error) {
	ws, _, err := websocket.Dial(ctx, WebSocketURL(base), nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(wire.MaxFrameSize * 2)
	c := &Conn{WS: ws}
	if s.Token == nil {
		return c, nil
	}
	if err := c.Write(ctx, &wire.AuthFrame{Token: s.Token}); err != nil {
		ws.CloseNow()
		return nil, err
	}
	f, err := c.Next(ctx)
	if err == nil {
		if r, ok := f.(*wire.ReadyFrame); !ok {
			err = fmt.Errorf("before ready: %#v", f)
		} else if r.PersonID != s.PersonID || r.DeviceID != s.DeviceID {
			err = fmt.Errorf("ready for %s/%d, want %s/%d", r.PersonID, r.DeviceID, s.PersonID, s.DeviceID)
		}
	}
	if err != nil {
		ws.CloseNow()
		return nil, err
	}
	return c, nil
}

// Write sends one frame.
func (c *Conn) Write(ctx context.Context, f wire.Frame) error {
	b, err := wire.Encode(f)
	if err != nil {
		return err
	}
	return c.WS.Write(ctx, websocket.MessageText, b)
}

// Read reads one frame of any type.
func (c *Conn) Read(ctx context.Context) (wire.Frame, error) {
	_, b, err := c.WS.Read(ctx)
	if err != nil {
		return nil, err
	}
	f, err := wire.DecodeServerFrame(b)
	if err != nil {
		return nil, fmt.Errorf("relay sent an undecodable frame %s: %w", b, err)
	}
	return f, nil
}

// Next reads one frame, skipping the informational keys-low and drained.
func (c *Conn) Next(ctx context.Context) (wire.Frame, error) {
	for {
		f, err := c.Read(ctx)
		if err != nil {
			return nil, err
		}
		switch f.(type) {
		case *wire.KeysLowFrame, *wire.DrainedFrame:
			continue
		}
		return f, nil
	}
}

// Expect reads the next frame but keys-low and drained, and fails unless
// it is a T. It waits at most Patience.
func Expect[T wire.Frame](t testing.TB, c *Conn) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Patience)
	defer cancel()
	f, err := c.Next(ctx)
	if err != nil {
		t.Fatalf("waiting for %T: %v", *new(T), err)
	}
	v, ok := f.(T)
	if !ok {
		t.Fatalf("got %#v, want %T", f, *new(T))
	}
	return v
}

// DialT is Dial for a test: it fails the test on an error, waits at most
// Patience, and closes the socket when the test ends.
func DialT(t testing.TB, base string, s wire.Session) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Patience)
	defer cancel()
	c, err := Dial(ctx, base, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.WS.CloseNow() })
	return c
}

// Send writes one frame, failing the test on an error; it waits at most
// Patience.
func (c *Conn) Send(t testing.TB, f wire.Frame) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Patience)
	defer cancel()
	if err := c.Write(ctx, f); err != nil {
		t.Fatal(err)
	}
}

// ReadUntil reads frames and hands each to handle until it reports done or
// an error. An error frame from the relay ends it with an error that
// carries the frame's code and message.
func (c *Conn) ReadUntil(ctx context.Context, handle func(wire.Frame) (done bool, err error)) error {
	for {
		f, err := c.Read(ctx)
		if err != nil {
			return err
		}
		if e, ok := f.(*wire.ErrorFrame); ok {
			return fmt.Errorf("%s: %s", e.Code, e.Message)
		}
		if done, err := handle(f); done || err != nil {
			return err
		}
	}
}

// Do sends one raw HTTP request with the given headers and returns the
// response, its body read and closed. Any failure to send or read fails t.
func Do(t testing.TB, method, url string, hdr map[string]string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}
