//go:build !js

package relay

import (
	"cmp"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"sambung/relay/store"
	"sambung/relay/turn"
	"sambung/wire"
)

// Rate is a token bucket: Per is the period in which Count tokens refill,
// Burst the bucket's size.
type Rate struct {
	Count int
	Per   time.Duration
	Burst int
}

// Argon2Params are argon2id's cost parameters.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 is OWASP's first recommended argon2id setting: 19 MiB,
// two passes, one lane. About 40 ms on one core here.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Config configures a Server. The zero value of every field but DataDir
// means its default.
type Config struct {
	// DataDir is the Badger directory.
	DataDir string
	// BlobDir is the directory of attachment blobs; empty means DataDir
	// plus "-blobs" (./data and ./data-blobs). It is a sibling, not a
	// subdirectory, because Badger owns everything in DataDir.
	BlobDir string
	// Logger gets the relay's log; nil means slog.Default().
	Logger *slog.Logger
	// CodeSender sends one-time phone codes; nil means a LogSender on
	// Logger.
	CodeSender CodeSender
	// Static is the web page served at "/"; nil serves a placeholder.
	Static fs.FS
	// Now is the clock; tests inject one to expire codes.
	Now func() time.Time

	// Argon2 are the password hashing costs. Tests may lower them; the
	// relay binary always uses DefaultArgon2.
	Argon2 Argon2Params

	// LookupRate limits lookups per requesting person (default 30 a
	// minute, burst 10), LookupAddrRate per client address (default 60 a
	// minute, burst 30). LookupAllowance is each person's daily allowance
	// of lookups by address (default 20, plus 10 a day of the account's
	// age and 10 per person who wrote to it, at most 500). Lookups that
	// find nobody past LookupMissAlarm a minute, over the whole relay, log
	// a warning (default 1,000). See lookup.go.
	LookupRate      Rate
	LookupAddrRate  Rate
	LookupAllowance Allowance
	LookupMissAlarm int
	// PreKeyFetchRate limits the one-time prekeys one person takes with
	// bundle fetches (default 60 an hour, burst 40); PreKeyTargetRate
	// those taken from one device (default 20 an hour, burst 20). Past
	// either, bundles come without one.
	PreKeyFetchRate  Rate
	PreKeyTargetRate Rate
	// AuthRate limits code requests, verifications, sign-ups and sign-ins
	// per client IP (default 20 a minute, burst 10).
	AuthRate Rate
	// FrameRate limits websocket frames per connection (default 200 a
	// second, burst 400).
	FrameRate Rate

	// CodeTTL, CodeTries and CodeResend govern phone codes (defaults 10
	// minutes, 5 tries, one code per 60 seconds).
	CodeTTL    time.Duration
	CodeTries  int
	CodeResend time.Duration
	// Per number, across codes (otp.go): the resend wait doubles with each
	// code up to CodeResendMax (default 1 hour); at most CodeDailyCap codes
	// (default 10) and CodeGuessCap wrong tries (default 10) in 24 hours;
	// a code's tries spent lock the number for CodeLockout (default 15
	// minutes), doubling with each lockout.
	CodeResendMax time.Duration
	CodeDailyCap  int
	CodeGuessCap  int
	CodeLockout   time.Duration
	// CodeBudget limits the codes sent to all numbers together (default
	// 1,000 an hour, burst 200), CountryCodeBudget those to one country
	// calling code (default 200 an hour, burst 50); see codebudget.go.
	CodeBudget        Rate
	CountryCodeBudget Rate
	// CodeCheck, if set, may refuse a code before it is sent: a captcha or
	// a fraud service. Default none.
	CodeCheck CodeCheck

	// Password guessing, per account whatever the source (password.go):
	// PasswordFreeFails wrong passwords in a row (default 5) cost nothing;
	// each further one locks sign-in for PasswordDelay (default 1 second),
	// doubling up to PasswordMaxDelay (default 1 hour); from
	// PasswordMaxFails (default 100) each locks it for PasswordLockout
	// (default 24 hours). Signed-in devices are alerted at
	// PasswordNoticeAt failures (default 10) and each doubling of it.
	PasswordFreeFails int
	PasswordDelay     time.Duration
	PasswordMaxDelay  time.Duration
	PasswordMaxFails  int
	PasswordLockout   time.Duration
	PasswordNoticeAt  int

	// MaxDepth caps a mailbox (default 10,000 envelopes).
	MaxDepth int
	// Shares divide mailboxes among senders: one sender's share, a
	// stranger's, the depth and bytes strangers stop at, and the bytes of
	// all of a person's mailboxes (defaults in store.Shares).
	Shares store.Shares
	// SeenTTL is how long a delivered envelope's id is remembered for
	// dedupe (default 7 days).
	SeenTTL time.Duration
	// MaxConnsPerDevice caps websockets per device (default 2).
	MaxConnsPerDevice int
	// PushWindow caps unacknowledged envelopes per connection (default 256).
	PushWindow int
	// AuthTimeout is how long a websocket may take to authenticate
	// (default 5 seconds).
	AuthTimeout time.Duration
	// MaxUnauthenticated caps the websockets that have not authenticated
	// yet, in all (default 8,192); MaxUnauthenticatedPerAddr caps them per
	// source address, an IPv4 address or an IPv6 /64 (default 128). See
	// preauth.go.
	MaxUnauthenticated        int
	MaxUnauthenticatedPerAddr int
	// PingInterval is how often the relay pings every
	// authenticated websocket (default 25 seconds); a peer that has not
	// answered a ping within PingTimeout (default 20 seconds) is closed.
	PingInterval time.Duration
	PingTimeout  time.Duration

	// BlobMaxSize caps one blob (default 2 GiB), BlobQuota one person's
	// blobs (default 10 GiB) and BlobTTL the life of a completed blob
	// (default 30 days): see relay/blob's Config.
	BlobMaxSize int64
	BlobQuota   int64
	BlobTTL     time.Duration
	// BlobTotalQuota caps the bytes of all blobs together (default 0: no
	// cap but DiskReserve's).
	BlobTotalQuota int64

	// DiskReserve is the free space the relay keeps on the filesystems of
	// DataDir and BlobDir: below it, sends and blob uploads get
	// storage_full, and reads, acks and deletes go on (default 512 MiB;
	// see disk.go). DiskCheckEvery is how old the free-space figure a send
	// is checked against may be (default 1 second); blob uploads look
	// before every 256 KiB.
	DiskReserve    int64
	DiskCheckEvery time.Duration

	// MemTableSize overrides Badger's memtable size; tests only.
	MemTableSize int64

	// TURN configures the built-in STUN/TURN server, which runs only with
	// TURN.Enabled. Its Logger and Now default to the relay's.
	TURN turn.Config
	// ICERate limits GET /v1/ice-servers, which mints TURN credentials,
	// per device (default 30 an hour, burst 10: a call takes one, and one
	// more for an ICE restart after its 10 minutes).
	ICERate Rate
	// ICEServers are external STUN/TURN servers added after the built-in
	// one to every /v1/ice-servers answer (turn.ParseICEServers reads
	// them from the relay's flag).
	ICEServers []wire.ICEServer
}

// DefaultBlobDir is the blob directory beside the Badger directory dataDir:
// its name plus "-blobs". It cleans dataDir first, or "./data/" would give
// "./data/-blobs", inside Badger's directory.
func DefaultBlobDir(dataDir string) string { return filepath.Clean(dataDir) + "-blobs" }

// setDefaults gives every zero field its default: cmp.Or keeps a value the
// caller set and takes the default for a zero one.
func (c *Config) setDefaults() {
	c.Logger = cmp.Or(c.Logger, slog.Default())
	c.CodeSender = cmp.Or[CodeSender](c.CodeSender, LogSender{Logger: c.Logger})
	if c.Now == nil {
		c.Now = time.Now
	}
	c.Argon2 = cmp.Or(c.Argon2, DefaultArgon2)
	c.LookupRate = cmp.Or(c.LookupRate, Rate{Count: 30, Per: time.Minute, Burst: 10})
	c.LookupAddrRate = cmp.Or(c.LookupAddrRate, Rate{Count: 60, Per: time.Minute, Burst: 30})
	c.LookupAllowance = cmp.Or(c.LookupAllowance, Allowance{New: 20, PerDay: 10, PerWriter: 10, Max: 500})
	c.LookupMissAlarm = cmp.Or(c.LookupMissAlarm, 1000)
	c.PreKeyFetchRate = cmp.Or(c.PreKeyFetchRate, Rate{Count: 60, Per: time.Hour, Burst: 40})
	c.PreKeyTargetRate = cmp.Or(c.PreKeyTargetRate, Rate{Count: 20, Per: time.Hour, Burst: 20})
	c.ICERate = cmp.Or(c.ICERate, Rate{Count: 30, Per: time.Hour, Burst: 10})
	c.AuthRate = cmp.Or(c.AuthRate, Rate{Count: 20, Per: time.Minute, Burst: 10})
	c.FrameRate = cmp.Or(c.FrameRate, Rate{Count: 200, Per: time.Second, Burst: 400})
	c.PasswordFreeFails = cmp.Or(c.PasswordFreeFails, 5)
	c.PasswordDelay = cmp.Or(c.PasswordDelay, time.Second)
	c.PasswordMaxDelay = cmp.Or(c.PasswordMaxDelay, time.Hour)
	c.PasswordMaxFails = cmp.Or(c.PasswordMaxFails, 100)
	c.PasswordLockout = cmp.Or(c.PasswordLockout, 24*time.Hour)
	c.PasswordNoticeAt = cmp.Or(c.PasswordNoticeAt, 10)
	c.CodeTTL = cmp.Or(c.CodeTTL, 10*time.Minute)
	c.CodeTries = cmp.Or(c.CodeTries, 5)
	c.CodeResend = cmp.Or(c.CodeResend, time.Minute)
	c.CodeResendMax = cmp.Or(c.CodeResendMax, max(time.Hour, c.CodeResend))
	c.CodeDailyCap = cmp.Or(c.CodeDailyCap, 10)
	c.CodeGuessCap = cmp.Or(c.CodeGuessCap, 10)
	c.CodeLockout = cmp.Or(c.CodeLockout, 15*time.Minute)
	c.CodeBudget = cmp.Or(c.CodeBudget, Rate{Count: 1000, Per: time.Hour, Burst: 200})
	c.CountryCodeBudget = cmp.Or(c.CountryCodeBudget, Rate{Count: 200, Per: time.Hour, Burst: 50})
	c.MaxConnsPerDevice = cmp.Or(c.MaxConnsPerDevice, 2)
	c.PushWindow = cmp.Or(c.PushWindow, 256)
	c.AuthTimeout = cmp.Or(c.AuthTimeout, 5*time.Second)
	c.MaxUnauthenticated = cmp.Or(c.MaxUnauthenticated, 8192)
	c.MaxUnauthenticatedPerAddr = cmp.Or(c.MaxUnauthenticatedPerAddr, 128)
	c.PingInterval = cmp.Or(c.PingInterval, 25*time.Second)
	c.PingTimeout = cmp.Or(c.PingTimeout, 20*time.Second)
	c.DiskReserve = cmp.Or(c.DiskReserve, 512<<20)
	c.DiskCheckEvery = cmp.Or(c.DiskCheckEvery, time.Second)
	c.BlobDir = cmp.Or(c.BlobDir, DefaultBlobDir(c.DataDir))
	c.TURN.Logger = cmp.Or(c.TURN.Logger, c.Logger)
	if c.TURN.Now == nil {
		c.TURN.Now = c.Now
	}
}
