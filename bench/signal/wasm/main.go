// Command wasm runs the side-by-side Signal benchmark's workloads with
// Sambung's crypto package, in process. bench/signal/run.sh builds it with
// GOOS=js GOARCH=wasm and runs it under Node next to libsignal-node and
// libsignal-client; it prints one JSON line in the shape workloads.js prints.
//
// The workloads are the ones bench/signal/workloads.js defines (see
// bench/signal/README.md); keep the two in step.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"sambung/crypto"
)

const (
	plaintextSize = 100
	// directionRun is how many messages go one way before the alternating
	// workload turns the ratchet the other way.
	directionRun = 10
)

var plaintext = bytes.Repeat([]byte{0x61}, plaintextSize)

// party is one side: its store and the address others use for it.
type party struct {
	addr   crypto.Address
	store  *crypto.MemoryStore
	nextID uint32
}

func newParty(name string) (*party, error) {
	id, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	var reg [2]byte
	if _, err := rand.Read(reg[:]); err != nil {
		return nil, err
	}
	regID := (uint32(reg[0])<<8 | uint32(reg[1])) & 0x3fff
	return &party{
		addr:   crypto.Address{Name: name, DeviceID: 1},
		store:  crypto.NewMemoryStore(id, regID),
		nextID: 1,
	}, nil
}

// bundle makes a signed prekey and a one-time prekey and returns the public
// bundle.
func (p *party) bundle() (*crypto.PreKeyBundle, error) {
	signed, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	id := p.store.IdentityKeyPair(context.Background())
	sig, err := id.Sign(rand.Reader, signed.PublicKey().Bytes())
	if err != nil {
		return nil, err
	}
	pre, err := crypto.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	signedID, preID := p.nextID, p.nextID+1
	p.nextID += 2
	p.store.AddSignedPreKey(signedID, signed)
	p.store.AddPreKey(preID, pre)
	prePub := pre.PublicKey()
	return &crypto.PreKeyBundle{
		RegistrationID:        p.store.LocalRegistrationID(context.Background()),
		DeviceID:              p.addr.DeviceID,
		IdentityKey:           id.PublicKey(),
		SignedPreKeyID:        signedID,
		SignedPreKey:          signed.PublicKey(),
		SignedPreKeySignature: sig,
		PreKeyID:              preID,
		PreKey:                &prePub,
	}, nil
}

// send is one message: from encrypts, to decrypts, and the plaintext is
// checked.
func send(from, to *party) error {
	t, ct, err := crypto.Encrypt(context.Background(), from.store, to.addr, plaintext)
	if err != nil {
		return fmt.Errorf("encrypt: %w", err)
	}
	pt, err := crypto.Decrypt(context.Background(), to.store, from.addr, t, ct, rand.Reader)
	if err != nil {
		return fmt.Errorf("decrypt: %w", err)
	}
	if !bytes.Equal(pt, plaintext) {
		return errors.New("decrypted plaintext differs")
	}
	return nil
}

// pair makes alice and bob with a session set up both ways, untimed.
func pair() (alice, bob *party, err error) {
	if alice, err = newParty("alice"); err != nil {
		return nil, nil, err
	}
	if bob, err = newParty("bob"); err != nil {
		return nil, nil, err
	}
	b, err := bob.bundle()
	if err != nil {
		return nil, nil, err
	}
	if err := crypto.ProcessPreKeyBundle(context.Background(), alice.store, bob.addr, b, rand.Reader); err != nil {
		return nil, nil, err
	}
	if err := send(alice, bob); err != nil {
		return nil, nil, err
	}
	if err := send(bob, alice); err != nil {
		return nil, nil, err
	}
	return alice, bob, nil
}

type workload struct {
	name, unit string
	setups     bool // counted in setups, not messages
	run        func(count int) (time.Duration, error)
}

var workloads = []workload{
	{name: "steady_alternating", unit: "msgs/s", run: func(count int) (time.Duration, error) {
		alice, bob, err := pair()
		if err != nil {
			return 0, err
		}
		start := time.Now()
		for i := range count {
			from, to := alice, bob
			if (i/directionRun)%2 == 1 {
				from, to = bob, alice
			}
			if err := send(from, to); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}},
	{name: "steady_one_way", unit: "msgs/s", run: func(count int) (time.Duration, error) {
		alice, bob, err := pair()
		if err != nil {
			return 0, err
		}
		start := time.Now()
		for range count {
			if err := send(alice, bob); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}},
	{name: "session_setup", unit: "setups/s", setups: true, run: func(count int) (time.Duration, error) {
		alice, err := newParty("alice")
		if err != nil {
			return 0, err
		}
		type responder struct {
			p *party
			b *crypto.PreKeyBundle
		}
		rs := make([]responder, count)
		for i := range rs {
			p, err := newParty("bob-" + strconv.Itoa(i))
			if err != nil {
				return 0, err
			}
			b, err := p.bundle()
			if err != nil {
				return 0, err
			}
			rs[i] = responder{p, b}
		}
		start := time.Now()
		for _, r := range rs {
			if err := crypto.ProcessPreKeyBundle(context.Background(), alice.store, r.p.addr, r.b, rand.Reader); err != nil {
				return 0, err
			}
			if err := send(alice, r.p); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}},
}

type result struct {
	Workload string  `json:"workload"`
	Unit     string  `json:"unit"`
	Count    int     `json:"count"`
	Seconds  float64 `json:"seconds"`
	Rate     float64 `json:"rate"`
}

type report struct {
	Impl    string   `json:"impl"`
	Runtime string   `json:"runtime"`
	Results []result `json:"results"`
}

func main() {
	msgs := flag.Int("msgs", 2000, "messages per timed run")
	setups := flag.Int("setups", 200, "session setups per timed run")
	runs := flag.Int("runs", 3, "timed runs per workload; the best is kept")
	flag.Parse()
	if *msgs < 1 || *setups < 1 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "msgs, setups and runs must be at least 1")
		os.Exit(2)
	}

	rep := report{Impl: "sambung", Runtime: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH}
	for _, w := range workloads {
		count := *msgs
		if w.setups {
			count = *setups
		}
		// Warm-up: a fifth of the count, untimed.
		if _, err := w.run(max(1, count/5)); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", w.name, err)
			os.Exit(1)
		}
		var best time.Duration
		for r := range *runs {
			d, err := w.run(count)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", w.name, err)
				os.Exit(1)
			}
			if r == 0 || d < best {
				best = d
			}
		}
		rep.Results = append(rep.Results, result{
			Workload: w.name, Unit: w.unit, Count: count,
			Seconds: best.Seconds(), Rate: float64(count) / best.Seconds(),
		})
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
