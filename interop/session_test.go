package interop

import (
	"context"
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"testing"

	"sambung/crypto"
)

var oneTimeCases = []struct {
	name    string
	oneTime bool
}{
	{"WithOneTimePreKey", true},
	{"WithoutOneTimePreKey", false},
}

// TestSessionSetup: one side processes the other's bundle and sends first;
// the responder decrypts its PreKeySignalMessages and uses up its one-time
// prekey; the initiator sends PreKeySignalMessages until the responder
// answers, and SignalMessages from then on.
func TestSessionSetup(t *testing.T) {
	for _, side := range sides {
		for _, tc := range oneTimeCases {
			t.Run(side.name+"/"+tc.name, func(t *testing.T) {
				l := newLink(t)
				from, to := side.goInitiates, !side.goInitiates
				b := l.startSession(from, tc.oneTime)
				first := l.sendOnly(from)
				expectType(t, first, crypto.MessageTypePreKey, "the initiator's first message")
				l.deliver(first, to)
				if tc.oneTime && l.holdsPreKey(to, b.PreKeyID) {
					t.Fatal("the responder still holds the one-time prekey the first message used")
				}
				second := l.sendOnly(from)
				expectType(t, second, crypto.MessageTypePreKey, "the initiator's second message before any answer")
				l.deliver(second, to)

				reply := l.sendOnly(to)
				expectType(t, reply, crypto.MessageTypeSignal, "the responder's answer")
				l.deliver(reply, from)
				after := l.sendOnly(from)
				expectType(t, after, crypto.MessageTypeSignal, "the initiator's message after the answer")
				l.deliver(after, to)
			})
		}
	}
}

// TestLibsignalBundleBadSignature: a libsignal-node bundle whose signed
// prekey signature was altered is refused, and no session is left behind.
func TestLibsignalBundleBadSignature(t *testing.T) {
	l := newLink(t)
	b := l.js.bundle(t, true)
	b.SignedPreKeySignature = flipBit(b.SignedPreKeySignature, 3)
	err := crypto.ProcessPreKeyBundle(context.Background(), l.g.store, l.js.addr, parseBundle(t, b), rand.Reader)
	if !errors.Is(err, crypto.ErrBadSignature) {
		t.Fatalf("ProcessPreKeyBundle with a bad signature: %v, want ErrBadSignature", err)
	}
	if _, _, err := crypto.Encrypt(context.Background(), l.g.store, l.js.addr, []byte("x")); !errors.Is(err, crypto.ErrNoSession) {
		t.Fatalf("Encrypt after a refused bundle: %v, want ErrNoSession", err)
	}
}

// walkMessages is how many messages TestRatchetWalk exchanges.
const walkMessages = 50

// TestRatchetWalk sends 50 messages in runs of 1 to 4 before the other side
// answers, so the ratchet turns at irregular points, each delivered at once.
func TestRatchetWalk(t *testing.T) {
	for i, side := range sides {
		t.Run(side.name, func(t *testing.T) {
			l := established(t, side.goInitiates)
			r := mrand.New(mrand.NewPCG(uint64(i), 50))
			fromGo := side.goInitiates
			for sent := 0; sent < walkMessages; fromGo = !fromGo {
				for run := 1 + r.IntN(4); run > 0 && sent < walkMessages; run-- {
					l.send(fromGo)
					sent++
				}
			}
		})
	}
}

// receivers names the side that receives out of order.
var receivers = []struct {
	name   string
	toGo   bool // Go receives, libsignal-node sends
	fromGo bool
}{
	{"GoReceives", true, false},
	{"LibsignalReceives", false, true},
}

func (l *link) sendOnly(fromGo bool) message {
	l.t.Helper()
	if fromGo {
		return l.goSends()
	}
	return l.jsSends()
}

func (l *link) deliver(m message, toGo bool) {
	l.t.Helper()
	if toGo {
		l.goReceives(m)
	} else {
		l.jsReceives(m)
	}
}

// decryptOn decrypts m on the receiving side and returns its refusal.
func (l *link) decryptOn(m message, toGo bool) error {
	l.t.Helper()
	if toGo {
		return l.goDecrypts(m)
	}
	return l.jsDecrypts(m)
}

// refusal is how each side refuses one kind of bad message: our sentinel
// error, and the code of libsignal-node's.
type refusal struct {
	what     string
	ours     error
	peerCode string
}

var (
	// duplicate: ErrDuplicateMessage here, MessageCounterError there.
	duplicate = refusal{"a duplicate", crypto.ErrDuplicateMessage, "duplicate"}
	// tampered: our single ErrInvalidMessage, libsignal-node's "Bad MAC".
	tampered = refusal{"a tampered message", crypto.ErrInvalidMessage, "bad_mac"}
)

// expectRefused checks err, from a decrypt on our side when ours, as the
// refusal want.
func expectRefused(t testing.TB, err error, ours bool, want refusal) {
	t.Helper()
	if ours {
		if !errors.Is(err, want.ours) {
			t.Fatalf("we decrypted %s with error %v, want %v", want.what, err, want.ours)
		}
		return
	}
	var pe *peerError
	if !errors.As(err, &pe) || pe.Code != want.peerCode {
		t.Fatalf("libsignal-node decrypted %s with error %v, want code %s", want.what, err, want.peerCode)
	}
}

// TestOutOfOrderWithinChain delivers six messages of one chain shuffled.
func TestOutOfOrderWithinChain(t *testing.T) {
	for _, rc := range receivers {
		t.Run(rc.name, func(t *testing.T) {
			l := established(t, true)
			var ms []message
			for range 6 {
				ms = append(ms, l.sendOnly(rc.fromGo))
			}
			for _, i := range []int{3, 0, 5, 1, 4, 2} {
				l.deliver(ms[i], rc.toGo)
			}
			l.send(rc.toGo)
			l.send(rc.fromGo)
		})
	}
}

// TestOutOfOrderAcrossChains holds back messages of older chains and
// delivers them after the ratchet has turned twice: the receiver must derive
// their keys from the previous-counter field of the new chain's first message
// and keep them. Each late message then counts as a duplicate when replayed.
func TestOutOfOrderAcrossChains(t *testing.T) {
	for _, rc := range receivers {
		t.Run(rc.name, func(t *testing.T) {
			l := established(t, true)
			s, r := rc.fromGo, rc.toGo

			var a []message // chain A: only a0 arrives in time
			for range 4 {
				a = append(a, l.sendOnly(s))
			}
			l.deliver(a[0], r)
			l.send(!s) // the receiver answers: the sender's ratchet turns

			var b []message // chain B: b2 arrives first
			for range 3 {
				b = append(b, l.sendOnly(s))
			}
			l.deliver(b[2], r)
			l.send(!s)

			l.send(s) // chain C

			for _, m := range []message{a[3], b[0], a[1], b[1], a[2]} {
				l.deliver(m, r)
			}
			expectRefused(t, l.decryptOn(a[1], r), r, duplicate)
			expectRefused(t, l.decryptOn(b[0], r), r, duplicate)
			l.send(s)
			l.send(!s)
		})
	}
}

// TestLargeGap drops 500 messages of one chain and then delivers the last
// one, and then the first.
func TestLargeGap(t *testing.T) {
	const gap = 500 // well inside both libsignal-node's 2000 and our MaxForwardJump
	for _, rc := range receivers {
		t.Run(rc.name, func(t *testing.T) {
			l := established(t, true)
			first := l.sendOnly(rc.fromGo)
			for range gap - 1 {
				l.sendOnly(rc.fromGo)
			}
			l.deliver(l.sendOnly(rc.fromGo), rc.toGo)
			l.deliver(first, rc.toGo)
			l.send(rc.toGo)
		})
	}
}

// TestDuplicateRejected replays a message that was decrypted: the receiver
// refuses it as a duplicate and the session goes on working both ways.
func TestDuplicateRejected(t *testing.T) {
	for _, rc := range receivers {
		t.Run(rc.name, func(t *testing.T) {
			l := established(t, true)
			m := l.sendOnly(rc.fromGo)
			l.deliver(m, rc.toGo)
			expectRefused(t, l.decryptOn(m, rc.toGo), rc.toGo, duplicate)
			l.send(rc.fromGo)
			l.send(rc.toGo)
			l.send(rc.fromGo)
		})
	}
}

// TestDuplicatePreKeyMessageRejected replays the first (prekey) message after
// the session it set up is in use.
func TestDuplicatePreKeyMessageRejected(t *testing.T) {
	for _, rc := range receivers {
		t.Run(rc.name, func(t *testing.T) {
			l := newLink(t)
			l.startSession(rc.fromGo, true)
			first := l.sendOnly(rc.fromGo)
			expectType(t, first, crypto.MessageTypePreKey, "first message")
			l.deliver(first, rc.toGo)
			l.send(rc.toGo)
			expectRefused(t, l.decryptOn(first, rc.toGo), rc.toGo, duplicate)
			l.send(rc.fromGo)
			l.send(rc.toGo)
		})
	}
}

// tamperMAC flips a bit in the 8-byte MAC that ends every SignalMessage; in
// a PreKeySignalMessage, in the MAC of the SignalMessage it carries (field 4,
// which encoders need not put last).
func tamperMAC(t testing.TB, m message) message {
	t.Helper()
	body := append([]byte(nil), m.body...)
	end := len(body)
	if m.typ == crypto.MessageTypePreKey {
		end = protobufFieldEnd(t, body[1:], preKeyMessageField) + 1
	}
	body[end-1] ^= 0x80
	m.body = body
	return m
}

// preKeyMessageField is the number of the SignalMessage field in libsignal's
// PreKeySignalMessage protobuf.
const preKeyMessageField = 4

// protobufFieldEnd returns the offset in b just past the bytes of
// length-delimited field num.
func protobufFieldEnd(t testing.TB, b []byte, num uint64) int {
	t.Helper()
	varint := func(i int) (uint64, int) {
		var v uint64
		for shift := 0; i < len(b) && shift < 64; shift += 7 {
			c := b[i]
			i++
			v |= uint64(c&0x7f) << shift
			if c < 0x80 {
				return v, i
			}
		}
		t.Fatalf("bad varint in %x", b)
		return 0, 0
	}
	for i := 0; i < len(b); {
		key, next := varint(i)
		i = next
		switch key & 7 {
		case 0:
			_, i = varint(i)
		case 2:
			n, next := varint(i)
			i = next + int(n)
			if key>>3 == num {
				return i
			}
		default:
			t.Fatalf("unexpected wire type %d in %x", key&7, b)
		}
	}
	t.Fatalf("no field %d in %x", num, b)
	return 0
}

// refuseTamperedThenDeliver has the receiver (Go when toGo) refuse m with
// its MAC altered and then decrypt m itself, so the refusal changed
// nothing; the session then works both ways.
func (l *link) refuseTamperedThenDeliver(m message, toGo bool) {
	l.t.Helper()
	expectRefused(l.t, l.decryptOn(tamperMAC(l.t, m), toGo), toGo, tampered)
	l.deliver(m, toGo)
	l.send(toGo)
	l.send(!toGo)
}

// TestTamperedMACRejected alters the MAC of a message in the current chain,
// of the first message of a new chain (whose decrypt would turn the
// ratchet), and of a session's first PreKeySignalMessage (whose decrypt would
// set the session up and use the one-time prekey). Each is refused, and the
// genuine message then decrypts, so the refusal changed nothing.
func TestTamperedMACRejected(t *testing.T) {
	for _, rc := range receivers {
		t.Run(rc.name+"/SameChain", func(t *testing.T) {
			l := established(t, true)
			l.send(rc.fromGo)
			m := l.sendOnly(rc.fromGo)
			l.refuseTamperedThenDeliver(m, rc.toGo)
		})
		t.Run(rc.name+"/NewChain", func(t *testing.T) {
			l := established(t, true)
			l.send(rc.toGo) // the sender's next message starts a new chain
			m := l.sendOnly(rc.fromGo)
			l.refuseTamperedThenDeliver(m, rc.toGo)
		})
		t.Run(rc.name+"/PreKeyMessage", func(t *testing.T) {
			l := newLink(t)
			l.startSession(rc.fromGo, true)
			m := l.sendOnly(rc.fromGo)
			expectType(t, m, crypto.MessageTypePreKey, "first message")
			l.refuseTamperedThenDeliver(m, rc.toGo)
		})
	}
}

// TestPlaintextSizes crosses the AES-CBC padding boundaries both ways.
func TestPlaintextSizes(t *testing.T) {
	sizes := []int{0, 1, 15, 16, 17, 31, 32, 33, 100, 1000, 10000}
	for _, side := range sides {
		t.Run(side.name, func(t *testing.T) {
			l := established(t, side.goInitiates)
			for _, n := range sizes {
				pt := make([]byte, n)
				if _, err := rand.Read(pt); err != nil {
					t.Fatal(err)
				}
				l.jsReceives(l.goSendsText(pt))
				l.goReceives(l.jsSendsText(pt))
			}
		})
	}
}
