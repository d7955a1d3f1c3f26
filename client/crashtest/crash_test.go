//go:build !js

package crashtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"sambung/client"
	"sambung/client/native"
	"sambung/internal/testkit"
)

// The load. Each trial kills the child once while it receives a burst of
// burst texts from the peer and once while it sends one to the peer.
const (
	trials = 10
	burst  = 200
	// phaseTimeout bounds one phase; a phase takes about a second here. It
	// only turns a hang into a failure.
	phaseTimeout = 90 * time.Second
)

// seedEnv replays a run: the seed is logged at the start of the test.
const seedEnv = "SAMBUNG_CLIENT_CRASH_SEED"

// crash is the state the trials share: one relay, one peer, and one
// storage directory that every run of the child opens in turn, so the
// crashes pile up on the same state as they would on a real device.
type crash struct {
	t    *testing.T
	base string
	dir  string
	peer *peer
	me   string // the child's person id
	rng  *rand.Rand

	lost, twice int
}

// TestClientCrash kills the client core (its process, with SIGKILL) at a
// random moment while it receives a burst and again while it sends one,
// trials times, restarting it on the same directory after each kill. After
// each phase every message must be in the child's history exactly once,
// by id and by text, and every send that Send accepted must have reached
// the peer exactly once, in particular every one the relay acknowledged.
func TestClientCrash(t *testing.T) {
	n, b := trials, burst
	if testing.Short() {
		n, b = 3, 50
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(seedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s: %v", seedEnv, err)
		}
		seed = v
	}
	t.Logf("seed %d (%s=%d replays the kill points)", seed, seedEnv, seed)
	base := startRelay(t)
	c := &crash{
		t: t, base: base, dir: t.TempDir(), peer: startPeer(t, base),
		rng: rand.New(rand.NewPCG(seed, 0)),
	}
	done := 0
	// A failed trial ends the run: the state it leaves would only make
	// the next ones fail for the same reason.
	for i := 0; i < n && !t.Failed(); i++ {
		c.receiveTrial(i, b)
		if !t.Failed() {
			c.sendTrial(i, b)
		}
		done++
	}
	testkit.Report(t, "client crash: trials %d, lost %d, shown twice %d", done, c.lost, c.twice)
	if c.lost != 0 || c.twice != 0 {
		t.Fatalf("lost %d, shown twice %d", c.lost, c.twice)
	}
}

// stored is a message of the child's history as a run printed it at start.
type stored struct {
	outgoing bool
	status   string
	text     string
}

// start runs the child and reads its history up to "ready".
func (c *crash) start() (*proc, map[string]stored) {
	c.t.Helper()
	p := startChild(c.t, c.dir, c.base, c.peer.id)
	have := map[string]stored{}
	deadline := time.Now().Add(phaseTimeout)
	for {
		f := p.next(deadline)
		switch {
		case f == nil:
			c.t.Fatalf("child exited before it was ready")
		case f[0] == "me" && len(f) == 2:
			if c.me != "" && c.me != f[1] {
				c.t.Fatalf("child is %s after a restart, was %s", f[1], c.me)
			}
			c.me = f[1]
		case f[0] == "have" && len(f) == 5:
			have[f[1]] = stored{outgoing: f[2] == "out", status: f[3], text: f[4]}
		case f[0] == "ready":
			return p, have
		}
	}
}

// drain reads what a killed or closed child wrote until EOF, handing each
// line to handle, and reaps it.
func drain(p *proc, handle func([]string)) {
	deadline := time.Now().Add(phaseTimeout)
	for f := p.next(deadline); f != nil; f = p.next(deadline) {
		handle(f)
	}
	p.Wait()
}

// killWhen hands the child's lines to handle until done holds, then kills
// it and hands over what it had written before it died; doing says what
// the trial's child was at, for a failure.
func (c *crash) killWhen(p *proc, trial int, doing string, handle func([]string), done func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(phaseTimeout)
	for !done() {
		f := p.next(deadline)
		if f == nil {
			c.t.Fatalf("trial %d: child exited while %s", trial, doing)
		}
		handle(f)
	}
	p.Kill()
	drain(p, handle)
}

// await hands the child's lines to handle until done holds, waking on
// each line and on each message the peer gets. Past phaseTimeout it gives
// up with an error, and the caller's tally says what is missing.
func (c *crash) await(p *proc, what string, handle func([]string), done func() bool) {
	c.t.Helper()
	timeout := time.After(phaseTimeout)
	for !done() {
		select {
		case l, ok := <-p.Lines:
			if !ok {
				c.t.Fatalf("child exited while waiting for %s", what)
			}
			f := strings.Fields(l)
			p.check(f)
			handle(f)
		case <-c.peer.changed:
		case <-timeout:
			c.t.Errorf("gave up waiting for %s after %s", what, phaseTimeout)
			return
		}
	}
}

// receiveTrial: the peer sends n texts; the child is killed once it has
// reported k of them stored, k random, and restarted; it must end with
// each of the n exactly once.
func (c *crash) receiveTrial(trial, n int) {
	t := c.t
	prefix := fmt.Sprintf("r%02d-", trial)
	p, _ := c.start()
	k := 1 + c.rng.IntN(n-1)

	type result struct {
		sent map[string]string
		err  error
	}
	peerDone := make(chan result, 1)
	go func() {
		sent := map[string]string{}
		for j := range n {
			text := fmt.Sprintf("%s%04d", prefix, j)
			m, err := c.peer.c.Send(context.Background(), c.me, text)
			if err != nil {
				peerDone <- result{err: fmt.Errorf("peer send %s: %w", text, err)}
				return
			}
			sent[m.ID] = text
		}
		peerDone <- result{sent: sent}
	}()

	got := map[string]string{}
	// An envelope that did not decrypt is stored as a placeholder under its
	// message's id; it will not turn into the message, so waiting ends for
	// it, and the tally counts it lost.
	undecryptable := map[string]bool{}
	handle := func(f []string) {
		switch {
		case f[0] == "recv" && len(f) == 3 && strings.HasPrefix(f[2], prefix):
			got[f[1]] = f[2]
		case f[0] == "undecryptable" && len(f) == 2:
			undecryptable[f[1]] = true
		}
	}
	c.killWhen(p, trial, "receiving", handle, func() bool { return len(got) >= k })
	atKill := len(got)

	res := <-peerDone
	if res.err != nil {
		t.Fatal(res.err)
	}
	p, have := c.start()
	for id, m := range have {
		if !m.outgoing && strings.HasPrefix(m.text, prefix) {
			got[id] = m.text
		}
	}
	c.await(p, "the received burst", handle, func() bool {
		for id := range res.sent {
			if _, ok := got[id]; !ok && !undecryptable[id] {
				return false
			}
		}
		return true
	})
	stop(p)
	lost, twice := tally(t, "child", prefix, res.sent, c.history(), false)
	t.Logf("trial %d receiving: killed after %d of %d stored (%d reported by the kill); lost %d, shown twice %d",
		trial, k, n, atKill, lost, twice)
	c.lost += lost
	c.twice += twice
}

// sendTrial: the child sends n texts as fast as Send returns; it is killed
// at the k-th of its "accepted" and "sent" reports, k random, and
// restarted, and its outbox resends. Every accepted send must reach the
// peer exactly once and be in the child's history once, sent.
func (c *crash) sendTrial(trial, n int) {
	t := c.t
	prefix := fmt.Sprintf("s%02d-", trial)
	p, _ := c.start()
	k := 1 + c.rng.IntN(2*n-1)
	var cmds strings.Builder
	for j := range n {
		fmt.Fprintf(&cmds, "send %s%04d\n", prefix, j)
	}
	// A write the kill cuts short fails; the texts it did not deliver
	// were never sent, as if the user had not pressed send.
	go p.Stdin.Write([]byte(cmds.String()))

	accepted := map[string]string{} // id → text
	status := map[string]string{}   // id → best status reported
	events := 0
	handle := func(f []string) {
		switch {
		case f[0] == "accepted" && len(f) == 3:
			accepted[f[1]] = f[2]
			events++
		case f[0] == "status" && len(f) == 3:
			if sentOrLater(f[1]) && !sentOrLater(status[f[2]]) {
				events++
			}
			if rank(f[1]) > rank(status[f[2]]) {
				status[f[2]] = f[1]
			}
		}
	}
	c.killWhen(p, trial, "sending", handle, func() bool { return events >= k })
	ackedAtKill := map[string]bool{}
	for id, s := range status {
		if sentOrLater(s) {
			ackedAtKill[id] = true
		}
	}
	nAccepted := len(accepted)

	p, have := c.start()
	// What the restarted child holds: the accepted sends, and any whose
	// Send had stored it when the kill came before it could say so. Both
	// must go out exactly once.
	want := map[string]string{}
	for id, text := range accepted {
		want[id] = text
	}
	for id, m := range have {
		if m.outgoing && strings.HasPrefix(m.text, prefix) {
			want[id] = m.text
			if rank(m.status) > rank(status[id]) {
				status[id] = m.status
			}
		}
	}
	for id := range ackedAtKill {
		if _, ok := accepted[id]; !ok {
			if _, ok := have[id]; !ok {
				t.Errorf("trial %d: relay acknowledged %s, which is in no history", trial, id)
			}
		}
	}
	// An accepted send the restarted child does not hold is lost (the
	// tally counts it); only what it holds can still go out.
	held := map[string]string{}
	for id, text := range want {
		if _, ok := have[id]; ok {
			held[id] = text
		}
	}
	c.await(p, "the sent burst at the peer", handle, func() bool {
		for id := range held {
			if !sentOrLater(status[id]) {
				return false
			}
		}
		return c.peer.has(held)
	})
	stop(p)
	lostChild, twiceChild := tally(t, "child", prefix, want, c.history(), true)
	peerHist, err := history(context.Background(), c.peer.c, c.me)
	if err != nil {
		t.Fatal(err)
	}
	lostPeer, twicePeer := tally(t, "peer", prefix, want, peerHist, false)
	t.Logf("trial %d sending: killed at report %d of %d: %d accepted, %d sent by then, %d stored by the kill; lost %d, shown twice %d",
		trial, k, 2*n, nAccepted, len(ackedAtKill), len(want), lostChild+lostPeer, twiceChild+twicePeer)
	c.lost += lostChild + lostPeer
	c.twice += twiceChild + twicePeer
}

// stop ends a child's run cleanly (it closes the client and the storage)
// and reaps it.
func stop(p *proc) {
	p.t.Helper()
	if _, err := io.WriteString(p.Stdin, "quit\n"); err != nil {
		p.t.Fatalf("child gone before quit: %v", err)
	}
	drain(p, func([]string) {})
}

// history opens the child's directory in this process, once the child has
// exited, and reads the conversation with the peer through the client's
// public API.
func (c *crash) history() []client.Message {
	c.t.Helper()
	ctx := context.Background()
	st, err := native.OpenFileStorage(c.dir)
	if err != nil {
		c.t.Fatal(err)
	}
	defer st.Close()
	cl, err := client.New(ctx, client.Config{HTTP: native.NewHTTP(c.base), Storage: st})
	if err != nil {
		c.t.Fatal(err)
	}
	defer cl.Close()
	h, err := history(ctx, cl, c.peer.id)
	if err != nil {
		c.t.Fatal(err)
	}
	return h
}

// tally counts, among the messages of hist whose text has prefix, the ones
// of want (id → text) that are missing, and the ones shown more than once:
// an id twice, or a text under two ids. A message of the burst that is not
// in want, or whose text is not the one sent, fails the test. With sent,
// every one must also be at least "sent".
func tally(t *testing.T, who, prefix string, want map[string]string, hist []client.Message, sent bool) (lost, twice int) {
	t.Helper()
	byID := map[string]int{}
	byText := map[string]int{}
	var errs []string
	for _, m := range hist {
		if m.Undecryptable {
			errs = append(errs, fmt.Sprintf("%s holds an undecryptable message %s", who, m.ID))
			continue
		}
		if !strings.HasPrefix(m.Text, prefix) {
			continue
		}
		byID[m.ID]++
		byText[m.Text]++
		switch text, ok := want[m.ID]; {
		case !ok:
			errs = append(errs, fmt.Sprintf("%s holds %s %q, which was not sent", who, m.ID, m.Text))
		case text != m.Text:
			errs = append(errs, fmt.Sprintf("%s holds %s as %q, sent as %q", who, m.ID, m.Text, text))
		case sent && !sentOrLater(string(m.Status)):
			errs = append(errs, fmt.Sprintf("%s holds %s %s, not sent", who, m.ID, m.Status))
		}
	}
	for id, text := range want {
		switch {
		case byID[id] == 0:
			lost++
			errs = append(errs, fmt.Sprintf("%s lost %s %q", who, id, text))
		case byID[id] > 1 || byText[text] > 1:
			twice++
			errs = append(errs, fmt.Sprintf("%s shows %s %q %d times (%d by text)", who, id, text, byID[id], byText[text]))
		}
	}
	// The first few say what went wrong; a broken core gets hundreds.
	const show = 10
	for i, e := range errs {
		if i == show {
			t.Errorf("%s: and %d more", who, len(errs)-show)
			break
		}
		t.Error(e)
	}
	return lost, twice
}

// rank orders statuses as the client does; "" (none reported) is lowest.
func rank(s string) int {
	switch client.Status(s) {
	case client.StatusSent:
		return 1
	case client.StatusDelivered:
		return 2
	case client.StatusRead:
		return 3
	}
	return 0
}

func sentOrLater(s string) bool { return rank(s) > 0 }
