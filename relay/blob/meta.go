//go:build !js

package blob

import (
	"errors"
	"os"
	"path/filepath"
	"sambung/internal/jsonw"
	"time"
)

// File name suffixes in the blob directory.
const (
	blobSuffix = ".blob" // the bytes
	metaSuffix = ".meta" // the record, JSON
	tempSuffix = ".tmp"  // a record being replaced
)

// maxMetaSize bounds a record read at startup: a record is under 300
// bytes; anything much larger is not one of ours.
const maxMetaSize = 4 << 10

// maxPersonLen bounds the owner in a record: person ids are 26 characters.
const maxPersonLen = 64

var errBadMeta = errors.New("blob: malformed record")

// meta is the record of one blob, kept in <id>.meta beside its bytes. It
// holds no name, type or key: the relay must not learn them. Times are
// Unix milliseconds, as everywhere in the protocol.
type meta struct {
	Person string `json:"person"`
	Device uint32 `json:"device"`
	Size   int64  `json:"size"`
	// Offset is the durable length: the bytes up to it were fsynced
	// before this record was written.
	Offset  int64 `json:"offset"`
	Created int64 `json:"created"`
	// Updated is the last time the upload made progress.
	Updated   int64 `json:"updated"`
	Completed int64 `json:"completed,omitempty"`
	Expires   int64 `json:"expires,omitempty"`
}

func (m *meta) complete() bool { return m.Completed != 0 }

// expired reports whether a completed blob is past its expiry at now.
func (m *meta) expired(now time.Time) bool {
	return m.complete() && now.UnixMilli() >= m.Expires
}

// decodeMeta parses and checks a record.
func decodeMeta(b []byte) (meta, error) {
	var m meta
	if len(b) > maxMetaSize || jsonw.Unmarshal(b, &m) != nil {
		return meta{}, errBadMeta
	}
	if m.Person == "" || len(m.Person) > maxPersonLen || m.Size < 1 ||
		m.Offset < 0 || m.Offset > m.Size || (m.Completed != 0) != (m.Offset == m.Size) {
		return meta{}, errBadMeta
	}
	return m, nil
}

// writeMeta replaces the record of id durably: write a temporary file,
// fsync it, rename it over the record, fsync the directory. A crash
// leaves the old record or the new one, never a torn one.
func writeMeta(dir, id string, m meta) error {
	b := jsonw.Marshal(&m)
	tmp := filepath.Join(dir, id+metaSuffix+tempSuffix)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, id+metaSuffix))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

// syncDir makes renames, creations and removals in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
