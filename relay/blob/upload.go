//go:build !js

package blob

import (
	"context"
	"errors"
	"io"
	"os"
	"sync"

	"sambung/wire"
)

// copyBuffer is the size of the pieces a PATCH body is written in.
const copyBuffer = 256 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, copyBuffer); return &b }}

var (
	errBodyTooLong = wire.ErrorWith(wire.CodeBodyTooLarge, "the body runs past the blob's declared size; the bytes up to it were kept")
	errBodyBroken  = wire.ErrorWith(wire.CodeBadRequest, "the body ended early; the bytes that arrived were kept: HEAD for the offset")
)

// appendBytes writes body at offset of e's bytes, for the device that
// created it. Whatever arrives is fsynced and recorded before it returns,
// also when the body breaks off, so that the client resumes from the
// offset HEAD reports. It returns the new durable offset; with an error,
// the offset is still the durable one (for the Upload-Offset header).
func (s *Store) appendBytes(ctx context.Context, e *entry, person string, device uint32, offset int64, body io.Reader, length int64) (int64, error) {
	if err := acquire(ctx, e, s.cfg.BusyWait); err != nil {
		return -1, err
	}
	defer func() { <-e.lock }()
	s.mu.Lock()
	m, gone := e.m, e.gone
	s.mu.Unlock()
	switch {
	case gone:
		return -1, ErrUnknownBlob
	case m.Person != person || m.Device != device:
		return m.Offset, ErrNotUploader
	case offset != m.Offset:
		return m.Offset, ErrOffsetMismatch
	case length > m.Size-m.Offset:
		return m.Offset, wire.ErrorWith(wire.CodeBodyTooLarge, "the body is longer than the "+itoa(m.Size-m.Offset)+" bytes left")
	}

	f, err := os.OpenFile(s.blobPath(e.id), os.O_WRONLY, 0)
	if err != nil {
		return m.Offset, err
	}
	defer f.Close()
	// Bytes past the durable offset were never acknowledged: drop them.
	if err := f.Truncate(m.Offset); err != nil {
		return m.Offset, err
	}
	if _, err := f.Seek(m.Offset, io.SeekStart); err != nil {
		return m.Offset, err
	}
	n, readErr, writeErr := s.copyIn(f, body, m.Size-m.Offset)
	if writeErr != nil {
		return m.Offset, writeErr
	}
	if n > 0 {
		if err := f.Sync(); err != nil {
			return m.Offset, err
		}
		next := m
		next.Offset += n
		next.Updated = s.cfg.Now().UnixMilli()
		if next.Offset == next.Size {
			next.Completed = next.Updated
			next.Expires = next.Completed + s.cfg.TTL.Milliseconds()
		}
		if err := writeMeta(s.dir, e.id, next); err != nil {
			return m.Offset, err
		}
		s.mu.Lock()
		e.m = next
		s.unwritten -= n
		s.mu.Unlock()
		m = next
	}
	var we *wire.Error
	switch {
	case errors.Is(readErr, errTooLong):
		return m.Offset, errBodyTooLong
	case errors.As(readErr, &we):
		return m.Offset, we // Space refused the next piece
	case readErr != nil:
		return m.Offset, errBodyBroken
	}
	return m.Offset, nil
}

var errTooLong = errors.New("blob: body too long")

// copyIn copies at most limit bytes of body to f. It returns the bytes
// written, the body's error (nil at a clean end, errTooLong if more than
// limit bytes came, Space's error if the disk has no room for the next
// piece) and f's error.
func (s *Store) copyIn(f *os.File, body io.Reader, limit int64) (n int64, readErr, writeErr error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for {
		want := int64(len(buf))
		if left := limit - n; left < want {
			// One byte more than fits, to tell a body that ends here
			// from one that goes on.
			want = left + 1
		}
		k, err := body.Read(buf[:want])
		if int64(k) > limit-n {
			k = int(limit - n)
			err = errTooLong
		}
		if k > 0 {
			if s.cfg.Space != nil {
				if serr := s.cfg.Space(int64(k)); serr != nil {
					return n, serr, nil
				}
			}
			if _, werr := f.Write(buf[:k]); werr != nil {
				return n, nil, werr
			}
			n += int64(k)
			s.bytesIn.Add(int64(k))
		}
		if err == io.EOF {
			return n, nil, nil
		}
		if err != nil {
			return n, err, nil
		}
	}
}
