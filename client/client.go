package client

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	"sambung/crypto"
	"sambung/wire"
)

// Client is one device of one person: its keys, sessions, history and
// outbox, and its connection to the relay. Its methods are safe for
// concurrent use. Only one Client may use a Storage at a time: two would
// fork the ratchets (the browser makes sure with a SharedWorker or a Web
// Lock).
type Client struct {
	cfg   settings
	clock func() int64 // Config.Now in Unix nanoseconds

	regMu sync.Mutex // one sign-in at a time

	mu       sync.Mutex
	closed   bool
	acct     *account // nil: signed out
	identity *crypto.PrivateKey
	signed   map[uint32]*crypto.PrivateKey
	sessions map[crypto.Address]*crypto.SessionRecord // decoded, as stored
	contacts map[string]*contactRecord                // as staged; never changed in place
	// contactsComplete: contacts holds every contact (loadContacts ran).
	contactsComplete bool
	resets           int // counts resetLocked: caches dropped
	outbox           map[uint64]*outboxItem
	lastSeq          uint64 // the last outbox seq used
	live             *liveConn
	running          bool               // Connect is running
	started          bool               // Start was called
	stop             context.CancelFunc // ends Connect
	stopped          chan struct{}      // closed when the running Connect returns
	topping          bool               // a prekey top-up is under way
	reqSeq           uint64             // request ids of typing sends
	lastTS           int64              // the last message timestamp sent
	// identitiesSet counts the stores of the person's identities, so an
	// answer to /v1/me older than a link does not undo it.
	identitiesSet int

	addrs map[string]string // address → person id, as stored under addr/

	// The state pipeline (commit.go).
	overlay       map[string]overlayEntry // staged writes not yet seen by every read
	staged        []*batch                // batches with writes in the overlay, in order
	queue         []*batch                // batches for the committer's next Apply
	stagedGen     uint64                  // the last batch staged
	durableGen    uint64                  // the last batch the committer wrote
	readers       map[uint64]uint64       // storage reads in flight → durableGen at their start
	readerSeq     uint64
	recent        recentCache // messages written last
	failed        error       // a write failed: work waits for recover
	commitCond    sync.Cond   // on mu: the queue or durableGen changed
	committerDone chan struct{}

	kick         chan struct{} // wakes the outbox flusher
	signedInKick chan struct{} // a sign-in finished: Start connects
	closing      chan struct{} // closed by Close
	events       *emitter
}

// New returns a client over cfg.Storage, loading this device's identity
// and outbox when the storage holds them.
func New(ctx context.Context, cfg Config) (*Client, error) {
	if cfg.HTTP == nil || cfg.Storage == nil {
		return nil, ErrBadInput.with(errors.New("config needs HTTP and Storage"))
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = defaultMinBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(defaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.PingInterval <= 0 {
		cfg.PingInterval = defaultPingInterval
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c := &Client{
		cfg: settings{
			HTTP: cfg.HTTP, Dialer: cfg.Dialer, Storage: cfg.Storage, Rand: cfg.Rand,
			DeviceName: cfg.DeviceName, MinBackoff: cfg.MinBackoff, MaxBackoff: cfg.MaxBackoff,
			PingInterval: cfg.PingInterval,
		},
		clock:        func() int64 { return now().UnixNano() },
		kick:         make(chan struct{}, 1),
		signedInKick: make(chan struct{}, 1),
		closing:      make(chan struct{}),
	}
	c.events = newEmitter(cfg.OnEvent, func() ([]Conversation, error) {
		return c.Conversations(context.Background())
	})
	c.resetLocked()
	c.overlay = make(map[string]overlayEntry)
	c.readers = make(map[uint64]uint64)
	if err := c.loadAccount(ctx); err != nil {
		c.events.close()
		return nil, err
	}
	if err := c.loadOutbox(ctx); err != nil {
		c.events.close()
		return nil, err
	}
	c.startCommitter()
	return c, nil
}

// resetLocked forgets everything in memory: after a sign-out, and at New.
func (c *Client) resetLocked() {
	c.acct, c.identity = nil, nil
	c.signed = make(map[uint32]*crypto.PrivateKey)
	c.sessions = make(map[crypto.Address]*crypto.SessionRecord)
	c.contacts = make(map[string]*contactRecord)
	c.contactsComplete = false
	c.resets++
	c.addrs = make(map[string]string)
	c.outbox = make(map[uint64]*outboxItem)
	c.lastSeq = 0
}

// Close stops Connect, waits for it to return, and stops the delivery of
// events. The storage stays as it is; a new Client over it carries on
// where this one stopped. Close must not be called from Config.OnEvent.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.closing)
	stop, stopped := c.stop, c.stopped
	c.dropConnLocked()
	c.commitCond.Broadcast()
	c.mu.Unlock()
	if stop != nil {
		stop()
		<-stopped
	}
	// The committer writes what is queued, then ends.
	<-c.committerDone
	c.events.close()
	return nil
}

// now is the client's clock (Config.Now).
func (c *Client) now() time.Time { return time.Unix(0, c.clock()) }

// nowMillis is the client's clock in Unix milliseconds.
func (c *Client) nowMillis() int64 { return c.now().UnixMilli() }

// newID returns 16 random bytes as 26 lowercase base32 characters (the
// form of a person id): message ids, unique without coordination.
func (c *Client) newID() (string, error) {
	var b [wire.PersonIDSize]byte
	if _, err := c.cfg.Rand.Read(b[:]); err != nil {
		return "", err
	}
	return wire.EncodePersonID(b), nil
}

// wake asks the outbox flusher to look at the outbox.
func (c *Client) wake() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}
