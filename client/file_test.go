//go:build !js

package client_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sambung/client"
	"sambung/client/attach"
)

// TestSendFileBothKinds: a file pointer goes from a phone user to an
// account user inside the ratchet; both sides show its name, type, size
// and thumbnail, and only FilePointer gives the key and digest back.
func TestSendFileBothKinds(t *testing.T) {
	r := startRelay(t)
	alice, bob := pairOf(t, r, "+62 812-3456-7890", "bob")

	p := &attach.Pointer{
		BlobID: "3f2a9c0e5b7d41a8be0c6d2f9e1a7b54", Size: 70000,
		MIME: "image/png", FileName: "../../foto pantai.png",
		Thumbnail: []byte("\x89PNG\r\n\x1a\n tiny"), Width: 640, Height: 480,
	}
	p.Key[0], p.Key[31] = 7, 9
	p.Digest[5] = 3
	want := attach.SanitizeFileName(p.FileName)
	m, err := alice.c.SendFile(ctx, "account:bob", p, "di pantai")
	if err != nil {
		t.Fatal(err)
	}
	if m.File == nil || m.File.Name != want || strings.Contains(want, "/") || m.Text != "di pantai" || m.Status != client.StatusPending {
		t.Fatalf("sent: %+v %+v", m, m.File)
	}
	ap, bp := alice.me(), bob.me()
	got := bob.waitText(ap.PersonID, "di pantai")
	f := got.File
	if f == nil || f.Name != want || f.MIME != "image/png" || f.Size != 70000 ||
		f.Width != 640 || f.Height != 480 || !bytes.Equal(f.Thumbnail, p.Thumbnail) {
		t.Fatalf("bob got %+v", f)
	}
	gp, err := bob.c.FilePointer(ctx, ap.PersonID, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !gp.Key.Equal(&p.Key) || !gp.Digest.Equal(&p.Digest) || gp.BlobID != p.BlobID {
		t.Fatal("bob's pointer differs from alice's")
	}
	alice.waitStatus(bp.PersonID, m.ID, client.StatusDelivered)

	// A text message has no pointer; an unknown id is reported as such.
	tm := alice.send("account:bob", "plain")
	if _, err := alice.c.FilePointer(ctx, bp.PersonID, tm.ID); !errors.Is(err, client.ErrNotAFile) {
		t.Fatalf("text message: %v", err)
	}
	if _, err := alice.c.FilePointer(ctx, bp.PersonID, "nope"); !errors.Is(err, client.ErrUnknownMessage) {
		t.Fatalf("unknown message: %v", err)
	}
	// A pointer that breaks a bound is refused before anything is stored.
	bad := *p
	bad.BlobID = "no/slashes"
	if _, err := alice.c.SendFile(ctx, "account:bob", &bad, ""); !errors.Is(err, client.ErrBadInput) {
		t.Fatalf("bad pointer: %v", err)
	}
	// Nor sent: a later text reaches Bob, and nothing before it but the
	// two messages.
	after := barrier(alice, bob)
	want = fmt.Sprint([]string{m.ID, tm.ID, after.ID})
	if got := fmt.Sprint(ids(alice.history(bp.PersonID))); got != want {
		t.Fatalf("alice's history: %s, want %s", got, want)
	}
	if got := fmt.Sprint(ids(bob.history(ap.PersonID))); got != want {
		t.Fatalf("bob's history: %s, want %s", got, want)
	}
}
