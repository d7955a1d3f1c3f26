package crypto

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"testing"
)

// The transcript vectors are conversations between two libsignal-node
// parties with every key fixed (testdata/gen/libsignal_transcript.js). A Go
// party given the same identity, prekeys and random bytes must decrypt every
// message the other side sent and encrypt every message of its own to the
// very same bytes.

type transcriptFile struct {
	Transcripts []transcript `json:"transcripts"`
}

type transcript struct {
	OneTimePreKey bool `json:"oneTimePreKey"`
	Alice         struct {
		Identity       string   `json:"identity"`
		RegistrationID uint32   `json:"registrationId"`
		SetupRand      []string `json:"setupRand"`
	} `json:"alice"`
	Bob struct {
		Identity              string `json:"identity"`
		RegistrationID        uint32 `json:"registrationId"`
		SignedPreKeyID        uint32 `json:"signedPreKeyId"`
		SignedPreKey          string `json:"signedPreKey"`
		SignedPreKeySignature string `json:"signedPreKeySignature"`
		PreKeyID              uint32 `json:"preKeyId"`
		PreKey                string `json:"preKey"`
	} `json:"bob"`
	Events []struct {
		From         string   `json:"from"`
		Type         int      `json:"type"`
		Body         string   `json:"body"`
		Plaintext    string   `json:"plaintext"`
		ReceiverRand []string `json:"receiverRand"`
	} `json:"events"`
}

func loadTranscripts(tb testing.TB) []transcript {
	tb.Helper()
	var f transcriptFile
	loadJSON(tb, "libsignal_transcript.json", &f)
	if len(f.Transcripts) == 0 {
		tb.Fatal("no transcripts")
	}
	return f.Transcripts
}

// scriptedRand yields fixed bytes and fails once they run out, so an extra
// draw shows up as an error.
type scriptedRand struct{ b []byte }

func (r *scriptedRand) add(tb testing.TB, hexes []string) {
	for _, h := range hexes {
		r.b = append(r.b, unhex(tb, h)...)
	}
}

func (r *scriptedRand) Read(p []byte) (int, error) {
	if len(r.b) < len(p) {
		return 0, errors.New("scripted rand exhausted")
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// fromHex decodes s and parses it with parse, failing the test on an
// error.
func fromHex[T any](tb testing.TB, s string, parse func([]byte) (T, error)) T {
	tb.Helper()
	v, err := parse(unhex(tb, s))
	if err != nil {
		tb.Fatalf("%s: %v", s, err)
	}
	return v
}

func privFromHex(tb testing.TB, s string) *PrivateKey {
	tb.Helper()
	return fromHex(tb, s, NewPrivateKey)
}

func TestLibsignalTranscript(t *testing.T) {
	for _, tr := range loadTranscripts(t) {
		for _, we := range []string{"alice", "bob"} {
			t.Run(we, func(t *testing.T) { replayTranscript(t, &tr, we) })
		}
	}
}

func replayTranscript(t *testing.T, tr *transcript, we string) {
	aliceAddr := Address{Name: "alice", DeviceID: 1}
	bobAddr := Address{Name: "bob", DeviceID: 1}
	bobSigned := privFromHex(t, tr.Bob.SignedPreKey)
	bobOneTime := privFromHex(t, tr.Bob.PreKey)
	rnd := new(scriptedRand)
	var st *MemoryStore
	var peer Address
	if we == "alice" {
		st = NewMemoryStore(privFromHex(t, tr.Alice.Identity), tr.Alice.RegistrationID)
		peer = bobAddr
		b := &PreKeyBundle{
			RegistrationID:        tr.Bob.RegistrationID,
			DeviceID:              1,
			IdentityKey:           privFromHex(t, tr.Bob.Identity).PublicKey(),
			SignedPreKeyID:        tr.Bob.SignedPreKeyID,
			SignedPreKey:          bobSigned.PublicKey(),
			SignedPreKeySignature: unhex(t, tr.Bob.SignedPreKeySignature),
		}
		if tr.OneTimePreKey {
			b.PreKeyID = tr.Bob.PreKeyID
			b.PreKey = ptr(bobOneTime.PublicKey())
		}
		rnd.add(t, tr.Alice.SetupRand)
		if err := ProcessPreKeyBundle(context.Background(), st, peer, b, rnd); err != nil {
			t.Fatal(err)
		}
	} else {
		st = NewMemoryStore(privFromHex(t, tr.Bob.Identity), tr.Bob.RegistrationID)
		peer = aliceAddr
		st.AddSignedPreKey(tr.Bob.SignedPreKeyID, bobSigned)
		st.AddPreKey(tr.Bob.PreKeyID, bobOneTime)
	}
	for i, ev := range tr.Events {
		body := unhex(t, ev.Body)
		if ev.From == we {
			typ, got, err := Encrypt(context.Background(), st, peer, []byte(ev.Plaintext))
			if err != nil {
				t.Fatalf("event %d: encrypt: %v", i, err)
			}
			if want := libsignalNodeType(ev.Type); typ != want {
				t.Fatalf("event %d: type %d, libsignal sent %d", i, typ, want)
			}
			if !bytes.Equal(got, body) {
				t.Fatalf("event %d: our bytes differ from libsignal's\nours %x\ntheirs %x", i, got, body)
			}
			continue
		}
		rnd.add(t, ev.ReceiverRand)
		pt, err := Decrypt(context.Background(), st, peer, MessageType(ev.Type), body, rnd)
		if err != nil {
			t.Fatalf("event %d (%s, type %d): decrypt: %v", i, ev.From, ev.Type, err)
		}
		if string(pt) != ev.Plaintext {
			t.Fatalf("event %d: got %q, want %q", i, pt, ev.Plaintext)
		}
		if len(rnd.b) != 0 {
			t.Fatalf("event %d: libsignal drew %d more random bytes than we did", i, len(rnd.b))
		}
	}
	if we == "bob" && tr.OneTimePreKey {
		if _, err := st.LoadPreKey(context.Background(), tr.Bob.PreKeyID); err == nil {
			t.Fatal("one-time prekey not removed")
		}
	}
}

// libsignalNodeType maps libsignal-node's message type numbers to ours.
func libsignalNodeType(t int) MessageType {
	if t == int(messageTypeWhisper) {
		return MessageTypeSignal
	}
	return MessageType(t)
}
