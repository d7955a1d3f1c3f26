//go:build !js

package crashtest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"sambung/client"
	"sambung/client/native"
)

// The child's environment. The test binary re-executes itself with
// childDirEnv set; TestMain then runs the client core instead of the
// tests, so the parent can SIGKILL a real process.
const (
	childDirEnv   = "SAMBUNG_CLIENT_CRASH_DIR"   // the FileStorage directory
	childRelayEnv = "SAMBUNG_CLIENT_CRASH_RELAY" // the relay's origin
	childPeerEnv  = "SAMBUNG_CLIENT_CRASH_PEER"  // the peer's person id
)

// childAccount and password are the crashing client's account.
const (
	childAccount = "crash"
	password     = "crash test password"
)

// out writes the child's report lines whole, from the event goroutine and
// the send loop alike.
type out struct{ mu sync.Mutex }

func (o *out) say(a ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Println(a...)
}

// runChild is the process under test. It signs up on its first run and
// signs in from storage on later ones, prints its history with the peer,
// connects, and then sends a message for each "send TEXT" line on stdin;
// "quit" closes the client and the storage and exits.
// Its stdout, one fact a line:
//
//	me PERSON                      signed in
//	have ID in|out STATUS TEXT     a message of the history at start
//	ready                          history printed; Connect runs from now
//	recv ID TEXT                   an incoming message was stored
//	undecryptable ID               an envelope that did not decrypt
//	accepted ID TEXT               Send returned: the message is durable
//	status STATUS ID               a receipt moved an outgoing message
//	conn STATE [ERR]               the connection's state changed
//	error WHAT ERR                 something failed
//
// When stdin ends (the parent died) it exits at once, wherever it is, so
// no child outlives the test.
func runChild(dir string) {
	ctx := context.Background()
	o := &out{}
	// The parent sends at most a burst of lines at a time; a full
	// channel would only delay noticing the end of stdin.
	cmds := make(chan string, 4096)
	go func() {
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			cmds <- sc.Text()
		}
		os.Exit(2)
	}()
	fail := func(what string, err error) {
		o.say("error", what, err)
		os.Exit(1)
	}
	base, peer := os.Getenv(childRelayEnv), os.Getenv(childPeerEnv)
	st, err := native.OpenFileStorage(dir)
	if err != nil {
		fail("open", err)
	}
	c, err := client.New(ctx, clientConfig(base, st, "crashtest", func(e client.Event) {
		switch e := e.(type) {
		case client.MessageEvent:
			m := e.Message
			switch {
			case m.ConversationID != peer || m.Outgoing:
			case m.Undecryptable:
				o.say("undecryptable", m.ID)
			default:
				o.say("recv", m.ID, m.Text)
			}
		case client.StatusEvent:
			o.say("conn", e.State, e.Err)
		case client.ReceiptEvent:
			if e.ConversationID == peer {
				for _, id := range e.MessageIDs {
					o.say("status", e.Status, id)
				}
			}
		}
	}))
	if err != nil {
		fail("new", err)
	}
	p, err := c.Me(ctx)
	if err != nil {
		fail("me", err)
	}
	if !p.SignedIn {
		if err := c.SignUpAccount(ctx, childAccount, password); err != nil {
			fail("signup", err)
		}
		if p, err = c.Me(ctx); err != nil {
			fail("me", err)
		}
	}
	o.say("me", p.PersonID)
	hist, err := history(ctx, c, peer)
	if err != nil {
		fail("history", err)
	}
	for _, m := range hist {
		dir := "in"
		if m.Outgoing {
			dir = "out"
		}
		o.say("have", m.ID, dir, m.Status, m.Text)
	}
	o.say("ready")
	var closing atomic.Bool
	go func() {
		// Connect returns when Close ends it: only an earlier return is
		// news.
		if err := c.Connect(ctx); err != nil && !closing.Load() {
			o.say("error", "connect", err)
		}
	}()
	for cmd := range cmds {
		if cmd == "quit" {
			break
		}
		text, ok := strings.CutPrefix(cmd, "send ")
		if !ok {
			continue
		}
		m, err := c.Send(ctx, peer, text)
		if err != nil {
			o.say("error", "send", err)
			continue
		}
		o.say("accepted", m.ID, text)
	}
	closing.Store(true)
	if err := c.Close(); err != nil {
		fail("close", err)
	}
	if err := st.Close(); err != nil {
		fail("close storage", err)
	}
	os.Exit(0)
}

// history is the whole conversation, oldest first, read a page at a time
// back from the newest. Pages go by Order, which needs no look-up, and a
// page that does not move back is an error, not a loop.
func history(ctx context.Context, c *client.Client, conv string) ([]client.Message, error) {
	const page = 500 // the client's largest page
	var all []client.Message
	before := ""
	for {
		h, err := c.History(ctx, conv, before, page)
		if err != nil {
			return nil, err
		}
		if len(h) > 0 && before != "" && h[len(h)-1].Order >= before {
			return nil, fmt.Errorf("history of %s does not page: %s is not before %s", conv, h[len(h)-1].Order, before)
		}
		all = append(h, all...)
		if len(h) < page {
			return all, nil
		}
		before = h[0].Order
	}
}
