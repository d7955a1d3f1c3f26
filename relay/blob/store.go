//go:build !js

package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Store is the blob directory, its in-memory index and the per-person
// tallies. It is an http.Handler for /v1/blobs (handler.go).
type Store struct {
	cfg Config
	dir string
	log *slog.Logger

	mu    sync.Mutex
	blobs map[string]*entry
	usage map[string]usage // person -> their blobs' reserved bytes and count
	// reserved is the declared size of every blob; unwritten the bytes
	// incomplete uploads have yet to write.
	reserved, unwritten int64
	closed              bool

	stop     chan struct{}
	loopDone chan struct{}

	bytesIn  atomic.Int64
	bytesOut atomic.Int64
	swept    atomic.Int64
}

// entry is one blob in the index.
type entry struct {
	id string
	// lock is held by the one request writing or removing the blob: a
	// channel so that a PATCH can wait for it with a deadline.
	lock chan struct{}
	// m and gone are guarded by Store.mu; m changes only after its bytes
	// and record are durable.
	m    meta
	gone bool
}

type usage struct {
	bytes int64
	count int
}

// New opens (or creates) the blob directory, rebuilds the index and the
// quota tallies from the records in it, and starts the background sweeper.
func New(cfg Config) (*Store, error) {
	if cfg.Dir == "" || cfg.Authenticate == nil {
		return nil, errors.New("blob: Config needs Dir and Authenticate")
	}
	cfg.setDefaults()
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob: %w", err)
	}
	s := &Store{
		cfg:   cfg,
		dir:   cfg.Dir,
		log:   cfg.Logger,
		blobs: make(map[string]*entry),
		usage: make(map[string]usage),
		stop:  make(chan struct{}),
	}
	if err := s.load(); err != nil {
		return nil, err
	}
	if cfg.SweepEvery > 0 {
		s.loopDone = make(chan struct{})
		go s.sweepLoop()
	}
	return s, nil
}

// Close stops the background sweeper. Requests after Close are answered
// unavailable; stop the http.Server first so that none is running.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	if s.loopDone != nil {
		<-s.loopDone
	}
	return nil
}

// load scans the directory: every valid record becomes an entry, bytes
// past a record's durable offset (written but never acknowledged) are
// cut off, and leftovers of interrupted writes and removals are deleted.
func (s *Store) load() error {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("blob: %w", err)
	}
	records := make(map[string]bool)
	for _, de := range des {
		name := de.Name()
		if id, ok := strings.CutSuffix(name, metaSuffix); ok && validID(id) {
			records[id] = true
		}
	}
	for _, de := range des {
		name := de.Name()
		switch {
		case strings.HasSuffix(name, tempSuffix):
			os.Remove(filepath.Join(s.dir, name))
		case strings.HasSuffix(name, blobSuffix):
			if id := strings.TrimSuffix(name, blobSuffix); !records[id] {
				// Removal deletes the record first: bytes without one
				// belong to a blob that was being removed.
				os.Remove(filepath.Join(s.dir, name))
			}
		}
	}
	for id := range records {
		if err := s.loadOne(id); err != nil {
			s.log.Error("blob: record skipped", "id", id, "err", err)
		}
	}
	return nil
}

func (s *Store) loadOne(id string) error {
	b, err := readLimited(filepath.Join(s.dir, id+metaSuffix), maxMetaSize+1)
	if err != nil {
		return err
	}
	m, err := decodeMeta(b)
	if err != nil {
		return err
	}
	fi, err := os.Stat(s.blobPath(id))
	if err != nil {
		return err
	}
	switch {
	case fi.Size() > m.Offset:
		if err := os.Truncate(s.blobPath(id), m.Offset); err != nil {
			return err
		}
	case fi.Size() < m.Offset:
		// The record promises bytes the file lacks: not a state the
		// write order (bytes fsynced, then record) can leave.
		return fmt.Errorf("blob: file shorter (%d) than its record's offset (%d)", fi.Size(), m.Offset)
	}
	s.blobs[id] = &entry{id: id, lock: make(chan struct{}, 1), m: m}
	s.count(m, 1)
	return nil
}

// count adds m to the tallies (sign 1) or takes it off them (-1). s.mu is
// held, or the store is loading.
func (s *Store) count(m meta, sign int64) {
	u := s.usage[m.Person]
	u.bytes += sign * m.Size
	u.count += int(sign)
	if u.count <= 0 {
		delete(s.usage, m.Person)
	} else {
		s.usage[m.Person] = u
	}
	s.reserved += sign * m.Size
	s.unwritten += sign * (m.Size - m.Offset)
}

func readLimited(name string, n int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

func (s *Store) blobPath(id string) string { return filepath.Join(s.dir, id+blobSuffix) }

// create reserves size bytes of person's quota and makes an empty blob.
func (s *Store) create(person string, device uint32, size int64) (string, error) {
	if size < 1 {
		return "", errSizeRange
	}
	if size > s.cfg.MaxSize {
		return "", errTooLarge(s.cfg.MaxSize)
	}
	now := s.cfg.Now().UnixMilli()
	e := &entry{id: newID(), lock: make(chan struct{}, 1),
		m: meta{Person: person, Device: device, Size: size, Created: now, Updated: now}}
	e.lock <- struct{}{} // held until the files exist
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return "", ErrClosed
	}
	u := s.usage[person]
	if u.count >= s.cfg.MaxBlobs {
		s.mu.Unlock()
		return "", quotaError("this person has " + itoa(int64(s.cfg.MaxBlobs)) + " blobs, the most allowed")
	}
	if size > s.cfg.Quota-u.bytes {
		s.mu.Unlock()
		return "", quotaError("the blob needs " + itoa(size) + " bytes; " +
			itoa(max(s.cfg.Quota-u.bytes, 0)) + " of this person's " + itoa(s.cfg.Quota) + " are free")
	}
	if s.cfg.TotalQuota > 0 && size > s.cfg.TotalQuota-s.reserved {
		s.mu.Unlock()
		return "", ErrStorageFull
	}
	if s.cfg.Space != nil {
		if err := s.cfg.Space(s.unwritten + size); err != nil {
			s.mu.Unlock()
			return "", err
		}
	}
	s.count(e.m, 1)
	s.blobs[e.id] = e
	s.mu.Unlock()

	err := s.makeFiles(e.id, e.m)
	if err != nil {
		s.mu.Lock()
		s.forget(e)
		s.mu.Unlock()
		os.Remove(filepath.Join(s.dir, e.id+metaSuffix))
		os.Remove(s.blobPath(e.id))
		<-e.lock
		return "", err
	}
	<-e.lock
	return e.id, nil
}

func (s *Store) makeFiles(id string, m meta) error {
	f, err := os.OpenFile(s.blobPath(id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return writeMeta(s.dir, id, m) // its directory sync covers the new file too
}

// forget drops e from the index and its owner's tally. s.mu is held.
func (s *Store) forget(e *entry) {
	if e.gone {
		return
	}
	e.gone = true
	delete(s.blobs, e.id)
	s.count(e.m, -1)
}

// lookup returns the entry of id and a copy of its record.
func (s *Store) lookup(id string) (*entry, meta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, meta{}, ErrClosed
	}
	e, ok := s.blobs[id]
	if !ok {
		return nil, meta{}, ErrUnknownBlob
	}
	return e, e.m, nil
}

// acquire takes e's lock, waiting at most wait or until ctx ends.
func acquire(ctx context.Context, e *entry, wait time.Duration) error {
	select {
	case e.lock <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case e.lock <- struct{}{}:
		return nil
	case <-t.C:
		return retryAfter(ErrUploadBusy, 1)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// remove deletes a blob whose lock the caller holds: index and tally
// first, then the record, then the bytes (load treats bytes without a
// record as garbage).
func (s *Store) remove(e *entry) {
	s.mu.Lock()
	s.forget(e)
	s.mu.Unlock()
	if err := os.Remove(filepath.Join(s.dir, e.id+metaSuffix)); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Error("blob: remove record", "id", e.id, "err", err)
	}
	if err := os.Remove(s.blobPath(e.id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.log.Error("blob: remove bytes", "id", e.id, "err", err)
	}
}

// Sweep removes the blobs that expired by now and the uploads that made no
// progress for StaleAfter, from disk and from the quotas. A blob being
// written is left for the next sweep. It returns how many it removed.
func (s *Store) Sweep(now time.Time) int {
	ms := now.UnixMilli()
	stale := now.Add(-s.cfg.StaleAfter).UnixMilli()
	var doomed []*entry
	s.mu.Lock()
	for _, e := range s.blobs {
		if e.m.expired(now) || (!e.m.complete() && e.m.Updated <= stale) {
			doomed = append(doomed, e)
		}
	}
	s.mu.Unlock()
	n := 0
	for _, e := range doomed {
		select {
		case e.lock <- struct{}{}:
		default:
			continue // being written: progress, so not stale
		}
		s.mu.Lock()
		still := !e.gone && (e.m.expired(now) || (!e.m.complete() && e.m.Updated <= stale))
		s.mu.Unlock()
		if still {
			s.remove(e)
			n++
		}
		<-e.lock
	}
	if n > 0 {
		s.swept.Add(int64(n))
		s.log.Info("blob: swept", "removed", n, "at", ms)
	}
	return n
}

func (s *Store) sweepLoop() {
	defer close(s.loopDone)
	t := time.NewTicker(s.cfg.SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.Sweep(s.cfg.Now())
		}
	}
}

// Usage returns the bytes reserved by person's blobs and how many they
// have.
func (s *Store) Usage(person string) (bytes int64, blobs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.usage[person]
	return u.bytes, u.count
}

// Stats are the store's counters for the relay's /metrics.
type Stats struct {
	BytesIn  int64 // bytes durably appended by PATCH, since start
	BytesOut int64 // bytes sent by GET, since start
	Swept    int64 // blobs removed by Sweep, since start
	Blobs    int   // blobs now stored, complete or not
	Reserved int64 // bytes reserved by them (their declared sizes)
}

// Stats returns the current counters.
func (s *Store) Stats() Stats {
	st := Stats{BytesIn: s.bytesIn.Load(), BytesOut: s.bytesOut.Load(), Swept: s.swept.Load()}
	s.mu.Lock()
	st.Blobs = len(s.blobs)
	st.Reserved = s.reserved
	s.mu.Unlock()
	return st
}

// WriteMetrics writes the counters in Prometheus text format, for the
// relay to append to /metrics.
func (s *Store) WriteMetrics(w io.Writer) {
	st := s.Stats()
	line := func(name, kind, help string, v int64) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n%s %d\n", name, help, name, kind, name, v)
	}
	line("sambung_blob_bytes_in_total", "counter", "Blob bytes received by uploads.", st.BytesIn)
	line("sambung_blob_bytes_out_total", "counter", "Blob bytes sent by downloads.", st.BytesOut)
	line("sambung_blob_swept_total", "counter", "Blobs removed by the sweeper (expired or abandoned).", st.Swept)
	line("sambung_blobs", "gauge", "Blobs stored, complete or not.", int64(st.Blobs))
	line("sambung_blob_reserved_bytes", "gauge", "Bytes reserved by stored blobs (their declared sizes).", st.Reserved)
}
