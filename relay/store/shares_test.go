package store

import (
	"errors"
	"fmt"
	"sambung/wire"
	"strings"
	"testing"
)

// TestShares checks every limit of Shares at the store, and that the
// writer's counts survive deletes (remembered or read back) and a restart.
func TestShares(t *testing.T) {
	dir := t.TempDir()
	sh := Shares{SenderShare: 4, StrangerShare: 2, StrangerDepth: 6, PersonBytes: 4000, StrangerBytes: 3000}
	s := openTest(t, dir, Options{MaxDepth: 8, Shares: sh})
	withDevices(t, s)
	box := MailboxID{bob, 1}
	n := 0
	send := func(from string, body string) error {
		n++
		e := wire.Envelope{ID: fmt.Sprint("m", n), From: from, FromDevice: 1, Type: 1, Body: []byte(body), TS: 1}
		_, err := s.Append(ctx, []Append{{To: box, Envelope: e}})
		return err
	}
	// Bob has written to alice: she is his contact; everyone else is a
	// stranger to him.
	hi := wire.Envelope{ID: "hi", From: bob, FromDevice: 1, Type: 1, Body: []byte("hi")}
	if _, err := s.Append(ctx, []Append{{To: MailboxID{alice, 1}, Envelope: hi, Wrote: true}}); err != nil {
		t.Fatal(err)
	}
	full := func(err error, what string) {
		t.Helper()
		if !errors.Is(err, ErrMailboxFull) {
			t.Fatalf("%s: %v, want mailbox full", what, err)
		}
	}
	ok := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	stranger := func(i int) string { return strings.Repeat(string(rune('c'+i)), 26) }

	// One stranger: two envelopes, then its share is spent.
	ok(send(stranger(0), "x"), "stranger 0, first")
	ok(send(stranger(0), "x"), "stranger 0, second")
	full(send(stranger(0), "x"), "stranger 0, third")
	// Strangers together stop at depth 6.
	for i := 1; i < 3; i++ {
		ok(send(stranger(i), "x"), "another stranger")
		ok(send(stranger(i), "x"), "another stranger")
	}
	full(send(stranger(3), "x"), "a fourth stranger at the stranger depth")
	// A contact still gets through, up to its share and the mailbox.
	ok(send(alice, "x"), "contact at the stranger depth")
	ok(send(alice, "x"), "contact, mailbox now full")
	full(send(alice, "x"), "contact past the mailbox")

	// Deleting through the writer's memory frees the shares again: both of
	// stranger 0's envelopes and one more, below the stranger depth.
	got, err := s.Read(ctx, box, 0, 100, 1<<20)
	if err != nil || len(got) != 8 {
		t.Fatal(len(got), err)
	}
	if _, err := s.Delete(ctx, box, []uint64{got[0].Seq, got[1].Seq, got[2].Seq}); err != nil {
		t.Fatal(err)
	}
	ok(send(stranger(0), "x"), "stranger 0 after its envelopes were acked")

	// After a restart the counts are read back from disk.
	s.Close()
	s = openTest(t, dir, Options{MaxDepth: 8, Shares: sh})
	defer s.Close()
	ok(send(alice, "x"), "contact after restart")
	ok(send(alice, "x"), "contact after restart, share now spent")
	got, _ = s.Read(ctx, box, 0, 100, 1<<20)
	if _, err := s.Delete(ctx, box, []uint64{got[0].Seq}); err != nil || got[0].From == alice {
		t.Fatal(got[0].From, err)
	}
	full(send(alice, "x"), "contact past its share, counted from disk")
	ok(send(bob, "x"), "bob's own copy, no share")
	got, _ = s.Read(ctx, box, 0, 100, 1<<20)
	var seqs []uint64
	for _, e := range got {
		seqs = append(seqs, e.Seq)
	}
	if _, err := s.Delete(ctx, box, seqs); err != nil { // read back, not remembered
		t.Fatal(err)
	}
	if d, _ := s.Depth(ctx, box); d != 0 {
		t.Fatal("depth", d)
	}

	// Bytes: strangers stop at 3,000 bytes of all bob's mailboxes, a
	// contact at 4,000; the owner's own copies count too.
	big := strings.Repeat("b", 900)
	ok(send(stranger(4), big), "stranger bytes")
	ok(send(stranger(5), big), "stranger bytes")
	ok(send(stranger(6), big), "stranger bytes")
	full(send(stranger(7), big), "a stranger past 3,000 bytes")
	ok(send(alice, big), "contact past the stranger bytes")
	full(send(alice, big), "contact past 4,000 bytes")
	full(send(bob, big), "bob's own copy past 4,000 bytes")
}

// TestContacts: an Append with Wrote records, in its commit, that the
// sender has written to the recipient, both ways round; one without does
// not.
func TestContacts(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	defer s.Close()
	withDevices(t, s)
	e := wire.Envelope{ID: "m", From: alice, FromDevice: 1, Type: 1, Body: []byte("x")}
	if _, err := s.Append(ctx, []Append{{To: MailboxID{bob, 1}, Envelope: e}}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := s.Wrote(ctx, alice, bob); ok {
		t.Fatal("recorded without Wrote")
	}
	e.ID = "m2"
	if _, err := s.Append(ctx, []Append{{To: MailboxID{bob, 1}, Envelope: e, Wrote: true}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Wrote(ctx, alice, bob); !ok || err != nil {
		t.Fatal("not recorded", err)
	}
	if ok, _ := s.Wrote(ctx, bob, alice); ok {
		t.Fatal("recorded the wrong way round")
	}
	if n, err := s.Writers(ctx, bob, 10); n != 1 || err != nil {
		t.Fatal(n, err)
	}
	if n, _ := s.Writers(ctx, alice, 10); n != 0 {
		t.Fatal(n)
	}
}
