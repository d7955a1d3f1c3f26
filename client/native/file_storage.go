//go:build !js

package native

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"sync"

	"sambung/client"
)

// FileStorage is a client.Storage in a directory that survives restarts:
// an append-only log of batches, one record per Apply, read back into a
// MemoryStorage at open. A record is
//
//	length (4 bytes, big endian) crc32c(payload) (4 bytes) payload
//	payload = uvarint(#puts) (uvarint(len) key uvarint(len) value)*
//	          uvarint(#deletes) (uvarint(len) key)*
//
// and is synced before Apply returns, so an Apply is durable and atomic: a
// torn last record (a crash mid-write) fails its length or checksum and is
// cut off at open. When the log grows to several times the live data it is
// rewritten as one record to a temporary file, synced and renamed over
// the log.
type FileStorage struct {
	mu   sync.Mutex
	dir  string
	lock *os.File // holds the directory's lock until Close
	f    *os.File
	size int64 // bytes in the log
	live int64 // bytes a compacted log would hold
	mem  *client.MemoryStorage
}

var _ client.Storage = (*FileStorage)(nil)

const (
	logName  = "log"
	tmpName  = "log.tmp"
	lockName = "lock"
	// maxRecord caps one record: a batch of the client's is a message, a
	// few sessions and outbox entries, far below; a bigger length is a
	// torn or foreign file.
	maxRecord = 256 << 20
	// compactMin is the log size below which compaction is not worth it.
	compactMin = 1 << 20
)

// ErrCorrupt reports a log record that is malformed though its checksum
// holds: written by something else.
var ErrCorrupt = errors.New("native: corrupt storage log")

// ErrLocked is returned by OpenFileStorage when another process, or another
// FileStorage in this process, has the directory open. Two clients on one
// directory would advance the same ratchets and fork them, and the peer
// would get messages it cannot decrypt; so the second one is refused at
// open rather than allowed to run. The lock dies with its holder, however
// that ends, so there is no stale lock to remove: open again once the
// other client has closed or exited.
var ErrLocked = errors.New("native: storage directory is in use")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// OpenFileStorage opens (creating it if needed) the storage in dir and
// holds dir's lock until Close. While another process or another
// FileStorage has dir open, it fails with an error that wraps ErrLocked.
func OpenFileStorage(dir string) (*FileStorage, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	// Lock before reading: a second opener must not replay, nor cut the
	// "torn" tail of, a log that its holder is appending to.
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := openLog(dir)
	if err != nil {
		lock.Close()
		return nil, err
	}
	s.lock = lock
	return s, nil
}

// openLog replays dir's log into a new FileStorage, ready to append.
func openLog(dir string) (*FileStorage, error) {
	s := &FileStorage{dir: dir, mem: client.NewMemoryStorage()}
	f, err := os.OpenFile(filepath.Join(dir, logName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	good, err := s.replay(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	// Cut off a torn tail so the next record starts on a boundary.
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	s.f, s.size = f, good
	all, err := s.mem.Scan(context.Background(), "", "", 0, false)
	if err != nil {
		f.Close()
		return nil, err
	}
	for _, kv := range all {
		s.live += int64(len(kv.Key) + len(kv.Value))
	}
	return s, nil
}

// replay applies every whole record of f and returns where they end.
func (s *FileStorage) replay(f *os.File) (int64, error) {
	r := bufio.NewReader(f)
	var off int64
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return off, nil // end, or a torn header
		}
		n := binary.BigEndian.Uint32(hdr[:4])
		if n > maxRecord {
			return off, nil
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return off, nil
		}
		if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(hdr[4:]) {
			return off, nil
		}
		puts, dels, err := decodeBatch(payload)
		if err != nil {
			return 0, err
		}
		if err := s.mem.Apply(context.Background(), puts, dels); err != nil {
			return 0, err
		}
		off += int64(8 + n)
	}
}

// Get implements client.Storage.
func (s *FileStorage) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return s.mem.Get(ctx, key)
}

// Scan implements client.Storage.
func (s *FileStorage) Scan(ctx context.Context, prefix, start string, limit int, reverse bool) ([]client.KV, error) {
	return s.mem.Scan(ctx, prefix, start, limit, reverse)
}

// Apply implements client.Storage: the batch is on disk when it returns.
func (s *FileStorage) Apply(ctx context.Context, puts []client.KV, deletes []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return os.ErrClosed
	}
	rec := record(encodeBatch(puts, deletes))
	if _, err := s.f.Write(rec); err != nil {
		return err
	}
	if err := s.f.Sync(); err != nil {
		return err
	}
	s.size += int64(len(rec))
	for _, k := range deletes {
		if old, ok, _ := s.mem.Get(ctx, k); ok {
			s.live -= int64(len(k) + len(old))
		}
	}
	for _, kv := range puts {
		if old, ok, _ := s.mem.Get(ctx, kv.Key); ok {
			s.live -= int64(len(kv.Key) + len(old))
		}
	}
	if err := s.mem.Apply(ctx, puts, deletes); err != nil {
		return err
	}
	for _, kv := range puts {
		s.live += int64(len(kv.Key) + len(kv.Value))
	}
	if s.size > compactMin && s.size > 4*s.live {
		return s.compact(ctx)
	}
	return nil
}

// compact rewrites the log as one record of the live data.
func (s *FileStorage) compact(ctx context.Context) error {
	all, err := s.mem.Scan(ctx, "", "", 0, false)
	if err != nil {
		return err
	}
	rec := record(encodeBatch(all, nil))
	tmp := filepath.Join(s.dir, tmpName)
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(rec); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, logName)); err != nil {
		f.Close()
		return err
	}
	if d, err := os.Open(s.dir); err == nil {
		d.Sync()
		d.Close()
	}
	s.f.Close()
	s.f, s.size = f, int64(len(rec))
	s.live = 0
	for _, kv := range all {
		s.live += int64(len(kv.Key) + len(kv.Value))
	}
	return nil
}

// Close closes the log file and releases the directory's lock.
func (s *FileStorage) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	// Closing the lock file's only descriptor releases the flock.
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	s.lock = nil
	return err
}

func record(payload []byte) []byte {
	out := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint32(out[:4], uint32(len(payload)))
	binary.BigEndian.PutUint32(out[4:], crc32.Checksum(payload, castagnoli))
	return append(out, payload...)
}

func encodeBatch(puts []client.KV, deletes []string) []byte {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(puts)))
	for _, kv := range puts {
		b = binary.AppendUvarint(b, uint64(len(kv.Key)))
		b = append(b, kv.Key...)
		b = binary.AppendUvarint(b, uint64(len(kv.Value)))
		b = append(b, kv.Value...)
	}
	b = binary.AppendUvarint(b, uint64(len(deletes)))
	for _, k := range deletes {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	return b
}

// decodeBatch decodes a record's payload; anything malformed is ErrCorrupt.
func decodeBatch(b []byte) ([]client.KV, []string, error) {
	next := func() ([]byte, error) {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return nil, ErrCorrupt
		}
		v := b[k : k+int(n)]
		b = b[k+int(n):]
		return v, nil
	}
	count := func() (int, error) {
		n, k := binary.Uvarint(b)
		// Each entry takes at least one byte, which bounds the count.
		if k <= 0 || n > uint64(len(b)) {
			return 0, ErrCorrupt
		}
		b = b[k:]
		return int(n), nil
	}
	np, err := count()
	if err != nil {
		return nil, nil, err
	}
	puts := make([]client.KV, 0, np)
	for i := 0; i < np; i++ {
		k, err := next()
		if err != nil {
			return nil, nil, err
		}
		v, err := next()
		if err != nil {
			return nil, nil, err
		}
		puts = append(puts, client.KV{Key: string(k), Value: v})
	}
	nd, err := count()
	if err != nil {
		return nil, nil, err
	}
	dels := make([]string, 0, nd)
	for i := 0; i < nd; i++ {
		k, err := next()
		if err != nil {
			return nil, nil, err
		}
		dels = append(dels, string(k))
	}
	if len(b) != 0 {
		return nil, nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(b))
	}
	return puts, dels, nil
}
