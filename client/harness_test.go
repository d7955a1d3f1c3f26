//go:build !js

package client_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sambung/client"
	"sambung/client/native"
	"sambung/internal/relaytest"
	"sambung/internal/testkit"
	"sambung/relay"
	"sambung/wire"
)

// startRelay starts a real relay for client tests: on top of
// relaytest's lifted limits, draining prekeys (what TestPreKeyTopUp does on
// purpose) is not throttled, wrong passwords cost no wait and the third
// one alerts, and a second device of a person may ask for a code right
// after the first.
func startRelay(t testing.TB) *relaytest.Relay {
	t.Helper()
	return relaytest.Start(t, func(c *relay.Config) {
		c.PreKeyFetchRate = relaytest.Lifted
		c.PreKeyTargetRate = relaytest.Lifted
		c.PasswordFreeFails = 1000
		c.PasswordNoticeAt = 3
		c.CodeResend = time.Millisecond
	})
}

// device is one client under test, with the events it got.
type device struct {
	t      testing.TB
	c      *client.Client
	r      *relaytest.Relay
	mu     sync.Mutex
	events []client.Event
	cancel context.CancelFunc
	done   chan error
	dialer client.Dialer
	// onEvent, when set, sees every event too (from the client's event
	// goroutine).
	onEvent func(client.Event)
}

type deviceOption func(*client.Config)

// newDevice opens a client over st (a fresh MemoryStorage when nil).
func newDevice(t testing.TB, r *relaytest.Relay, st client.Storage, opts ...deviceOption) *device {
	t.Helper()
	if st == nil {
		st = client.NewMemoryStorage()
	}
	d := &device{t: t, r: r}
	cfg := client.Config{
		HTTP:         native.NewHTTP(r.URL),
		Dialer:       native.NewDialer(r.URL),
		Storage:      st,
		DeviceName:   t.Name(),
		MinBackoff:   20 * time.Millisecond,
		MaxBackoff:   200 * time.Millisecond,
		PingInterval: 5 * time.Second,
		OnEvent: func(e client.Event) {
			d.mu.Lock()
			d.events = append(d.events, e)
			f := d.onEvent
			d.mu.Unlock()
			if f != nil {
				f(e)
			}
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	d.dialer = cfg.Dialer
	c, err := client.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.c = c
	t.Cleanup(d.close)
	return d
}

// newPhone opens a device and signs it up (or in) with a phone number.
func newPhone(t testing.TB, r *relaytest.Relay, st client.Storage, phone string, opts ...deviceOption) *device {
	t.Helper()
	d := newDevice(t, r, st, opts...)
	d.signUpPhone(phone)
	return d
}

// newAccount opens a device and signs it up with a new account.
func newAccount(t testing.TB, r *relaytest.Relay, st client.Storage, id string, opts ...deviceOption) *device {
	t.Helper()
	d := newDevice(t, r, st, opts...)
	d.signUpAccount(id)
	return d
}

// signInAccount opens a new device of an existing account.
func signInAccount(t testing.TB, r *relaytest.Relay, id string) *device {
	t.Helper()
	d := newDevice(t, r, nil)
	if err := d.c.SignInAccount(ctx, id, password); err != nil {
		t.Fatal(err)
	}
	return d
}

// pairOf signs up a phone user and an account user and connects both.
func pairOf(t testing.TB, r *relaytest.Relay, phone, account string) (*device, *device) {
	t.Helper()
	alice, bob := newPhone(t, r, nil, phone), newAccount(t, r, nil, account)
	connectAll(alice, bob)
	return alice, bob
}

// pair signs up a phone user and an account user, connects both and has
// them find each other.
func pair(t testing.TB, r *relaytest.Relay) (alice, bob *device, a, b string) {
	t.Helper()
	alice, bob = pairOf(t, r, "+6281111111111", "bob")
	return alice, bob, alice.me().PersonID, bob.me().PersonID
}

// keyStatus asks the relay for the key status of the device whose
// storage is st.
func keyStatus(t testing.TB, r *relaytest.Relay, st client.Storage) wire.KeyStatus {
	t.Helper()
	b, _, err := st.Get(ctx, "account")
	if err != nil {
		t.Fatal(err)
	}
	var acct struct{ Token []byte }
	if err := json.Unmarshal(b, &acct); err != nil {
		t.Fatal(err)
	}
	status, body, err := native.NewHTTP(r.URL).Do(ctx, "GET", wire.PathKeys, base64.StdEncoding.EncodeToString(acct.Token), nil)
	if err != nil || status != 200 {
		t.Fatalf("GET /v1/keys: %d %v", status, err)
	}
	var ks wire.KeyStatus
	if err := json.Unmarshal(body, &ks); err != nil {
		t.Fatal(err)
	}
	return ks
}

func connectAll(ds ...*device) {
	for _, d := range ds {
		d.connect()
	}
}

// connect runs Connect in the background until close.
func (d *device) connect() {
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	d.done = make(chan error, 1)
	go func() { d.done <- d.c.Connect(ctx) }()
}

func (d *device) close() {
	d.c.Close()
	if d.done != nil {
		d.cancel()
		<-d.done
		d.done = nil
	}
}

var ctx = context.Background()

// password is every test account's password.
const password = "correct horse battery"

// signUpPhone signs d up (or in) with a phone number.
func (d *device) signUpPhone(phone string) {
	d.t.Helper()
	if err := d.c.RequestPhoneCode(ctx, phone); err != nil {
		d.t.Fatal(err)
	}
	norm, err := wire.NormalizePhone(phone)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.c.VerifyPhone(ctx, phone, d.r.Code(d.t, norm)); err != nil {
		d.t.Fatal(err)
	}
}

func (d *device) signUpAccount(id string) {
	d.t.Helper()
	if err := d.c.SignUpAccount(ctx, id, password); err != nil {
		d.t.Fatal(err)
	}
}

func (d *device) me() client.Profile {
	d.t.Helper()
	p, err := d.c.Me(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	return p
}

func (d *device) send(to, text string) client.Message {
	d.t.Helper()
	m, err := d.c.Send(ctx, to, text)
	if err != nil {
		d.t.Fatalf("send %q: %v", text, err)
	}
	return m
}

func (d *device) history(conv string) []client.Message {
	d.t.Helper()
	h, err := d.c.History(ctx, conv, "", 500)
	if err != nil {
		d.t.Fatal(err)
	}
	return h
}

// patience bounds every wait: a failure bound, generous so that a machine
// whose cores are all busy still passes.
const patience = 15 * time.Second

// eventually polls cond until it holds, failing after patience.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, patience, what, cond)
}

// eventuallyFind waits until list holds an element that match accepts, and
// returns the first such.
func eventuallyFind[T any](t testing.TB, what string, list func() []T, match func(T) bool) T {
	t.Helper()
	var got T
	eventually(t, what, func() bool {
		l := list()
		i := slices.IndexFunc(l, match)
		if i >= 0 {
			got = l[i]
		}
		return i >= 0
	})
	return got
}

// waitText waits until conversation conv of d holds a message with text,
// and returns it.
func (d *device) waitText(conv, text string) client.Message {
	d.t.Helper()
	return eventuallyFind(d.t, "message "+text, func() []client.Message { return d.history(conv) },
		func(m client.Message) bool { return m.Text == text })
}

// waitStatus waits until message id of conv has status s on d.
func (d *device) waitStatus(conv, id string, s client.Status) {
	d.t.Helper()
	eventually(d.t, "status "+string(s), func() bool {
		for _, m := range d.history(conv) {
			if m.ID == id {
				return m.Status == s
			}
		}
		return false
	})
}

// waitEvent waits until d got an event that match accepts, and returns
// the first such event. Events are delivered in order from one goroutine,
// so every event emitted before it has been delivered too.
func (d *device) waitEvent(what string, match func(client.Event) bool) client.Event {
	d.t.Helper()
	return eventuallyFind(d.t, what, func() []client.Event {
		d.mu.Lock()
		defer d.mu.Unlock()
		return slices.Clone(d.events)
	}, match)
}

// waitMessageEvent waits for the MessageEvent of message id of conv on d
// and returns its message.
func (d *device) waitMessageEvent(conv, id string) client.Message {
	d.t.Helper()
	e := d.waitEvent("the message event of "+id, func(e client.Event) bool {
		me, ok := e.(client.MessageEvent)
		return ok && me.Message.ConversationID == conv && me.Message.ID == id
	})
	return e.(client.MessageEvent).Message
}

// waitReceiptEvent waits for the ReceiptEvent that moved message id of
// conv on d to status s.
func (d *device) waitReceiptEvent(conv, id string, s client.Status) {
	d.t.Helper()
	d.waitEvent("the "+string(s)+" receipt event of "+id, func(e client.Event) bool {
		re, ok := e.(client.ReceiptEvent)
		return ok && re.ConversationID == conv && re.Status == s && slices.Contains(re.MessageIDs, id)
	})
}

// messageEvents returns the ids of the MessageEvents d got for conv ("" for
// every conversation), in order.
func (d *device) messageEvents(conv string) []string {
	var ids []string
	for _, e := range d.eventsOf(client.EventMessage) {
		if m := e.(client.MessageEvent).Message; conv == "" || m.ConversationID == conv {
			ids = append(ids, m.ID)
		}
	}
	return ids
}

// deliver sends text from one device to another at addr, and waits until
// the recipient shows it and the sender holds its delivery receipt.
func deliver(from, to *device, addr, text string) client.Message {
	from.t.Helper()
	m := from.send(addr, text)
	to.waitText(from.me().PersonID, text)
	from.waitStatus(to.me().PersonID, m.ID, client.StatusDelivered)
	return m
}

// barrier sends a text from one device to another and waits for its
// MessageEvent there. The relay pushes a mailbox in order, the receiver
// handles it in order and its events go out in order: once the barrier's
// event is in, everything the sender sent before it was handled, and its
// events delivered. An assertion that nothing more arrives is made after
// one.
func barrier(from, to *device) client.Message {
	from.t.Helper()
	fp, tp := from.me().PersonID, to.me().PersonID
	m := from.send(tp, "barrier")
	to.waitMessageEvent(fp, m.ID)
	return m
}

// waitConversations polls d's conversation list until ok accepts it, and
// returns it; after patience it fails with the last list.
func (d *device) waitConversations(what string, ok func([]client.Conversation) bool) []client.Conversation {
	d.t.Helper()
	deadline := time.Now().Add(patience)
	for {
		convs, err := d.c.Conversations(ctx)
		if err != nil {
			d.t.Fatal(err)
		}
		if ok(convs) {
			return convs
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("timed out waiting for %s; conversations: %+v", what, convs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ids returns the ids of msgs, in order.
func ids(msgs []client.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.ID
	}
	return out
}

func (d *device) eventsOf(kind string) []client.Event {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []client.Event
	for _, e := range d.events {
		if e.EventType() == kind {
			out = append(out, e)
		}
	}
	return out
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if client.ErrorCode(err) != code {
		t.Fatalf("got %v (code %q), want code %q", err, client.ErrorCode(err), code)
	}
}

// ackDropper is a Dialer whose connections, while armed, close instead of
// sending an ack frame: the client stored the envelopes, but the relay
// never hears of it, as after a crash between the two.
type ackDropper struct {
	client.Dialer
	mu      sync.Mutex
	armed   bool
	dropped int
}

func (a *ackDropper) Dial(ctx context.Context) (client.Conn, error) {
	c, err := a.Dialer.Dial(ctx)
	if err != nil {
		return nil, err
	}
	return &ackDropConn{Conn: c, a: a}, nil
}

func (a *ackDropper) arm(on bool) {
	a.mu.Lock()
	a.armed = on
	a.mu.Unlock()
}

func (a *ackDropper) drops() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.dropped
}

type ackDropConn struct {
	client.Conn
	a *ackDropper
}

var errDropped = errors.New("ack dropped by the test")

func (c *ackDropConn) Write(ctx context.Context, frame []byte) error {
	c.a.mu.Lock()
	drop := c.a.armed && strings.HasPrefix(string(frame), `{"type":"ack"`)
	if drop {
		c.a.dropped++
	}
	c.a.mu.Unlock()
	if drop {
		c.Conn.Close()
		return errDropped
	}
	return c.Conn.Write(ctx, frame)
}

func timeout() <-chan time.Time { return time.After(patience) }
