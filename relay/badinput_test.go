//go:build !js

package relay

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"sambung/wire"
)

// TestBadFrames sends malformed and over-limit frames on an authenticated
// socket: each gets its documented error, the connection stays usable, and
// nothing is stored or lost.
func TestBadFrames(t *testing.T) {
	r := startRelay(t)
	alice, bob := r.aliceAndBob()
	a := r.dial(alice)
	cases := []struct {
		frame string
		code  wire.Code
		id    string
	}{
		{`not json`, wire.CodeBadFrame, ""},
		{`{"type":"hello"}`, wire.CodeBadFrame, ""},
		{`{"type":"send","id":"r1","to":"` + bob.PersonID + `","envelopes":"x"}`, wire.CodeBadFrame, ""},
		{`{"type":"send","id":"r2","to":"` + bob.PersonID + `","envelopes":[{"id":"m","device":0,"type":1,"body":"AA==","ts":1}]}`, wire.CodeBadFrame, "r2"},
		{`{"type":"send","id":"r3","to":"` + bob.PersonID + `","envelopes":[]}`, wire.CodeBadFrame, "r3"},
		{`{"type":"ack","seqs":[]}`, wire.CodeBadFrame, ""},
		{`{"type":"auth","token":"` + strings.Repeat("A", 43) + `="}`, wire.CodeBadFrame, ""},
		{`{"type":"envelopes","envelopes":[]}`, wire.CodeBadFrame, ""},
	}
	for _, c := range cases {
		a.sendRaw([]byte(c.frame))
		e := a.expectError(c.code)
		if e.ID != c.id {
			t.Errorf("%s: error id %q, want %q", c.frame, e.ID, c.id)
		}
	}
	// Oversize envelope body: envelope_too_large, nothing stored.
	big := &wire.SendFrame{ID: "big", To: bob.PersonID, Envelopes: []wire.Envelope{
		{ID: "big", Device: 1, Type: 1, Body: make([]byte, wire.MaxEnvelopeBody+1), TS: 1}}}
	a.send(big)
	if e := a.expectError(wire.CodeEnvelopeTooLarge); e.ID != "big" {
		t.Fatal(e)
	}
	// Too many envelopes.
	many := &wire.SendFrame{ID: "many", To: bob.PersonID}
	for i := 1; i <= wire.MaxEnvelopesPerSend+1; i++ {
		many.Envelopes = append(many.Envelopes, wire.Envelope{ID: "m", Device: uint32(i), Type: 1, Body: []byte{1}, TS: 1})
	}
	a.send(many)
	a.expectError(wire.CodeTooManyEnvelopes)
	// The largest legal envelope goes through.
	a.mustSend(bob.PersonID, []uint32{1}, nil, "max", strings.Repeat("x", wire.MaxEnvelopeBody))

	// Acking seqs of nobody's or someone else's mailbox changes nothing:
	// a device can only delete from its own.
	a.send(&wire.AckFrame{Seqs: []uint64{1, 2, 3}})
	a.send(&wire.PingFrame{ID: "p"})
	if p := expect[*wire.PongFrame](a); p.ID != "p" {
		t.Fatal(p)
	}
	b := r.dial(bob)
	if envs := b.receive(1); envs[0].ID != "max" || len(envs[0].Body) != wire.MaxEnvelopeBody {
		t.Fatalf("%d envelopes", len(envs))
	}

	// A frame over the read limit closes the connection with 1009.
	a.sendRaw(bytes.Repeat([]byte("x"), wire.MaxFrameSize+1))
	if code, _ := closeStatus(t, a.c); code != websocket.StatusMessageTooBig {
		t.Fatalf("oversize frame closed with %v", code)
	}
}

// TestWebSocketAuth refuses every connection that does not start with a
// good auth frame, and binds a token to its own device.
func TestWebSocketAuth(t *testing.T) {
	// The default auth timeout: a slow machine must not turn a refused
	// first frame, or a good one, into a timeout.
	r := startRelay(t)
	alice, bob := r.aliceAndBob()
	for _, first := range []string{
		`{"type":"ping","id":"p"}`,
		`{"type":"send","id":"r","to":"` + bob.PersonID + `","envelopes":[{"id":"m","device":1,"type":1,"body":"AA==","ts":1}]}`,
		`garbage`,
		`{}`,
	} {
		w := &wsClient{t: t, c: r.dialRaw()}
		w.sendRaw([]byte(first))
		w.expectError(wire.CodeAuthRequired)
		if code, reason := closeStatus(t, w.c); code != websocket.StatusPolicyViolation || reason != "auth_required" {
			t.Fatalf("%s: %v %q", first, code, reason)
		}
	}
	// Silence: closed after the auth timeout, on a relay where it is short.
	quick := startRelay(t, func(c *Config) { c.AuthTimeout = 200 * time.Millisecond })
	w := &wsClient{t: t, c: quick.dialRaw()}
	w.expectError(wire.CodeAuthRequired)
	if code, reason := closeStatus(t, w.c); code != websocket.StatusPolicyViolation || reason != "auth_required" {
		t.Fatalf("silence: %v %q", code, reason)
	}
	// Bad tokens.
	for _, tok := range [][]byte{make([]byte, 32), []byte("short")} {
		w := &wsClient{t: t, c: r.dialRaw()}
		w.send(&wire.AuthFrame{Token: tok})
		w.expectError(wire.CodeUnauthorized)
	}
	// A token is its own device's: each connection reads only the mailbox
	// of the device its token belongs to.
	alice2 := r.signInAccount("alice", "alice password", 0)
	a1 := r.dial(alice) // dial checks ready names device 1
	b := r.dial(bob)
	a1.mustSend(bob.PersonID, []uint32{1}, []uint32{2}, "m", "x")
	if e := b.receive(1)[0]; e.From != alice.PersonID {
		t.Fatalf("%+v", e)
	}
	// Bob's marker to both of Alice's devices is the first envelope of
	// device 1's mailbox: had a1 read another mailbox, "m" would come first.
	b.mustSend(alice.PersonID, []uint32{1, 2}, nil, "marker", "y")
	if e := a1.receive(1)[0]; e.ID != "marker" {
		t.Fatalf("device 1 got %+v before the marker", e)
	}
	if e := r.dial(alice2).receive(2); e[0].ID != "m" || e[0].Dest != bob.PersonID || e[1].ID != "marker" {
		t.Fatalf("device 2 got %+v", e)
	}
}

// TestBadHTTP sends malformed requests: each gets its coded error.
func TestBadHTTP(t *testing.T) {
	r := startRelay(t)
	alice := r.signUpAccount("alice", "alice password", 5)
	r.wantCode(wire.CodeBadRequest, "POST", wire.PathAccountSignUp, nil, []byte(`{"accountId":`))
	r.wantCode(wire.CodeBadRequest, "POST", wire.PathAccountSignUp, nil, []byte(`{"accountId":5}`))
	r.wantCode(wire.CodeBodyTooLarge, "POST", wire.PathAccountSignUp, nil, bytes.Repeat([]byte(" "), wire.MaxRequestBody+1))
	r.wantCode(wire.CodeNotFound, "GET", "/v1/nothing", nil, nil)
	r.wantCode(wire.CodeMethodNotAllowed, "GET", wire.PathAccountSignUp, nil, nil)
	r.wantCode(wire.CodeMethodNotAllowed, "POST", "/", nil, nil)
	r.wantCode(wire.CodeUnauthorized, "GET", wire.PathMe, nil, nil)
	r.wantCode(wire.CodeBadRequest, "GET", wire.PathWebSocket, nil, nil)
	r.wantCode(wire.CodeUnauthorized, "GET", wire.PathMe, make([]byte, 32), nil)
	r.wantCode(wire.CodeUnauthorized, "GET", wire.PathMe, []byte("x"), nil)

	// Bad keys at sign-up.
	k := keys(t, 2)
	k.SignedPreKey.Signature[5] ^= 0x40
	r.wantCode(wire.CodeBadSignature, "POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: "carol", Password: "carol password", Device: k})
	k = keys(t, 2)
	k.IdentityKey[0] = 0x06
	r.wantCode(wire.CodeBadKeys, "POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: "carol", Password: "carol password", Device: k})
	k = keys(t, 2)
	k.OneTimePreKeys[1].ID = k.OneTimePreKeys[0].ID
	r.wantCode(wire.CodeBadKeys, "POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: "carol", Password: "carol password", Device: k})
	k = keys(t, wire.MaxPreKeysPerUpload+1)
	r.wantCode(wire.CodeTooManyPreKeys, "POST", wire.PathAccountSignUp, nil, wire.AccountRequest{AccountID: "carol", Password: "carol password", Device: k})
	// None of those made carol.
	r.wantCode(wire.CodeUnknownAddress, "GET", "/v1/lookup/account:carol", alice.Token, nil)
	r.wantCode(wire.CodeBadPhone, "GET", "/v1/lookup/phone:123", alice.Token, nil)
	r.wantCode(wire.CodeBadAddress, "GET", "/v1/lookup/alice", alice.Token, nil)

	// Key rotation with a bad signature, and a good one.
	var st wire.KeyStatus
	r.mustCall("GET", wire.PathKeys, alice.Token, nil, &st)
	if st.OneTimePreKeys != 5 || !st.Low || st.SignedPreKeyID != 1 {
		t.Fatalf("%+v", st)
	}
	fresh := keys(t, 0)
	r.wantCode(wire.CodeBadSignature, "PUT", wire.PathKeysSigned, alice.Token, wire.SignedPreKeyUpload{SignedPreKey: fresh.SignedPreKey})
	r.wantCode(wire.CodeBadKeys, "PUT", wire.PathKeysSigned, alice.Token, wire.SignedPreKeyUpload{})
	r.wantCode(wire.CodeBadRequest, "PUT", wire.PathKeysSigned, alice.Token, []byte(`[]`))
}

// TestBearerParsing refuses malformed Authorization headers without a crash.
func TestBearerParsing(t *testing.T) {
	r := startRelay(t)
	for _, h := range []string{"Bearer", "Bearer !!!", "Basic abc", "Bearer " + strings.Repeat("A", 10000)} {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", r.hs.URL+wire.PathMe, nil)
		req.Header.Set("Authorization", h)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%.20q: status %d", h, resp.StatusCode)
		}
	}
}
