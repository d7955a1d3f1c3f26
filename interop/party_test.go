package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	"sambung/crypto"
)

// libsignal-node's message type numbers (SessionCipher.encrypt). Ours are
// libsignal-client's: crypto.MessageTypeSignal is 2, MessageTypePreKey 3.
const (
	nodeTypeWhisper = 1
	nodeTypePreKey  = 3
)

func toNodeType(t crypto.MessageType) int {
	switch t {
	case crypto.MessageTypeSignal:
		return nodeTypeWhisper
	case crypto.MessageTypePreKey:
		return nodeTypePreKey
	}
	panic(fmt.Sprintf("interop: no libsignal-node number for message type %d", t))
}

func fromNodeType(n int) (crypto.MessageType, error) {
	switch n {
	case nodeTypeWhisper:
		return crypto.MessageTypeSignal, nil
	case nodeTypePreKey:
		return crypto.MessageTypePreKey, nil
	}
	return 0, fmt.Errorf("libsignal-node message type %d", n)
}

// message is one ciphertext in flight, typed in our numbering.
type message struct {
	typ       crypto.MessageType
	body      []byte
	plaintext []byte // what the sender encrypted
}

// goParty is our side: a MemoryStore and the address the peer knows it by.
type goParty struct {
	addr   crypto.Address
	store  *crypto.MemoryStore
	nextID uint32
}

func newGoParty(t testing.TB) *goParty {
	t.Helper()
	id, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &goParty{
		addr:   crypto.Address{Name: uniqueName("go"), DeviceID: 1},
		store:  crypto.NewMemoryStore(id, 1+uint32(nameSeq.Load()%16000)),
		nextID: 1,
	}
}

// bundle makes a signed prekey, and a one-time prekey if oneTime, and returns
// the public bundle as peer.js takes it.
func (g *goParty) bundle(t testing.TB, oneTime bool) *wireBundle {
	t.Helper()
	signed, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id := g.store.IdentityKeyPair(context.Background())
	sig, err := id.Sign(rand.Reader, signed.PublicKey().Bytes())
	if err != nil {
		t.Fatal(err)
	}
	g.store.AddSignedPreKey(g.nextID, signed)
	b := &wireBundle{
		RegistrationID:        g.store.LocalRegistrationID(context.Background()),
		DeviceID:              g.addr.DeviceID,
		IdentityKey:           id.PublicKey().Bytes(),
		SignedPreKeyID:        g.nextID,
		SignedPreKey:          signed.PublicKey().Bytes(),
		SignedPreKeySignature: sig,
	}
	g.nextID++
	if oneTime {
		pre, err := crypto.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		g.store.AddPreKey(g.nextID, pre)
		b.PreKeyID, b.PreKey = g.nextID, pre.PublicKey().Bytes()
		g.nextID++
	}
	return b
}

// jsParty is a libsignal-node peer inside peer.js.
type jsParty struct {
	c           *client
	addr        crypto.Address // its name in peer.js, device 1
	identityKey crypto.PublicKey
}

func newJSParty(t testing.TB, c *client) *jsParty {
	t.Helper()
	name := uniqueName("js")
	r := c.must(t, map[string]any{"method": "newIdentity", "peer": name})
	key, err := crypto.ParsePublicKey(r.IdentityKey)
	if err != nil {
		t.Fatalf("libsignal-node identity key %x: %v", r.IdentityKey, err)
	}
	return &jsParty{c: c, addr: crypto.Address{Name: name, DeviceID: 1}, identityKey: key}
}

func (j *jsParty) bundle(t testing.TB, oneTime bool) *wireBundle {
	t.Helper()
	return j.c.must(t, map[string]any{"method": "bundle", "peer": j.addr.Name, "preKey": oneTime}).Bundle
}

func wireAddress(a crypto.Address) map[string]any {
	return map[string]any{"name": a.Name, "deviceId": a.DeviceID}
}

// parseBundle turns a libsignal-node bundle into ours.
func parseBundle(t testing.TB, w *wireBundle) *crypto.PreKeyBundle {
	t.Helper()
	parse := func(what string, b []byte) crypto.PublicKey {
		k, err := crypto.ParsePublicKey(b)
		if err != nil {
			t.Fatalf("libsignal-node bundle %s %x: %v", what, b, err)
		}
		return k
	}
	b := &crypto.PreKeyBundle{
		RegistrationID:        w.RegistrationID,
		DeviceID:              w.DeviceID,
		IdentityKey:           parse("identity key", w.IdentityKey),
		SignedPreKeyID:        w.SignedPreKeyID,
		SignedPreKey:          parse("signed prekey", w.SignedPreKey),
		SignedPreKeySignature: w.SignedPreKeySignature,
	}
	if w.PreKey != nil {
		k := parse("one-time prekey", w.PreKey)
		b.PreKeyID, b.PreKey = w.PreKeyID, &k
	}
	return b
}

// link is one Go party and one libsignal-node party that talk to each other.
type link struct {
	t  testing.TB
	g  *goParty
	js *jsParty
	n  int // messages made so far, for distinct plaintexts
}

func newLink(t testing.TB) *link {
	t.Helper()
	return &link{t: t, g: newGoParty(t), js: newJSParty(t, peerClient(t))}
}

// plaintext makes the n-th message's text, of varying length so padding
// boundaries are crossed.
func (l *link) plaintext() []byte {
	l.n++
	return append(fmt.Appendf(nil, "message %d: ", l.n), bytes.Repeat([]byte{'x'}, l.n%37)...)
}

// startSession has one side (Go when fromGo) process the other's bundle,
// with a one-time prekey if oneTime; it returns the bundle.
func (l *link) startSession(fromGo, oneTime bool) *wireBundle {
	l.t.Helper()
	if fromGo {
		b := l.js.bundle(l.t, oneTime)
		err := crypto.ProcessPreKeyBundle(context.Background(), l.g.store, l.js.addr, parseBundle(l.t, b), rand.Reader)
		if err != nil {
			l.t.Fatalf("ProcessPreKeyBundle of libsignal-node's bundle: %v", err)
		}
		return b
	}
	b := l.g.bundle(l.t, oneTime)
	l.js.c.must(l.t, map[string]any{
		"method": "processBundle", "peer": l.js.addr.Name, "address": wireAddress(l.g.addr), "bundle": b,
	})
	return b
}

// holdsPreKey reports whether one side (Go when onGo) still has one-time
// prekey id.
func (l *link) holdsPreKey(onGo bool, id uint32) bool {
	l.t.Helper()
	if onGo {
		k, err := l.g.store.LoadPreKey(context.Background(), id)
		return err == nil && k != nil
	}
	return l.js.c.must(l.t, map[string]any{"method": "hasPreKey", "peer": l.js.addr.Name, "preKeyId": id}).Present
}

// goSendsText encrypts pt from Go to libsignal-node.
func (l *link) goSendsText(pt []byte) message {
	l.t.Helper()
	typ, body, err := crypto.Encrypt(context.Background(), l.g.store, l.js.addr, pt)
	if err != nil {
		l.t.Fatalf("Encrypt: %v", err)
	}
	return message{typ: typ, body: body, plaintext: pt}
}

func (l *link) goSends() message { return l.goSendsText(l.plaintext()) }

// jsSendsText encrypts pt from libsignal-node to Go.
func (l *link) jsSendsText(pt []byte) message {
	l.t.Helper()
	r := l.js.c.must(l.t, map[string]any{
		"method": "encrypt", "peer": l.js.addr.Name, "address": wireAddress(l.g.addr), "plaintext": pt,
	})
	typ, err := fromNodeType(r.Type)
	if err != nil {
		l.t.Fatal(err)
	}
	return message{typ: typ, body: r.Body, plaintext: pt}
}

func (l *link) jsSends() message { return l.jsSendsText(l.plaintext()) }

// goDecrypts decrypts m on our side; a wrong plaintext fails the test.
func (l *link) goDecrypts(m message) error {
	l.t.Helper()
	pt, err := crypto.Decrypt(context.Background(), l.g.store, l.js.addr, m.typ, m.body, rand.Reader)
	if err != nil {
		return err
	}
	if !bytes.Equal(pt, m.plaintext) {
		l.t.Fatalf("we decrypted %q, libsignal-node sent %q", pt, m.plaintext)
	}
	return nil
}

// jsDecrypts decrypts m in libsignal-node; a refusal is a *peerError.
func (l *link) jsDecrypts(m message) error {
	l.t.Helper()
	r, err := l.js.c.call(map[string]any{
		"method": "decrypt", "peer": l.js.addr.Name, "address": wireAddress(l.g.addr),
		"type": toNodeType(m.typ), "body": m.body,
	})
	if err != nil {
		var pe *peerError
		if !errors.As(err, &pe) {
			l.t.Fatal(err) // the transport failed, not libsignal
		}
		return err
	}
	if !bytes.Equal(r.Plaintext, m.plaintext) {
		l.t.Fatalf("libsignal-node decrypted %q, we sent %q", r.Plaintext, m.plaintext)
	}
	return nil
}

// goReceives and jsReceives are the decrypts that must succeed.
func (l *link) goReceives(m message) {
	l.t.Helper()
	if err := l.goDecrypts(m); err != nil {
		l.t.Fatalf("we refuse libsignal-node's message %d (%q): %v", m.typ, m.plaintext, err)
	}
}

func (l *link) jsReceives(m message) {
	l.t.Helper()
	if err := l.jsDecrypts(m); err != nil {
		l.t.Fatalf("libsignal-node refuses our message (%q): %v", m.plaintext, err)
	}
}

// send sends one message in the given direction and delivers it at once.
func (l *link) send(fromGo bool) {
	l.t.Helper()
	if fromGo {
		l.jsReceives(l.goSends())
	} else {
		l.goReceives(l.jsSends())
	}
}

// established sets up a session in which both sides have sent and received,
// started by Go or by libsignal-node, from a bundle with a one-time prekey.
func established(t testing.TB, goInitiates bool) *link {
	t.Helper()
	l := newLink(t)
	l.startSession(goInitiates, true)
	l.send(goInitiates)
	l.send(!goInitiates)
	return l
}

// expectType fails the test when m is not of type want.
func expectType(t testing.TB, m message, want crypto.MessageType, what string) {
	t.Helper()
	if m.typ != want {
		t.Fatalf("%s: message type %d, want %d", what, m.typ, want)
	}
}

// sides names the two directions the symmetric cases run in.
var sides = []struct {
	name        string
	goInitiates bool
}{
	{"GoInitiates", true},
	{"LibsignalInitiates", false},
}
