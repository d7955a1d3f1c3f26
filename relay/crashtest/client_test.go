//go:build !js

package crashtest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"sambung/crypto"
	"sambung/wire"
)

// signUp creates a person with one device through the account sign-up
// endpoint, with a real identity key and a signed prekey it has signed.
func signUp(t *testing.T, addr, account string) wire.Session {
	t.Helper()
	ik, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spk, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ik.Sign(rand.Reader, spk.PublicKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(wire.AccountRequest{
		AccountID: account,
		Password:  "crash test password",
		Device: wire.DeviceKeys{
			RegistrationID: 1,
			IdentityKey:    ik.PublicKey().Bytes(),
			SignedPreKey:   wire.SignedPreKey{ID: 1, PublicKey: spk.PublicKey().Bytes(), Signature: sig},
		},
	})
	resp, err := http.Post("http://"+addr+wire.PathAccountSignUp, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		var e wire.Error
		json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("sign up %s: %s %s: %s", account, resp.Status, e.Code, e.Message)
	}
	var s wire.Session
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// client is one authenticated websocket of a device.
type client struct {
	ws *websocket.Conn
}

// dial connects and authenticates as s, reading up to the ready frame.
func dial(ctx context.Context, addr string, s wire.Session) (*client, error) {
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+wire.PathWebSocket, nil)
	if err != nil {
		return nil, err
	}
	ws.SetReadLimit(wire.MaxFrameSize)
	c := &client{ws: ws}
	if err := c.write(ctx, &wire.AuthFrame{Token: s.Token}); err != nil {
		ws.CloseNow()
		return nil, err
	}
	for {
		f, err := c.read(ctx)
		if err != nil {
			ws.CloseNow()
			return nil, err
		}
		switch f := f.(type) {
		case *wire.ReadyFrame:
			return c, nil
		case *wire.KeysLowFrame:
		default:
			ws.CloseNow()
			return nil, fmt.Errorf("before ready: %#v", f)
		}
	}
}

func (c *client) write(ctx context.Context, f wire.Frame) error {
	b, err := wire.Encode(f)
	if err != nil {
		return err
	}
	return c.ws.Write(ctx, websocket.MessageText, b)
}

func (c *client) read(ctx context.Context) (wire.Frame, error) {
	_, b, err := c.ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	return wire.DecodeServerFrame(b)
}

// bodyFor is the ciphertext sent under id: derived from the id, so that a
// receiver checks that what arrived is what was sent.
func bodyFor(id string) []byte {
	a := sha256.Sum256([]byte(id))
	b := sha256.Sum256(a[:])
	return append(a[:], b[:]...)
}

// message is one envelope the test sends: its id and the recipient's index.
type message struct {
	id        string
	recipient int
}

// sendFrame is the send of m from a one-device person to a one-device
// person: one envelope, no self copies. The request id is the envelope id.
func sendFrame(m message, to wire.Session) *wire.SendFrame {
	return &wire.SendFrame{ID: m.id, To: to.PersonID, Envelopes: []wire.Envelope{{
		ID: m.id, Device: to.DeviceID, Type: 1, Body: bodyFor(m.id), TS: 1_700_000_000_000,
	}}}
}

// queueDepth reads the sambung_queue_depth gauge from the relay's /metrics.
func queueDepth(addr string) (int64, error) {
	resp, err := http.Get("http://" + addr + wire.PathMetrics)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "sambung_queue_depth "); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("no sambung_queue_depth in /metrics (%v)", sc.Err())
}
