//go:build !js

package blob

import (
	"cmp"
	"log/slog"
	"net/http"
	"time"
)

// Defaults. Each is a Config field; zero means the default.
const (
	// DefaultMaxSize is 2 GiB, the document size WhatsApp allows.
	DefaultMaxSize = 2 << 30
	// DefaultQuota is 10 GiB per person: five maximal files, or thousands
	// of photos, held for DefaultTTL.
	DefaultQuota = 10 << 30
	// DefaultMaxBlobs bounds blobs per person, so that tiny blobs cannot
	// fill the directory with files while staying under the byte quota.
	DefaultMaxBlobs = 10000
	// DefaultTTL: a blob expires 30 days after its upload completes, long
	// enough for a phone that was off for weeks to fetch it.
	DefaultTTL = 30 * 24 * time.Hour
	// DefaultStaleAfter: an upload with no progress for a day is abandoned.
	DefaultStaleAfter = 24 * time.Hour
	// DefaultSweepEvery is how often the background sweeper runs.
	DefaultSweepEvery = 10 * time.Minute
	// DefaultBusyWait is how long a PATCH waits for an earlier PATCH of the
	// same upload to end (a client that reconnects before the relay has
	// seen its old connection drop) before upload_busy.
	DefaultBusyWait = 5 * time.Second
)

// Authenticator names the device that made a request. The relay supplies
// it (bearer-token lookup); an error is sent as the answer, so it should
// be a *wire.Error such as unauthorized.
type Authenticator func(r *http.Request) (person string, device uint32, err error)

// Config configures a Store. The zero value of every field but Dir and
// Authenticate means its default.
type Config struct {
	// Dir is the blob directory, created if missing. The relay puts it
	// beside its Badger directory, not inside it.
	Dir string
	// Authenticate names the calling device of every request.
	Authenticate Authenticator
	// Logger gets faults; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; tests inject one to expire blobs.
	Now func() time.Time

	// MaxSize caps one blob in bytes (default 2 GiB).
	MaxSize int64
	// Quota caps the bytes of one person's blobs, counted from POST (the
	// declared size is reserved) until the blob is deleted or swept
	// (default 10 GiB).
	Quota int64
	// MaxBlobs caps one person's blobs, complete or not (default 10,000).
	MaxBlobs int
	// TTL is how long a completed blob lives (default 30 days).
	TTL time.Duration
	// StaleAfter is how long an incomplete upload may go without progress
	// before the sweeper removes it (default 24 hours).
	StaleAfter time.Duration
	// SweepEvery is the background sweeper's period (default 10 minutes);
	// negative turns the background loop off (tests call Sweep).
	SweepEvery time.Duration
	// BusyWait is how long a PATCH waits for a running PATCH of the same
	// upload (default 5 seconds).
	BusyWait time.Duration

	// TotalQuota caps the bytes reserved by all blobs of all people
	// (default 0: no cap but the disk's, through Space).
	TotalQuota int64
	// Space, if set, says whether the disk has room for n more bytes; its
	// error (the relay's storage_full) is the answer. A POST asks it for
	// the blob's size plus what earlier uploads still have to write, and
	// a PATCH for each piece before writing it, so that uploads stop
	// short of filling the disk.
	Space func(n int64) error
}

func (c *Config) setDefaults() {
	c.Logger = cmp.Or(c.Logger, slog.Default())
	if c.Now == nil {
		c.Now = time.Now
	}
	c.MaxSize = cmp.Or(c.MaxSize, DefaultMaxSize)
	c.Quota = cmp.Or(c.Quota, DefaultQuota)
	c.MaxBlobs = cmp.Or(c.MaxBlobs, DefaultMaxBlobs)
	c.TTL = cmp.Or(c.TTL, DefaultTTL)
	c.StaleAfter = cmp.Or(c.StaleAfter, DefaultStaleAfter)
	c.SweepEvery = cmp.Or(c.SweepEvery, DefaultSweepEvery)
	c.BusyWait = cmp.Or(c.BusyWait, DefaultBusyWait)
}
