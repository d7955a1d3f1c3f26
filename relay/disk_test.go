//go:build linux

package relay

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"sambung/wire"
)

// smallDisk returns a directory on a filesystem of its own: a 64 MiB
// tmpfs the test mounts where it may (as root), and reserve, the
// DiskReserve to use on it. Where it may not, it falls back to the
// temporary directory's filesystem with the reserve set 64 MiB below its
// free space now ("just above current use"); that filesystem is shared,
// so the fallback is only as steady as its other writers.
func smallDisk(t *testing.T) (dir string, reserve int64) {
	dir = t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=64m,mode=0700"); err == nil {
		t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
		return dir, 16 << 20
	}
	t.Log("cannot mount a tmpfs; using a reserve just below the free space of", dir)
	free, err := freeBytes(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, free - 64<<20
}

// filler stands for whatever else fills the disk (logs, another service,
// an operator's copy): grow makes it take bytes more of it.
type filler struct {
	t    *testing.T
	path string
	size int64
}

func (f *filler) grow(n int64) {
	f.t.Helper()
	fd, err := os.OpenFile(f.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		f.t.Fatal(err)
	}
	defer fd.Close()
	chunk := bytes.Repeat([]byte{0xa5}, 1<<20)
	for n > 0 {
		k := min(n, int64(len(chunk)))
		if _, err := fd.Write(chunk[:k]); err != nil {
			f.t.Fatal(err)
		}
		n -= k
		f.size += k
	}
	if err := fd.Sync(); err != nil {
		f.t.Fatal(err)
	}
}

// postBlob reserves a blob of size and returns its id, or the coded error.
func (r *testRelay) postBlob(token []byte, size int64) (string, *wire.Error) {
	r.t.Helper()
	resp, b := r.blobCall("POST", wire.PathBlobs, token, nil, []byte(fmt.Sprintf(`{"size":%d}`, size)))
	if resp.StatusCode == http.StatusCreated {
		var c wire.CreateResponse
		if err := json.Unmarshal(b, &c); err != nil {
			r.t.Fatal(err)
		}
		return c.ID, nil
	}
	var e wire.Error
	if err := json.Unmarshal(b, &e); err != nil || resp.StatusCode != e.Code.Status() {
		r.t.Fatalf("POST blob: %d %s", resp.StatusCode, b)
	}
	return "", &e
}

// TestFullDisk fills the relay's filesystem past its reserve: sends and
// blob uploads get storage_full, an upload in progress stops at the
// reserve keeping its bytes, while the recipient still drains and acks
// its mailbox and blobs are still fetched and deleted. The relay restarts
// on the full disk, loses no acknowledged envelope and delivers none
// twice, and takes sends again once space is back.
func TestFullDisk(t *testing.T) {
	dir, reserve := smallDisk(t)
	r := startRelay(t, func(c *Config) {
		c.DataDir = filepath.Join(dir, "data")
		c.BlobDir = filepath.Join(dir, "blobs")
		c.DiskReserve = reserve
	})
	alice, bob := r.aliceAndBob()
	a := r.dial(alice)
	const sent = 20
	for i := range sent {
		a.mustSend(bob.PersonID, []uint32{bob.DeviceID}, nil, fmt.Sprint("m", i), fmt.Sprint("before the disk filled ", i))
	}
	photo := make([]byte, 1<<20)
	rand.Read(photo)
	photoID, e := r.postBlob(alice.Token, int64(len(photo)))
	if e != nil {
		t.Fatal(e)
	}
	r.patchBlob(alice.Token, photoID, 0, photo)

	// Something else takes the disk down to 8 MiB above the reserve.
	fill := &filler{t: t, path: filepath.Join(dir, "filler")}
	free := r.srv.disk.refresh()
	fill.grow(free - reserve - 8<<20)

	// A blob that would cross the reserve is refused before any byte.
	if _, e := r.postBlob(alice.Token, 16<<20); e == nil || e.Code != wire.CodeStorageFull || e.RetryAfter != storageFullRetry {
		t.Fatalf("a 16 MiB blob with 8 MiB above the reserve: %+v", e)
	}
	// One that fits is taken; the reserve counts what it has yet to write.
	halfID, e := r.postBlob(alice.Token, 6<<20)
	if e != nil {
		t.Fatal(e)
	}
	if _, e := r.postBlob(alice.Token, 4<<20); e == nil || e.Code != wire.CodeStorageFull {
		t.Fatalf("4 MiB more while 6 MiB are promised and 8 MiB free: %+v", e)
	}
	half := make([]byte, 6<<20)
	rand.Read(half)
	r.patchBlob(alice.Token, halfID, 0, half[:3<<20])

	// The rest of the disk goes: now below the reserve.
	fill.grow(r.srv.disk.refresh() - reserve + 6<<20)
	if _, e := r.postBlob(alice.Token, 1); e == nil || e.Code != wire.CodeStorageFull {
		t.Fatalf("a new blob below the reserve: %+v", e)
	}
	resp, b := r.blobCall("PATCH", wire.PathBlobs+"/"+halfID, alice.Token, map[string]string{
		"Content-Type": wire.ContentTypeOffset, "Upload-Offset": strconv.Itoa(3 << 20)}, half[3<<20:])
	wantBlobError(t, resp, b, wire.CodeStorageFull)
	if got := resp.Header.Get(wire.HeaderUploadOffset); got != strconv.Itoa(3<<20) {
		t.Fatalf("refused PATCH: Upload-Offset %q, want the durable %d", got, 3<<20)
	}
	refused := a.sendTo(bob.PersonID, []uint32{bob.DeviceID}, nil, "refused", "while the disk is full")
	if ef, ok := refused.(*wire.ErrorFrame); !ok || ef.Code != wire.CodeStorageFull || ef.RetryAfter != storageFullRetry {
		t.Fatalf("send below the reserve: %+v", refused)
	}
	if r.metric("sambung_storage_full") != 1 {
		t.Fatal("sambung_storage_full is not 1")
	}

	// Reads, acks and deletes still work: bob drains half his mailbox.
	bw := r.dial(bob)
	got := bw.receive(sent)
	bw.ack(got[:sent/2])
	bw.send(&wire.PingFrame{ID: "acks-durable"})
	expect[*wire.PongFrame](bw)
	resp, b = r.blobCall("GET", wire.PathBlobs+"/"+photoID, bob.Token, nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(b, photo) {
		t.Fatalf("GET of a blob on the full disk: %d, %d bytes", resp.StatusCode, len(b))
	}
	resp, _ = r.blobCall("DELETE", wire.PathBlobs+"/"+halfID, alice.Token, nil, nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE on the full disk: %d", resp.StatusCode)
	}

	// A restart on the still full disk: it opens, refuses sends, and
	// delivers the unacknowledged half, once.
	a.c.CloseNow()
	bw.c.CloseNow()
	r.restart()
	if r.srv.disk.refresh() >= reserve {
		t.Fatal("the disk is no longer below the reserve; the test filled too little")
	}
	a = r.dial(alice)
	if f, ok := a.sendTo(bob.PersonID, []uint32{bob.DeviceID}, nil, "refused2", "still full").(*wire.ErrorFrame); !ok || f.Code != wire.CodeStorageFull {
		t.Fatalf("send after a restart on a full disk: %+v", f)
	}
	bw = r.dial(bob)
	again := bw.receive(sent / 2)
	for i, env := range again {
		if want := got[sent/2+i]; env.ID != want.ID || env.Seq != want.Seq {
			t.Fatalf("after restart envelope %d is %s/%d, want %s/%d", i, env.ID, env.Seq, want.ID, want.Seq)
		}
	}
	expect[*wire.DrainedFrame](bw)
	bw.ack(again)

	// Space comes back: the next look lets sends through again.
	if err := os.Remove(fill.path); err != nil {
		t.Fatal(err)
	}
	r.srv.disk.refresh()
	a.mustSend(bob.PersonID, []uint32{bob.DeviceID}, nil, "after", "space is back")
	if env := bw.receive(1)[0]; env.ID != "after" {
		t.Fatalf("after space came back: %+v", env)
	}
	if r.metric("sambung_storage_full") != 0 {
		t.Fatal("sambung_storage_full is still 1")
	}
}
