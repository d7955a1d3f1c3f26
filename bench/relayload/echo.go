//go:build linux

package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// echoConn is one connection of the echo baseline.
type echoConn struct {
	ws      *websocket.Conn
	samples []uint32 // round trips in microseconds while measuring
}

// dialEcho opens n connections to the echo server, with parallel dials.
func dialEcho(ctx context.Context, addr string, n, parallel int) ([]*echoConn, error) {
	conns := make([]*echoConn, n)
	err := forEach(ctx, n, parallel, func(i int) error {
		dctx, cancel := context.WithTimeout(ctx, ioTimeout)
		ws, _, err := websocket.Dial(dctx, "ws://"+addr+"/", nil)
		cancel()
		if err != nil {
			return fmt.Errorf("echo connect %d: %w", i, err)
		}
		ws.SetReadLimit(1 << 20)
		conns[i] = &echoConn{ws: ws}
		return nil
	})
	if err != nil {
		closeEcho(conns)
		return nil, err
	}
	return conns, nil
}

func closeEcho(conns []*echoConn) {
	for _, c := range conns {
		if c != nil {
			c.ws.CloseNow()
		}
	}
}

// roundTrip writes msg and reads the echo.
func (c *echoConn) roundTrip(msg []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), ioTimeout)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, msg); err != nil {
		return err
	}
	_, _, err := c.ws.Read(ctx)
	return err
}

// echoResult is the baseline's outcome over the measured window.
type echoResult struct {
	roundTrips int64 // in the measured window
	total      int64 // warm-up and measured window, for CPU per round trip
	elapsed    time.Duration
	samples    []uint32
}

// echoLoad drives every connection in closed loop, one message in flight
// each, for warmup then duration, and counts the round trips of the
// measured window.
func echoLoad(conns []*echoConn, size int, warmup, duration time.Duration) (echoResult, error) {
	var measuring, stop atomic.Bool
	var trips atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for _, c := range conns {
		msg := make([]byte, size)
		rand.Read(msg)
		for i := range msg {
			msg[i] = 'a' + msg[i]%26 // a text message
		}
		wg.Go(func() {
			for !stop.Load() {
				start := time.Now()
				if err := c.roundTrip(msg); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				trips.Add(1)
				if measuring.Load() {
					c.samples = append(c.samples, uint32(time.Since(start)/time.Microsecond))
				}
			}
		})
	}
	time.Sleep(warmup)
	before := trips.Load()
	measuring.Store(true)
	start := time.Now()
	time.Sleep(duration)
	measuring.Store(false)
	res := echoResult{roundTrips: trips.Load() - before, elapsed: time.Since(start)}
	stop.Store(true)
	wg.Wait()
	res.total = trips.Load()
	if p := firstErr.Load(); p != nil {
		return res, *p
	}
	for _, c := range conns {
		res.samples = append(res.samples, c.samples...)
	}
	return res, nil
}
