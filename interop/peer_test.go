package interop

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// transport carries one JSON request line to peer.js and brings its JSON
// response line back. transport_native_test.go and transport_js_test.go
// implement it.
type transport interface {
	roundTrip(request []byte) ([]byte, error)
}

var (
	peerOnce sync.Once
	peerConn transport
	peerErr  error
)

// peerClient returns the shared connection to peer.js, failing the test with
// a clear message when it cannot be had.
func peerClient(t testing.TB) *client {
	t.Helper()
	peerOnce.Do(func() { peerConn, peerErr = newTransport() })
	if peerErr != nil {
		t.Fatalf("interop: cannot start the libsignal peer: %v", peerErr)
	}
	return &client{tr: peerConn}
}

type client struct{ tr transport }

// response is every field any peer.js method returns; byte fields arrive as
// base64, which encoding/json decodes into []byte.
type response struct {
	OK      bool     `json:"ok"`
	Error   string   `json:"error"`
	Message string   `json:"message"`
	Log     []string `json:"log"`

	IdentityKey    []byte      `json:"identityKey"`
	RegistrationID uint32      `json:"registrationId"`
	Bundle         *wireBundle `json:"bundle"`
	Type           int         `json:"type"`
	Body           []byte      `json:"body"`
	Plaintext      []byte      `json:"plaintext"`
	Present        bool        `json:"present"`
	PublicKey      []byte      `json:"publicKey"`
	Signature      []byte      `json:"signature"`
	Valid          bool        `json:"valid"`
	Displayable    string      `json:"displayable"`
	Scannable      []byte      `json:"scannable"`
	Match          bool        `json:"match"`
}

// wireBundle is a prekey bundle as peer.js takes and gives it: keys in their
// 33-byte serialisation.
type wireBundle struct {
	RegistrationID        uint32 `json:"registrationId"`
	DeviceID              uint32 `json:"deviceId"`
	IdentityKey           []byte `json:"identityKey"`
	SignedPreKeyID        uint32 `json:"signedPreKeyId"`
	SignedPreKey          []byte `json:"signedPreKey"`
	SignedPreKeySignature []byte `json:"signedPreKeySignature"`
	PreKeyID              uint32 `json:"preKeyId,omitempty"`
	PreKey                []byte `json:"preKey,omitempty"`
}

// peerError is a request libsignal refused. Code is one of peer.js's ERR
// values ("duplicate", "bad_mac", ...).
type peerError struct {
	Method, Code, Message string
	Log                   []string
}

func (e *peerError) Error() string {
	s := fmt.Sprintf("libsignal %s: %s: %s", e.Method, e.Code, e.Message)
	if len(e.Log) > 0 {
		s += "\n\t" + strings.Join(e.Log, "\n\t")
	}
	return s
}

// call sends req (a JSON object with "method") and returns the response, or
// a *peerError when libsignal refused it, or a transport error.
func (c *client) call(req map[string]any) (*response, error) {
	line, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	out, err := c.tr.roundTrip(line)
	if err != nil {
		return nil, fmt.Errorf("interop transport: %w", err)
	}
	var r response
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("interop: bad response %q: %w", out, err)
	}
	if !r.OK {
		method, _ := req["method"].(string)
		return nil, &peerError{Method: method, Code: r.Error, Message: r.Message, Log: r.Log}
	}
	return &r, nil
}

// must is call for requests that have to succeed.
func (c *client) must(t testing.TB, req map[string]any) *response {
	t.Helper()
	r, err := c.call(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var nameSeq atomic.Uint64

// uniqueName gives each party its own name, so tests sharing one peer.js
// never see each other's peers or sessions. libsignal-node refuses dots.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, nameSeq.Add(1))
}
