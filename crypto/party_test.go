package crypto

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
)

// party is one device in a two-party walk: its store and its address as
// the other side sees it.
type party struct {
	name  string
	addr  Address
	store *MemoryStore
}

// newParty makes a device with an identity, a signed prekey (id 1) and one
// one-time prekey (id 100).
func newParty(tb testing.TB, name string, regID uint32) *party {
	tb.Helper()
	id := mustKey(tb)
	p := &party{name: name, addr: Address{Name: name, DeviceID: 1}, store: NewMemoryStore(id, regID)}
	p.store.AddSignedPreKey(1, mustKey(tb))
	p.store.AddPreKey(100, mustKey(tb))
	return p
}

func mustKey(tb testing.TB) *PrivateKey {
	tb.Helper()
	k, err := GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// bundle returns p's prekey bundle; withOneTime picks whether it carries
// one-time prekey 100.
func (p *party) bundle(tb testing.TB, withOneTime bool) *PreKeyBundle {
	tb.Helper()
	spk, err := p.store.LoadSignedPreKey(context.Background(), 1)
	if err != nil {
		tb.Fatal(err)
	}
	sig, err := p.store.IdentityKeyPair(context.Background()).Sign(rand.Reader, spk.PublicKey().Bytes())
	if err != nil {
		tb.Fatal(err)
	}
	b := &PreKeyBundle{
		RegistrationID:        p.store.LocalRegistrationID(context.Background()),
		DeviceID:              1,
		IdentityKey:           p.store.IdentityKeyPair(context.Background()).PublicKey(),
		SignedPreKeyID:        1,
		SignedPreKey:          spk.PublicKey(),
		SignedPreKeySignature: sig,
	}
	if withOneTime {
		pk, err := p.store.LoadPreKey(context.Background(), 100)
		if err != nil {
			tb.Fatal(err)
		}
		pub := pk.PublicKey()
		b.PreKeyID = 100
		b.PreKey = &pub
	}
	return b
}

// wire is one message in flight.
type wireMsg struct {
	t    MessageType
	body []byte
	text []byte
}

// send encrypts text from p to q.
func (p *party) send(tb testing.TB, q *party, text string) wireMsg {
	tb.Helper()
	t, body, err := Encrypt(context.Background(), p.store, q.addr, []byte(text))
	if err != nil {
		tb.Fatalf("%s encrypt: %v", p.name, err)
	}
	return wireMsg{t: t, body: body, text: []byte(text)}
}

// recv decrypts m, sent by q, at p and checks the plaintext.
func (p *party) recv(tb testing.TB, q *party, m wireMsg) {
	tb.Helper()
	pt, err := Decrypt(context.Background(), p.store, q.addr, m.t, m.body, rand.Reader)
	if err != nil {
		tb.Fatalf("%s decrypt %q: %v", p.name, m.text, err)
	}
	if !bytes.Equal(pt, m.text) {
		tb.Fatalf("%s decrypted %q, want %q", p.name, pt, m.text)
	}
}

// tryRecv decrypts and returns the error.
func (p *party) tryRecv(q *party, m wireMsg) ([]byte, error) {
	return Decrypt(context.Background(), p.store, q.addr, m.t, m.body, rand.Reader)
}

// record returns p's serialised record for q.
func (p *party) record(tb testing.TB, q *party) []byte {
	tb.Helper()
	r, err := p.store.LoadSession(context.Background(), q.addr)
	if err != nil || r == nil {
		tb.Fatalf("%s has no record for %s: %v", p.name, q.name, err)
	}
	b, err := r.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// current returns p's current session with q.
func (p *party) current(tb testing.TB, q *party) *sessionState {
	tb.Helper()
	r, _ := p.store.LoadSession(context.Background(), q.addr)
	if r == nil || r.current == nil {
		tb.Fatalf("%s has no session with %s", p.name, q.name)
	}
	return r.current
}

// assertAgree checks that p and q see the same session: each one's sending
// ratchet key is the other's newest receiving chain (once it exists), their
// identities are crossed, and the base key is the same.
func assertAgree(tb testing.TB, p, q *party) {
	tb.Helper()
	a, b := p.current(tb, q), q.current(tb, p)
	if a.baseKey != b.baseKey || a.initiator == b.initiator {
		tb.Fatalf("%s and %s are in different sessions", p.name, q.name)
	}
	if a.localIdentity != b.remoteIdentity || a.remoteIdentity != b.localIdentity {
		tb.Fatalf("identities not crossed")
	}
	check := func(x, y *sessionState, xn, yn string) {
		if i := y.findReceiver(ptr(x.sendRatchet.pub)); i >= 0 {
			if y.receivers[i].index > x.sendIndex {
				tb.Fatalf("%s has received %d messages on %s's chain that sent %d", yn, y.receivers[i].index, xn, x.sendIndex)
			}
		}
	}
	check(a, b, p.name, q.name)
	check(b, a, q.name, p.name)
}

func ptr[T any](v T) *T { return &v }

// setup makes Alice and Bob, and Alice starts a session from Bob's bundle.
func setup(tb testing.TB, withOneTime bool) (alice, bob *party) {
	tb.Helper()
	alice = newParty(tb, "alice", 1111)
	bob = newParty(tb, "bob", 2222)
	if err := ProcessPreKeyBundle(context.Background(), alice.store, bob.addr, bob.bundle(tb, withOneTime), rand.Reader); err != nil {
		tb.Fatal(err)
	}
	return alice, bob
}

// mustErr fails unless err is target.
func mustErr(tb testing.TB, err, target error, what string) {
	tb.Helper()
	if !errors.Is(err, target) {
		tb.Fatalf("%s: got %v, want %v", what, err, target)
	}
}

func msgText(i int) string { return fmt.Sprintf("message %d", i) }
