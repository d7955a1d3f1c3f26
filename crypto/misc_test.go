package crypto

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestSecretsRedacted(t *testing.T) {
	alice, bob := established(t)
	st := alice.current(t, bob)
	rec, _ := alice.store.LoadSession(context.Background(), bob.addr)
	for _, v := range []any{st.rootKey, st.sendChain, st.sendRatchet, messageKeySeed{1}, messageKeys{}, st, rec, *st, *rec, st.receivers[0], skippedKey{}, kdf{}} {
		for _, f := range []string{"%v", "%s", "%+v", "%#v"} {
			if out := fmt.Sprintf(f, v); !strings.Contains(out, "[redacted]") {
				t.Errorf("%T printed with %s as %q", v, f, out)
			}
		}
	}
}

func TestUntrustedIdentityError(t *testing.T) {
	e := error(&UntrustedIdentityError{Address: Address{Name: "bob", DeviceID: 3}})
	if !errors.Is(e, ErrUntrustedIdentity) || !strings.Contains(e.Error(), "bob.3") {
		t.Fatalf("%v", e)
	}
}

// TestProtobufUnknownFields: fields this code does not know, of every wire
// type protobuf has without groups, are skipped.
func TestProtobufUnknownFields(t *testing.T) {
	var k PublicKey
	k[0] = 9
	body := appendSignalMessageBody(nil, &k, 5, 4, make([]byte, 16))
	body = appendUint32Field(body, 9, 77)                               // varint
	body = append(appendTag(body, 10, wireFixed64), make([]byte, 8)...) // fixed64
	body = appendBytesField(body, 11, []byte("unknown"))                // bytes
	body = append(appendTag(body, 12, wireFixed32), 1, 2, 3, 4)         // fixed32
	body = append(body, make([]byte, macSize)...)
	m, err := parseSignalMessage(body)
	if err != nil || m.counter != 5 || m.previousCounter != 4 || m.ratchetKey != k {
		t.Fatalf("%+v, %v", m, err)
	}
	for _, cut := range []int{2, 7, 17} { // inside the fixed32, the bytes, the fixed64
		b := append([]byte(nil), body[:len(body)-macSize-cut]...)
		if _, err := parseSignalMessage(append(b, make([]byte, macSize)...)); err == nil {
			t.Fatalf("truncated unknown field (cut %d) accepted", cut)
		}
	}
}

// TestDelayedPreKeyMessage: a PreKeySignalMessage of a session Bob has since
// archived still decrypts, with that session, which becomes current again.
func TestDelayedPreKeyMessage(t *testing.T) {
	alice, bob := setup(t, false)
	first := alice.send(t, bob, "first")
	delayed := alice.send(t, bob, "delayed")
	bob.recv(t, alice, first)
	if err := ProcessPreKeyBundle(context.Background(), alice.store, bob.addr, bob.bundle(t, false), rand.Reader); err != nil {
		t.Fatal(err)
	}
	bob.recv(t, alice, alice.send(t, bob, "second session"))
	r, _ := bob.store.LoadSession(context.Background(), alice.addr)
	if len(r.previous) != 1 {
		t.Fatalf("%d previous sessions", len(r.previous))
	}
	bob.recv(t, alice, delayed)
	if r.RemoteRegistrationID() != alice.store.LocalRegistrationID(context.Background()) || !r.HasCurrentSession() {
		t.Fatal("record lost its current session")
	}
	_, err := bob.tryRecv(alice, delayed)
	mustErr(t, err, ErrDuplicateMessage, "delayed message again")
}
