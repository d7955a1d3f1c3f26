package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"sambung/wire"
)

var ctx = context.Background()

func openTest(t testing.TB, dir string, opts Options) *Badger {
	t.Helper()
	opts.Dir = dir
	s, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const alice = "aaaaaaaaaaaaaaaaaaaaaaaaaa"
const bob = "bbbbbbbbbbbbbbbbbbbbbbbbbb"

func key33(b byte) []byte { k := bytes.Repeat([]byte{b}, 33); k[0] = 0x05; return k }

func newDevice(tok byte, prekeys int) NewDevice {
	d := NewDevice{Device: Device{
		RegistrationID: 7,
		IdentityKey:    key33(tok),
		SignedPreKey:   wire.SignedPreKey{ID: 1, PublicKey: key33(tok + 1), Signature: make([]byte, 64)},
		TokenHash:      sha256.Sum256([]byte{tok}),
	}}
	for i := 0; i < prekeys; i++ {
		d.PreKeys = append(d.PreKeys, wire.PreKey{ID: uint32(i + 1), PublicKey: key33(byte(i))})
	}
	return d
}

// withDevices creates persons alice (devices 1, 2) and bob (device 1).
func withDevices(t *testing.T, s *Badger) {
	t.Helper()
	now := time.Now()
	if _, err := s.CreatePerson(ctx, alice, wire.AccountAddress("alice"), Identity{}, newDevice(1, 3), now); err != nil {
		t.Fatal(err)
	}
	if id, err := s.AddDevice(ctx, alice, newDevice(2, 0), now); err != nil || id != 2 {
		t.Fatal(id, err)
	}
	if _, err := s.CreatePerson(ctx, bob, wire.PhoneAddress("+6281234567890"), Identity{}, newDevice(3, 1), now); err != nil {
		t.Fatal(err)
	}
}

func env(id string, body string) wire.Envelope {
	return wire.Envelope{ID: id, From: alice, FromDevice: 1, Type: 3, Body: []byte(body), TS: 1, ServerTS: 2}
}

func TestMailboxAppendReadDelete(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir, Options{})
	withDevices(t, s)
	bobBox := MailboxID{bob, 1}
	for i := 0; i < 5; i++ {
		res, err := s.Append(ctx, []Append{{To: bobBox, Envelope: env(fmt.Sprint("m", i), fmt.Sprint("body", i))}})
		if err != nil || res.Stored != 1 {
			t.Fatal(res, err)
		}
	}
	got, err := s.Read(ctx, bobBox, 0, 100, 1<<20)
	if err != nil || len(got) != 5 {
		t.Fatal(len(got), err)
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) || e.ID != fmt.Sprint("m", i) || string(e.Body) != fmt.Sprint("body", i) || e.From != alice || e.Type != 3 {
			t.Fatalf("envelope %d: %+v", i, e)
		}
	}
	if got, _ := s.Read(ctx, bobBox, 3, 100, 1<<20); len(got) != 2 || got[0].Seq != 4 {
		t.Fatalf("read after 3: %+v", got)
	}
	if got, _ := s.Read(ctx, bobBox, 0, 2, 1<<20); len(got) != 2 {
		t.Fatalf("limit: %d", len(got))
	}
	if got, _ := s.Read(ctx, bobBox, 0, 100, 1); len(got) != 1 {
		t.Fatalf("maxBytes still returns one: %d", len(got))
	}
	if n, err := s.Delete(ctx, bobBox, []uint64{1, 2, 2, 99}); err != nil || n != 2 {
		t.Fatal(n, err)
	}
	if d, _ := s.Depth(ctx, bobBox); d != 3 || s.QueueDepth() != 3 {
		t.Fatalf("depth %d, queue %d", d, s.QueueDepth())
	}
	// A resend of a deleted envelope is a duplicate (tombstone); of a
	// queued one too.
	res, err := s.Append(ctx, []Append{{To: bobBox, Envelope: env("m1", "x")}, {To: MailboxID{alice, 2}, Envelope: env("m4", "x")}})
	if err != nil || res.Stored != 1 || res.Duplicates != 1 {
		t.Fatal(res, err)
	}
	res, err = s.Append(ctx, []Append{{To: bobBox, Envelope: env("m1", "x")}, {To: bobBox, Envelope: env("m4", "x")}})
	if err == nil {
		// The same device twice in one batch is the caller's bug, but
		// both are duplicates here.
		if res.Duplicates != 2 {
			t.Fatal(res)
		}
	}
	// A different sender may use the same id.
	other := env("m4", "y")
	other.From = bob
	if res, err := s.Append(ctx, []Append{{To: bobBox, Envelope: other}}); err != nil || res.Stored != 1 {
		t.Fatal(res, err)
	}
	s.Close()

	// Restart: envelopes, seqs and dedupe survive.
	s = openTest(t, dir, Options{})
	defer s.Close()
	got, _ = s.Read(ctx, bobBox, 0, 100, 1<<20)
	if len(got) != 4 || got[0].Seq != 3 || got[3].Seq != 6 || s.QueueDepth() != 5 {
		t.Fatalf("after restart: %d envelopes, first %d, queue %d", len(got), got[0].Seq, s.QueueDepth())
	}
	if res, _ := s.Append(ctx, []Append{{To: bobBox, Envelope: env("m0", "x")}}); res.Duplicates != 1 {
		t.Fatal("tombstone lost on restart", res)
	}
	if res, _ := s.Append(ctx, []Append{{To: bobBox, Envelope: env("new", "x")}}); res.Stored != 1 {
		t.Fatal(res)
	}
	if got, _ := s.Read(ctx, bobBox, 6, 100, 1<<20); len(got) != 1 || got[0].Seq != 7 {
		t.Fatalf("seq after restart: %+v", got)
	}
	// Deleting everything and restarting never reuses a seq.
	s.Delete(ctx, bobBox, []uint64{3, 4, 5, 6, 7})
	s.Close()
	s = openTest(t, dir, Options{})
	s.Append(ctx, []Append{{To: bobBox, Envelope: env("newer", "x")}})
	if got, _ := s.Read(ctx, bobBox, 0, 100, 1<<20); len(got) != 1 || got[0].Seq != 8 {
		t.Fatalf("seq reused: %+v", got)
	}
}

func TestSeenTTL(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{SeenTTL: time.Second})
	defer s.Close()
	withDevices(t, s)
	box := MailboxID{bob, 1}
	s.Append(ctx, []Append{{To: box, Envelope: env("m", "x")}})
	s.Delete(ctx, box, []uint64{1})
	if res, _ := s.Append(ctx, []Append{{To: box, Envelope: env("m", "x")}}); res.Duplicates != 1 {
		t.Fatal("tombstone missing", res)
	}
	// Badger expires by the wall clock, in whole seconds: the tombstone goes
	// one to two seconds after the delete. A duplicate append writes
	// nothing, so polling with it changes nothing until it stores.
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := s.Append(ctx, []Append{{To: box, Envelope: env("m", "x")}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Stored == 1 {
			break
		}
		if res.Duplicates != 1 || time.Now().After(deadline) {
			t.Fatal("tombstone did not expire", res)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMailboxFullAllOrNothing(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{MaxDepth: 3, Shares: Shares{SenderShare: 3, StrangerDepth: 3}})
	defer s.Close()
	withDevices(t, s)
	for i := 0; i < 3; i++ {
		if _, err := s.Append(ctx, []Append{{To: MailboxID{bob, 1}, Envelope: env(fmt.Sprint(i), "x")}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.Append(ctx, []Append{{To: MailboxID{alice, 2}, Envelope: env("z", "x")}, {To: MailboxID{bob, 1}, Envelope: env("z", "x")}})
	if !errors.Is(err, ErrMailboxFull) {
		t.Fatal(err)
	}
	if d, _ := s.Depth(ctx, MailboxID{alice, 2}); d != 0 {
		t.Fatal("partial send stored")
	}
	// A resend of a stored id does not count against the depth.
	if res, err := s.Append(ctx, []Append{{To: MailboxID{bob, 1}, Envelope: env("0", "x")}}); err != nil || res.Duplicates != 1 {
		t.Fatal(res, err)
	}
}

func TestRemovedDeviceDropped(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	defer s.Close()
	withDevices(t, s)
	box := MailboxID{alice, 2}
	s.Append(ctx, []Append{{To: box, Envelope: env("a", "x")}, {To: MailboxID{bob, 1}, Envelope: env("a", "x")}})
	if err := s.RemoveDevice(ctx, alice, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.Drop(ctx, box); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Depth(ctx, box); d != 0 || s.QueueDepth() != 1 {
		t.Fatalf("after drop: depth %d queue %d", d, s.QueueDepth())
	}
	res, err := s.Append(ctx, []Append{{To: box, Envelope: env("b", "x")}})
	if err != nil || res.Dropped != 1 {
		t.Fatal(res, err)
	}
	if _, _, err := s.Authenticate(ctx, sha256.Sum256([]byte{2})); !errors.Is(err, ErrNotFound) {
		t.Fatal("removed device's token still works", err)
	}
	if err := s.RemoveDevice(ctx, alice, 2); !errors.Is(err, ErrUnknownDevice) {
		t.Fatal(err)
	}
	// Ids are never reused.
	if id, _ := s.AddDevice(ctx, alice, newDevice(9, 0), time.Now()); id != 3 {
		t.Fatal("new device id", id)
	}
}

func TestDirectory(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	defer s.Close()
	withDevices(t, s)
	if _, err := s.CreatePerson(ctx, "cccccccccccccccccccccccccc", wire.AccountAddress("alice"), Identity{}, newDevice(5, 0), time.Now()); !errors.Is(err, ErrTaken) {
		t.Fatal(err)
	}
	if err := s.Link(ctx, alice, wire.PhoneAddress("+6281234567890"), Identity{}); !errors.Is(err, ErrTaken) {
		t.Fatal(err)
	}
	if err := s.Link(ctx, alice, wire.AccountAddress("alice2"), Identity{}); !errors.Is(err, ErrAlreadyLinked) {
		t.Fatal(err)
	}
	if err := s.Link(ctx, alice, wire.PhoneAddress("+6289999999999"), Identity{}); err != nil {
		t.Fatal(err)
	}
	if id, err := s.Identity(ctx, wire.PhoneAddress("+6289999999999")); err != nil || id.Person != alice {
		t.Fatal(id, err)
	}
	if err := s.Unlink(ctx, alice, wire.AccountAddress("alice")); err != nil {
		t.Fatal(err)
	}
	if err := s.Unlink(ctx, alice, wire.PhoneAddress("+6289999999999")); !errors.Is(err, ErrLastIdentity) {
		t.Fatal(err)
	}
	if err := s.Unlink(ctx, alice, wire.AccountAddress("alice")); !errors.Is(err, ErrNotLinked) {
		t.Fatal(err)
	}
	p, devs, err := s.Person(ctx, alice)
	if err != nil || len(p.Identities) != 1 || len(devs) != 2 {
		t.Fatal(p, devs, err)
	}
	if ids, _ := s.DeviceIDs(ctx, alice); len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Fatal(ids)
	}
	if _, err := s.DeviceIDs(ctx, "zzzzzzzzzzzzzzzzzzzzzzzzzz"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if p, d, err := s.Authenticate(ctx, sha256.Sum256([]byte{2})); err != nil || p != alice || d != 2 {
		t.Fatal(p, d, err)
	}
	for i := 3; i <= wire.MaxDevicesPerPerson; i++ {
		if _, err := s.AddDevice(ctx, alice, newDevice(byte(10+i), 0), time.Now()); err != nil {
			t.Fatal(i, err)
		}
	}
	if _, err := s.AddDevice(ctx, alice, newDevice(99, 0), time.Now()); !errors.Is(err, ErrTooManyDevices) {
		t.Fatal(err)
	}
}

func TestPreKeys(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	defer s.Close()
	withDevices(t, s)
	// alice has 3 prekeys on device 1 and none on device 2.
	all := func(uint32) bool { return true }
	b, err := s.TakeBundles(ctx, alice, nil, all)
	if err != nil || len(b) != 2 || b[0].OneTimePreKey == nil || b[0].OneTimePreKey.ID != 1 || b[0].Left != 2 || !b[0].Taken || b[1].OneTimePreKey != nil || b[1].Taken {
		t.Fatalf("%+v %v", b, err)
	}
	// Bundles without taking: the keys stay.
	for _, take := range []func(uint32) bool{nil, func(uint32) bool { return false }} {
		b, err := s.TakeBundles(ctx, alice, []uint32{1}, take)
		if err != nil || len(b) != 1 || b[0].OneTimePreKey != nil || b[0].Taken || b[0].Left != 2 || len(b[0].IdentityKey) != 33 {
			t.Fatalf("%+v %v", b, err)
		}
	}
	if _, err := s.TakeBundles(ctx, alice, []uint32{5}, all); !errors.Is(err, ErrUnknownDevice) {
		t.Fatal(err)
	}
	// Concurrent lookups never share a key.
	var mu sync.Mutex
	got := map[uint32]int{}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := s.TakeBundles(ctx, alice, []uint32{1}, all)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			if k := b[0].OneTimePreKey; k != nil {
				got[k.ID]++
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(got) != 2 || got[2] != 1 || got[3] != 1 {
		t.Fatalf("keys taken: %v", got)
	}
	n, err := s.AddPreKeys(ctx, alice, 2, []wire.PreKey{{ID: 1, PublicKey: key33(1)}, {ID: 2, PublicKey: key33(2)}})
	if err != nil || n != 2 {
		t.Fatal(n, err)
	}
	if n, _ := s.AddPreKeys(ctx, alice, 2, []wire.PreKey{{ID: 2, PublicKey: key33(3)}}); n != 2 {
		t.Fatal("replacing an id changed the count", n)
	}
	var many []wire.PreKey
	for i := 0; i < wire.MaxStoredPreKeys-1; i++ {
		many = append(many, wire.PreKey{ID: uint32(100 + i), PublicKey: key33(1)})
	}
	if _, err := s.AddPreKeys(ctx, alice, 2, many); !errors.Is(err, ErrTooManyPreKeys) {
		t.Fatal(err)
	}
	if err := s.SetSignedPreKey(ctx, alice, 2, wire.SignedPreKey{ID: 9, PublicKey: key33(9), Signature: make([]byte, 64)}); err != nil {
		t.Fatal(err)
	}
	if c, id, err := s.KeyStatus(ctx, alice, 2); c != 2 || id != 9 || err != nil {
		t.Fatal(c, id, err)
	}
}

func TestUpdateCode(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	defer s.Close()
	phone := "+6281234567890"
	errWrong := errors.New("wrong")
	err := s.UpdateCode(ctx, phone, time.Minute, func(rec *CodeRecord, found bool) (bool, bool, error) {
		if found {
			t.Error("found before any code")
		}
		rec.MAC = []byte{1}
		return true, false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A failing fn still commits its change.
	err = s.UpdateCode(ctx, phone, time.Minute, func(rec *CodeRecord, found bool) (bool, bool, error) {
		rec.Tries++
		return true, false, errWrong
	})
	if !errors.Is(err, errWrong) {
		t.Fatal(err)
	}
	s.UpdateCode(ctx, phone, time.Minute, func(rec *CodeRecord, found bool) (bool, bool, error) {
		if !found || rec.Tries != 1 {
			t.Errorf("tries not kept: %+v %v", rec, found)
		}
		return false, true, nil
	})
	s.UpdateCode(ctx, phone, time.Minute, func(rec *CodeRecord, found bool) (bool, bool, error) {
		if found {
			t.Error("deleted code still there")
		}
		return false, false, nil
	})
	a, _ := s.Secret(ctx, "otp", 32)
	b, _ := s.Secret(ctx, "otp", 32)
	if len(a) != 32 || !bytes.Equal(a, b) {
		t.Fatal("secret not stable")
	}
}

func TestEnvelopeCodec(t *testing.T) {
	e := wire.Envelope{ID: "m1", From: alice, FromDevice: 3, Dest: bob, Type: 3, Body: []byte("hello"), TS: -5, ServerTS: 1 << 60}
	var g wire.Envelope
	if err := decodeEnvelope(encodeEnvelope(&e), &g); err != nil || fmt.Sprint(g) != fmt.Sprint(e) {
		t.Fatalf("%+v %v", g, err)
	}
	from, dev, id, err := envelopeIDs(encodeEnvelope(&e))
	if err != nil || from != alice || dev != 3 || id != "m1" {
		t.Fatal(from, dev, id, err)
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	e := wire.Envelope{ID: "m1", From: alice, FromDevice: 3, Dest: bob, Type: 3, Body: []byte("hello"), TS: 5, ServerTS: 6}
	f.Add(encodeEnvelope(&e))
	f.Add(encodeEnvelope(&wire.Envelope{}))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e wire.Envelope
		if err := decodeEnvelope(b, &e); err != nil {
			return
		}
		if !bytes.Equal(encodeEnvelope(&e), b) {
			t.Fatalf("re-encode differs")
		}
		if from, dev, id, err := envelopeIDs(b); err != nil || from != e.From || dev != e.FromDevice || id != e.ID {
			t.Fatal(from, dev, id, err)
		}
	})
}

// TestSplitFlush makes one flush too big for one Badger transaction: the
// writer commits it in parts and every envelope still lands once.
func TestSplitFlush(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{MemTableSize: 4 << 20})
	defer s.Close()
	withDevices(t, s)
	big := bytes.Repeat([]byte{7}, wire.MaxEnvelopeBody)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var batch []Append
			for i := 0; i < 4; i++ {
				e := env(fmt.Sprint(g, "-", i), "")
				e.Body = big
				batch = append(batch, Append{To: MailboxID{bob, 1}, Envelope: e})
				_ = i
			}
			// Four envelopes for one device in one batch is not what the
			// relay sends, but the store must cope.
			if res, err := s.Append(ctx, batch); err != nil || res.Stored != 4 {
				t.Error(res, err)
			}
		}()
	}
	wg.Wait()
	got, err := s.Read(ctx, MailboxID{bob, 1}, 0, 100, 1<<30)
	if err != nil || len(got) != 16 || s.QueueDepth() != 16 {
		t.Fatalf("%d envelopes, queue %d, %v", len(got), s.QueueDepth(), err)
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) || !bytes.Equal(e.Body, big) {
			t.Fatalf("envelope %d seq %d", i, e.Seq)
		}
	}
}

// TestDeviceIDsCache checks that the cached device list follows every add
// and removal, and that the caller cannot corrupt the cache through the
// returned slice.
func TestDeviceIDsCache(t *testing.T) {
	s := openTest(t, t.TempDir(), Options{})
	defer s.Close()
	withDevices(t, s)
	ids, err := s.DeviceIDs(ctx, alice)
	if err != nil || !slices.Equal(ids, []uint32{1, 2}) {
		t.Fatal(ids, err)
	}
	ids[0] = 77
	if ids, _ := s.DeviceIDs(ctx, alice); !slices.Equal(ids, []uint32{1, 2}) {
		t.Fatal("cache changed through a returned slice:", ids)
	}
	id, err := s.AddDevice(ctx, alice, newDevice(40, 0), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.DeviceIDs(ctx, alice); !slices.Equal(ids, []uint32{1, 2, id}) {
		t.Fatal("after add:", ids)
	}
	if err := s.RemoveDevice(ctx, alice, 1); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.DeviceIDs(ctx, alice); !slices.Equal(ids, []uint32{2, id}) {
		t.Fatal("after remove:", ids)
	}
	// A read that raced with a change must not cache what it read.
	_, gen, _ := s.devices.get(alice)
	s.devices.invalidate(alice)
	s.devices.put(alice, []uint32{9}, gen)
	if ids, _ := s.DeviceIDs(ctx, alice); !slices.Equal(ids, []uint32{2, id}) {
		t.Fatal("stale read cached:", ids)
	}
}

// TestEnvelopeStoredByOldRelay reads an envelope in the bytes the relay
// wrote before wire.Envelope replaced store.Envelope: version 1, ts,
// serverTs, fromDevice, type, then from, dest, id with a length byte each,
// then the body.
func TestEnvelopeStoredByOldRelay(t *testing.T) {
	old, _ := hex.DecodeString("01" + "0000000000000007" + "0000000000000009" + "00000002" + "03" +
		"0161" + "0162" + "026d31" + "6869")
	var e wire.Envelope
	if err := decodeEnvelope(old, &e); err != nil {
		t.Fatal(err)
	}
	want := wire.Envelope{ID: "m1", From: "a", FromDevice: 2, Dest: "b", Type: 3, Body: []byte("hi"), TS: 7, ServerTS: 9}
	if fmt.Sprint(e) != fmt.Sprint(want) {
		t.Fatalf("got %+v", e)
	}
	if !bytes.Equal(encodeEnvelope(&e), old) {
		t.Fatal("the stored form changed")
	}
}
