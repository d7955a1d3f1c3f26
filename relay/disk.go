//go:build !js

package relay

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"sambung/wire"
)

// A full disk. Badger writes through memory-mapped files, and a write to
// a mapped page the filesystem has no block for kills the process with
// SIGBUS, on open as much as in a commit. So the relay must never fill
// its disk: it watches the free space of the data and blob directories
// and, below DiskReserve, refuses what adds data (sends, new blobs, blob
// bytes) with storage_full, while reads, acks and deletes, which are what
// lets mailboxes drain and space come back, go on in the reserve.

// storageFullRetry is the Retry-After of storage_full: space comes back
// when devices drain their mailboxes or an operator acts, not in seconds.
const storageFullRetry = 60

// diskGuard watches the free space of some directories.
type diskGuard struct {
	dirs    []string
	reserve int64
	every   time.Duration
	log     *slog.Logger

	mu   sync.Mutex // one statfs round at a time
	next atomic.Int64
	free atomic.Int64 // the least free bytes of dirs at the last look
	low  atomic.Bool
}

func newDiskGuard(reserve int64, every time.Duration, log *slog.Logger, dirs ...string) *diskGuard {
	g := &diskGuard{dirs: dirs, reserve: reserve, every: every, log: log}
	g.refresh()
	return g
}

// freeBytes is the space an unprivileged writer may still use in dir.
func freeBytes(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// refresh looks at the disks now and returns the least free space.
func (g *diskGuard) refresh() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	least := int64(-1)
	for _, d := range g.dirs {
		f, err := freeBytes(d)
		if err != nil {
			// A directory the relay cannot stat is not one it can count
			// on writing to either; say so, and keep the last answer.
			g.log.Warn("disk space unknown", "dir", d, "err", err)
			return g.free.Load()
		}
		if least < 0 || f < least {
			least = f
		}
	}
	g.free.Store(least)
	g.next.Store(time.Now().Add(g.every).UnixNano())
	if low := least < g.reserve; low != g.low.Swap(low) {
		if low {
			g.log.Warn("disk below reserve: refusing sends and blobs", "free", least, "reserve", g.reserve)
		} else {
			g.log.Info("disk above reserve again", "free", least, "reserve", g.reserve)
		}
	}
	return least
}

// check is the cheap test before a send: the state of the last look, if
// it is at most `every` old.
func (g *diskGuard) check() error {
	if time.Now().UnixNano() >= g.next.Load() {
		g.refresh()
	}
	if g.low.Load() {
		return errStorageFull()
	}
	return nil
}

// room says whether n more bytes fit above the reserve, looking now.
func (g *diskGuard) room(n int64) error {
	if g.refresh()-n < g.reserve {
		return errStorageFull()
	}
	return nil
}

func errStorageFull() *wire.Error {
	e := wire.NewError(wire.CodeStorageFull)
	e.RetryAfter = storageFullRetry
	return e
}
