//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"sambung/crypto"
	"sambung/wire"
)

// ioTimeout bounds one sign-up, dial or frame write: loopback answers in
// milliseconds even under full load, so 30 s means something is wrong.
const ioTimeout = 30 * time.Second

// deviceKeys is one registration reused by every device of the bench: the
// relay verifies its signature on every sign-up, and what the keys are does
// not matter to mailboxes.
func deviceKeys() (wire.DeviceKeys, error) {
	ik, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		return wire.DeviceKeys{}, err
	}
	spk, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		return wire.DeviceKeys{}, err
	}
	sig, err := ik.Sign(rand.Reader, spk.PublicKey().Bytes())
	if err != nil {
		return wire.DeviceKeys{}, err
	}
	return wire.DeviceKeys{
		RegistrationID: 1,
		IdentityKey:    ik.PublicKey().Bytes(),
		SignedPreKey:   wire.SignedPreKey{ID: 1, PublicKey: spk.PublicKey().Bytes(), Signature: sig},
	}, nil
}

// signUpAll creates n people of one device each, account IDs prefix0 to
// prefixN, with parallel requests.
func signUpAll(ctx context.Context, addr, prefix string, n, parallel int) ([]wire.Session, error) {
	keys, err := deviceKeys()
	if err != nil {
		return nil, err
	}
	client := &http.Client{
		Timeout:   ioTimeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: parallel},
	}
	defer client.CloseIdleConnections()
	out := make([]wire.Session, n)
	err = forEach(ctx, n, parallel, func(i int) error {
		body, _ := json.Marshal(wire.AccountRequest{AccountID: fmt.Sprintf("%s%d", prefix, i), Password: "load test password", Device: keys})
		resp, err := client.Post("http://"+addr+wire.PathAccountSignUp, "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("sign-up %d: %s %s", i, resp.Status, b)
		}
		return json.Unmarshal(b, &out[i])
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// counters are the run's totals, shared by every peer.
type counters struct {
	delivered atomic.Int64 // envelopes received by recipients
	acked     atomic.Int64 // sends answered with sent: durably stored
	pongs     atomic.Int64
	mu        sync.Mutex
	errors    map[string]int // error frames by code
}

func (c *counters) failed(code string) {
	c.mu.Lock()
	if c.errors == nil {
		c.errors = map[string]int{}
	}
	c.errors[code]++
	c.mu.Unlock()
}

// clock is the run's time base: nanoseconds since it started, monotonic,
// one clock for senders and receivers.
type clock struct{ start time.Time }

func (c clock) now() int64 { return int64(time.Since(c.start)) }

// forEach runs do for 0 to n-1 on parallel workers. It returns the first
// error, or the context's when it ended the run early.
func forEach(ctx context.Context, n, parallel int, do func(i int) error) error {
	errs := make(chan error, parallel)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range parallel {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := do(i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

// peer is one device of the bench with its websocket.
type peer struct {
	idx   int
	sess  wire.Session
	ws    *websocket.Conn
	body  []byte        // this device's ciphertext: random bytes
	slots chan struct{} // closed loop: sends in flight
	sent  uint64        // sends made, for ids
	// samples are end-to-end latencies in microseconds of the envelopes
	// this peer received while measuring, ackSamples the times from send
	// to the relay's sent frame; only its reader appends.
	samples, ackSamples []uint32
	done                chan struct{} // closed when the reader ends
}

// connectAll opens and authenticates one websocket per session, with
// parallel dials, and starts each one's reader.
func connectAll(ctx context.Context, addr string, sessions []wire.Session, bodySize, window, parallel int, r *run) ([]*peer, error) {
	peers := make([]*peer, len(sessions))
	err := forEach(ctx, len(peers), parallel, func(i int) error {
		p := &peer{idx: i, sess: sessions[i], body: make([]byte, bodySize), done: make(chan struct{})}
		rand.Read(p.body)
		if window > 0 {
			p.slots = make(chan struct{}, window)
		}
		if err := p.dial(ctx, addr); err != nil {
			return fmt.Errorf("connect %d: %w", i, err)
		}
		peers[i] = p
		go p.read(r)
		return nil
	})
	if err != nil {
		closeAll(peers)
		return nil, err
	}
	return peers, nil
}

// dial connects and authenticates, reading up to the ready frame.
func (p *peer) dial(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, ioTimeout)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+addr+wire.PathWebSocket, nil)
	if err != nil {
		return err
	}
	ws.SetReadLimit(wire.MaxFrameSize)
	auth, _ := wire.Encode(&wire.AuthFrame{Token: p.sess.Token})
	if err := ws.Write(ctx, websocket.MessageText, auth); err != nil {
		ws.CloseNow()
		return err
	}
	_, b, err := ws.Read(ctx)
	if err != nil {
		ws.CloseNow()
		return err
	}
	if f, err := wire.DecodeServerFrame(b); err != nil || f.FrameType() != wire.TypeReady {
		ws.CloseNow()
		return fmt.Errorf("auth answered %s", b)
	}
	p.ws = ws
	return nil
}

func closeAll(peers []*peer) {
	for _, p := range peers {
		if p != nil && p.ws != nil {
			p.ws.CloseNow()
		}
	}
	for _, p := range peers {
		if p != nil && p.ws != nil {
			<-p.done
		}
	}
}

// inFrame is the part of a relay frame the bench reads.
type inFrame struct {
	Type      string `json:"type"`
	ID        string `json:"id"`
	Code      string `json:"code"`
	Envelopes []struct {
		Seq uint64 `json:"seq"`
		ID  string `json:"id"`
	} `json:"envelopes"`
}

// run is one load run: the shared counters, the clock and whether the
// measured window is open.
type run struct {
	counters
	clock     clock
	measuring atomic.Bool
}

// read handles the relay's frames until the socket closes: it acks every
// envelopes frame at once, as a device does once it has stored the
// messages, and takes each one's latency from the send time in its id.
func (p *peer) read(r *run) {
	defer close(p.done)
	ctx := context.Background()
	var ack []byte
	for {
		_, b, err := p.ws.Read(ctx)
		if err != nil {
			return
		}
		var f inFrame
		if err := json.Unmarshal(b, &f); err != nil {
			r.failed("undecodable frame")
			continue
		}
		switch f.Type {
		case wire.TypeEnvelopes:
			now := r.clock.now()
			measuring := r.measuring.Load()
			ack = append(ack[:0], `{"type":"ack","seqs":[`...)
			for i, e := range f.Envelopes {
				if i > 0 {
					ack = append(ack, ',')
				}
				ack = strconv.AppendUint(ack, e.Seq, 10)
				if measuring {
					if sent, ok := sendTime(e.ID); ok {
						p.samples = append(p.samples, uint32(min((now-sent)/1e3, 1<<32-1)))
					}
				}
			}
			ack = append(ack, "]}"...)
			r.delivered.Add(int64(len(f.Envelopes)))
			if p.write(ack) != nil {
				return
			}
		case wire.TypeSent:
			r.acked.Add(1)
			if r.measuring.Load() {
				if sent, ok := sendTime(f.ID); ok {
					p.ackSamples = append(p.ackSamples, uint32(min((r.clock.now()-sent)/1e3, 1<<32-1)))
				}
			}
			p.release()
		case wire.TypeError:
			r.failed(f.Code)
			if f.ID != "" {
				p.release()
			}
		case wire.TypePong:
			r.pongs.Add(1)
		}
	}
}

func (p *peer) release() {
	if p.slots != nil {
		select {
		case <-p.slots:
		default:
		}
	}
}

func (p *peer) write(b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	return p.ws.Write(ctx, websocket.MessageText, b)
}

// envelopeID names a send: the sender, its count and the send time in ns
// on the run's clock, which the receiver reads back for the latency. The
// request id of the send is the same string.
func envelopeID(b []byte, sender int, n uint64, sentAt int64) []byte {
	b = strconv.AppendInt(b, int64(sender), 36)
	b = append(b, '.')
	b = strconv.AppendUint(b, n, 36)
	b = append(b, '.')
	return strconv.AppendInt(b, sentAt, 10)
}

// sendTime reads the send time back from an envelope id.
func sendTime(id string) (int64, bool) {
	i := strings.LastIndexByte(id, '.')
	if i < 0 {
		return 0, false
	}
	t, err := strconv.ParseInt(id[i+1:], 10, 64)
	return t, err == nil
}

// appendSend encodes the send frame of one message to a one-device person:
// one envelope, no self copies (the sender has no other device). It is
// wire.SendFrame's JSON, written by hand because the generator shares the
// machine's two cores with the relay.
func appendSend(b, id []byte, to string, device uint32, body []byte, ts int64) []byte {
	b = append(b, `{"type":"send","id":"`...)
	b = append(b, id...)
	b = append(b, `","to":"`...)
	b = append(b, to...)
	b = append(b, `","envelopes":[{"id":"`...)
	b = append(b, id...)
	b = append(b, `","device":`...)
	b = strconv.AppendUint(b, uint64(device), 10)
	b = append(b, `,"type":1,"body":"`...)
	b = base64.StdEncoding.AppendEncode(b, body)
	b = append(b, `","ts":`...)
	b = strconv.AppendInt(b, ts, 10)
	return append(b, "}]}"...)
}

// send sends one message to a random other peer, stamped sentAt.
func (p *peer) send(peers []*peer, buf []byte, sentAt int64) ([]byte, error) {
	to := peers[mrand.IntN(len(peers)-1)]
	if to.idx >= p.idx {
		to = peers[to.idx+1]
	}
	p.sent++
	var idb [48]byte
	id := envelopeID(idb[:0], p.idx, p.sent, sentAt)
	buf = appendSend(buf[:0], id, to.sess.PersonID, to.sess.DeviceID, p.body, time.Now().UnixMilli())
	return buf, p.write(buf)
}

// closedLoop sends as fast as the relay acks, with the peer's window of
// sends in flight, until ctx ends.
func (p *peer) closedLoop(ctx context.Context, peers []*peer, r *run) {
	var buf []byte
	var err error
	for {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			return
		case <-p.done:
			return
		}
		if buf, err = p.send(peers, buf, r.clock.now()); err != nil {
			return
		}
	}
}

// openLoop sends one message every interval from a random phase, stamping
// each with its scheduled time, so a relay that falls behind shows in the
// latency rather than slowing the senders (no coordinated omission).
func (p *peer) openLoop(ctx context.Context, peers []*peer, r *run, interval time.Duration) {
	var buf []byte
	var err error
	next := r.clock.now() + mrand.Int64N(int64(interval))
	for {
		if d := time.Duration(next - r.clock.now()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return
			}
		}
		if ctx.Err() != nil {
			return
		}
		if buf, err = p.send(peers, buf, next); err != nil {
			return
		}
		next += int64(interval)
	}
}

// pingAll sends one ping on every socket and waits for the pongs: proof
// that every idle socket is open and authenticated.
func pingAll(peers []*peer, r *run, timeout time.Duration) (int64, error) {
	before := r.pongs.Load()
	ping, _ := wire.Encode(&wire.PingFrame{ID: "idle"})
	for _, p := range peers {
		if err := p.write(ping); err != nil {
			return 0, err
		}
	}
	deadline := time.Now().Add(timeout)
	for r.pongs.Load()-before < int64(len(peers)) {
		if time.Now().After(deadline) {
			return r.pongs.Load() - before, errors.New("not every socket answered the ping")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return r.pongs.Load() - before, nil
}
