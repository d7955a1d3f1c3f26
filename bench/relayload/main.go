//go:build linux

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"time"
)

// options are the command line.
type options struct {
	clients    int
	duration   time.Duration
	warmup     time.Duration
	window     int
	rate       int
	idle       int
	settle     time.Duration
	body       int
	echo       bool
	frameRate  int
	cpuprofile string
	memprofile string
	tracefile  string
	genprofile string
	data       string
}

func main() {
	var o options
	flag.IntVar(&o.clients, "clients", 1000, "connected clients, one device each, sending to each other")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "length of the measured window")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "load before the measured window")
	flag.IntVar(&o.window, "window", 4, "closed loop: sends in flight per client")
	flag.IntVar(&o.rate, "rate", 0, "open loop: total sends per second spread over the clients (0: closed loop)")
	flag.IntVar(&o.idle, "idle", 0, "idle mode: open this many authenticated idle websockets and report the relay's RSS")
	flag.DurationVar(&o.settle, "settle", 5*time.Second, "idle mode: wait this long with the sockets open before measuring")
	flag.IntVar(&o.body, "body", 200, "ciphertext bytes per envelope (random)")
	flag.BoolVar(&o.echo, "echo", true, "run the raw coder/websocket echo baseline after the relay")
	flag.IntVar(&o.frameRate, "frame-rate", 0, "relay websocket frames per connection per second (0: the relay's default, 200)")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write the relay process's CPU profile of the measured window to this file")
	flag.StringVar(&o.memprofile, "memprofile", "", "write the relay process's heap profile at the end of the measured window to this file")
	flag.StringVar(&o.tracefile, "trace", "", "write the relay process's execution trace of the measured window to this file")
	flag.StringVar(&o.genprofile, "genprofile", "", "write the generator's CPU profile of the measured window to this file")
	flag.StringVar(&o.data, "data", "", "relay Badger directory (default: a new temporary one, removed afterwards)")
	serveKind := flag.String("serve", "", "internal: run as the relay or echo child process")
	flag.Parse()

	var err error
	if *serveKind != "" {
		err = serve(*serveKind, o.data, o.cpuprofile, o.memprofile, o.tracefile, o.frameRate)
	} else {
		err = bench(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "relayload:", err)
		os.Exit(1)
	}
}

// signUpParallel and dialParallel bound the requests in flight while
// setting up: enough to keep both processes busy, few enough not to queue.
const (
	signUpParallel = 16
	dialParallel   = 64
)

func bench(o options) error {
	n := o.clients
	if o.idle > 0 {
		n = o.idle
	}
	if n < 2 {
		return errors.New("need at least 2 clients")
	}
	if o.window < 1 {
		return errors.New("-window must be at least 1")
	}
	limit, err := raiseFileLimit()
	if err != nil {
		return err
	}
	// Each socket is one descriptor here and one in the child; keep room
	// for the sign-up's HTTP connections and Badger's files.
	if uint64(n)+256 > limit {
		return fmt.Errorf("%d sockets need more than the open-file limit %d", n, limit)
	}
	dir := o.data
	if dir == "" {
		if dir, err = os.MkdirTemp("", "relayload-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	relayArgs := []string{"-data", dir, "-frame-rate", strconv.Itoa(o.frameRate)}
	for _, p := range []struct{ flag, path string }{{"-cpuprofile", o.cpuprofile}, {"-memprofile", o.memprofile}, {"-trace", o.tracefile}} {
		if p.path != "" {
			abs, err := filepath.Abs(p.path)
			if err != nil {
				return err
			}
			relayArgs = append(relayArgs, p.flag, abs)
		}
	}
	rc, err := startChild("relay", relayArgs...)
	if err != nil {
		return err
	}
	defer rc.kill()

	mode := fmt.Sprintf("closed loop, %d sends in flight per client", o.window)
	switch {
	case o.idle > 0:
		mode = "idle sockets"
	case o.rate > 0:
		mode = fmt.Sprintf("open loop, %s sends/s in total", commas(int64(o.rate)))
	}
	fmt.Printf("relayload: %s clients, %s, %d-byte bodies, one device per person; load average %s; open-file limit %d\n",
		commas(int64(n)), mode, o.body, loadAverage(), limit)
	_, deviations := relayConfig(dir, o.frameRate)
	fmt.Printf("relay pid %d on %s, Badger in %s; deviations from the defaults:\n", rc.cmd.Process.Pid, rc.addr, dir)
	for _, d := range deviations {
		fmt.Printf("  - %s\n", d)
	}

	ctx := context.Background()
	start := time.Now()
	sessions, err := signUpAll(ctx, rc.addr, "load", n, signUpParallel)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("sign-up: %s devices in %.1fs (%s/s)\n", commas(int64(n)), took.Seconds(), commas(int64(float64(n)/took.Seconds())))
	// The idle figures are growths over the relay with every device signed
	// up and no socket open, both after a forced GC so that garbage from
	// the sign-up does not count.
	var before idleBase
	if o.idle > 0 {
		if before.stats, err = rc.stats(true); err != nil {
			return err
		}
		before.rss, _, _ = rc.memory()
	}

	r := &run{clock: clock{start: time.Now()}}
	start = time.Now()
	peers, err := connectAll(ctx, rc.addr, sessions, o.body, o.window, dialParallel, r)
	if err != nil {
		return err
	}
	took = time.Since(start)
	fmt.Printf("connect: %s authenticated websockets in %.1fs\n", commas(int64(n)), took.Seconds())

	if o.idle > 0 {
		return idle(o, rc, peers, r, before)
	}
	return load(o, rc, peers, r)
}

// load runs the closed or open loop, prints the relay's figures, then the
// echo baseline's and their ratio.
func load(o options, rc *child, peers []*peer, r *run) error {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	for _, p := range peers {
		if o.rate > 0 {
			interval := time.Duration(float64(time.Second) * float64(len(peers)) / float64(o.rate))
			go p.openLoop(ctx, peers, r, interval)
		} else {
			go p.closedLoop(ctx, peers, r)
		}
	}
	time.Sleep(o.warmup)

	m0, err := relayMetrics(rc.addr)
	if err != nil {
		return err
	}
	cpu0, _ := rc.cpu()
	self0 := selfCPU()
	d0, a0 := r.delivered.Load(), r.acked.Load()
	profiling := o.cpuprofile != "" || o.memprofile != "" || o.tracefile != ""
	if profiling {
		if _, err := rc.command("profile start"); err != nil {
			return err
		}
	}
	if o.genprofile != "" {
		f, err := os.Create(o.genprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
	}
	r.measuring.Store(true)
	start := time.Now()
	time.Sleep(o.duration)
	r.measuring.Store(false)
	elapsed := time.Since(start)
	d1, a1 := r.delivered.Load(), r.acked.Load()
	self1 := selfCPU()
	cpu1, _ := rc.cpu()
	if o.genprofile != "" {
		pprof.StopCPUProfile()
	}
	if profiling {
		if _, err := rc.command("profile stop"); err != nil {
			return err
		}
	}
	m1, err := relayMetrics(rc.addr)
	if err != nil {
		return err
	}
	rss, peak, _ := rc.memory()
	st, err := rc.stats(false)
	if err != nil {
		return err
	}
	stop()
	closeAll(peers)

	var samples, ackSamples []uint32
	for _, p := range peers {
		samples = append(samples, p.samples...)
		ackSamples = append(ackSamples, p.ackSamples...)
	}
	delivered := float64(d1-d0) / elapsed.Seconds()
	fmt.Printf("relay: delivered %s msgs/s, durably acked %s sends/s over %.1fs; end-to-end %s\n",
		commas(int64(delivered)), commas(int64(float64(a1-a0)/elapsed.Seconds())), elapsed.Seconds(), latencyLine(samples))
	fmt.Printf("       send to durable ack (sent frame): %s\n", latencyLine(ackSamples))
	flushes := m1["sambung_commit_seconds_count"] - m0["sambung_commit_seconds_count"]
	if flushes > 0 {
		fmt.Printf("       writer: %s flushes/s, %.1f write requests per flush, %.2f ms per flush (commit and fsync)\n",
			commas(int64(flushes/elapsed.Seconds())),
			(m1["sambung_commit_batch_size_sum"]-m0["sambung_commit_batch_size_sum"])/flushes,
			1e3*(m1["sambung_commit_seconds_sum"]-m0["sambung_commit_seconds_sum"])/flushes)
	}
	fmt.Printf("       relay RSS %s (peak %s); CPU: relay %.2f cores (%.0f µs per delivered message), generator %.2f cores (of 2); load average %s\n",
		mib(rss), mib(peak), (cpu1-cpu0).Seconds()/elapsed.Seconds(), float64((cpu1-cpu0).Microseconds())/float64(d1-d0),
		(self1-self0).Seconds()/elapsed.Seconds(), loadAverage())
	fmt.Printf("       relay Go runtime: %s goroutines, heap in use %s, stacks %s, from the OS %s\n",
		commas(int64(st.Goroutines)), mib(int64(st.HeapInuse)), mib(int64(st.StackInuse)), mib(int64(st.Sys)))
	r.mu.Lock()
	if len(r.errors) > 0 {
		fmt.Printf("       error frames: %v\n", r.errors)
	}
	r.mu.Unlock()
	if err := rc.stop(); err != nil {
		return fmt.Errorf("relay stop: %w", err)
	}
	if !o.echo {
		return nil
	}

	// The echo messages are as long as one of the relay's send frames.
	var idb [48]byte
	size := len(appendSend(nil, envelopeID(idb[:0], len(peers), 1<<20, r.clock.now()), peers[0].sess.PersonID, 1, peers[0].body, time.Now().UnixMilli()))
	ec, err := startChild("echo")
	if err != nil {
		return err
	}
	defer ec.kill()
	conns, err := dialEcho(context.Background(), ec.addr, len(peers), dialParallel)
	if err != nil {
		return err
	}
	ecpu0, _ := ec.cpu()
	self0 = selfCPU()
	res, err := echoLoad(conns, size, o.warmup, o.duration)
	ecpu1, _ := ec.cpu()
	self1 = selfCPU()
	closeEcho(conns)
	if err != nil {
		return err
	}
	erss, epeak, _ := ec.memory()
	trips := float64(res.roundTrips) / res.elapsed.Seconds()
	fmt.Printf("echo:  %s connections, closed loop, one %d-byte message in flight each: %s round trips/s; %s\n",
		commas(int64(len(conns))), size, commas(int64(trips)), latencyLine(res.samples))
	fmt.Printf("       echo RSS %s (peak %s); CPU: echo server %.2f cores (%.0f µs per round trip), generator %.2f cores\n",
		mib(erss), mib(epeak), (ecpu1-ecpu0).Seconds()/res.elapsed.Seconds(), float64((ecpu1-ecpu0).Microseconds())/float64(res.total),
		(self1-self0).Seconds()/(res.elapsed.Seconds()+o.warmup.Seconds()))
	fmt.Printf("ratio: relay delivered msgs/s / echo round trips/s = %.3f\n", delivered/trips)
	return ec.stop()
}

// idleBase is a process's memory before the sockets open.
type idleBase struct {
	rss   int64
	stats childStats
}

// idle holds the authenticated sockets open, proves them alive with a ping
// each, and reports the relay's memory; then the same count of idle echo
// sockets for the baseline.
func idle(o options, rc *child, peers []*peer, r *run, before idleBase) error {
	n := int64(len(peers))
	time.Sleep(o.settle)
	pongs, err := pingAll(peers, r, ioTimeout)
	if err != nil {
		return fmt.Errorf("%s of %s pongs: %w", commas(pongs), commas(n), err)
	}
	rss, peak, gcRSS, st, err := settled(rc)
	if err != nil {
		return err
	}
	fmt.Printf("relay: %s idle authenticated websockets, all answered a ping: RSS %s (peak %s), %s after a forced GC\n",
		commas(n), mib(rss), mib(peak), mib(gcRSS))
	perSocket := float64(gcRSS-before.rss) / float64(n)
	fmt.Printf("       per socket, after forced GCs: RSS %.1f KiB, Go heap %.1f KiB, stacks %.1f KiB; %s goroutines (%s before connecting)\n",
		perSocket/1024, float64(int64(st.HeapInuse)-int64(before.stats.HeapInuse))/float64(n)/1024,
		float64(int64(st.StackInuse)-int64(before.stats.StackInuse))/float64(n)/1024,
		commas(int64(st.Goroutines)), commas(int64(before.stats.Goroutines)))
	closeAll(peers)
	if err := rc.stop(); err != nil {
		return fmt.Errorf("relay stop: %w", err)
	}
	if !o.echo {
		return nil
	}
	ec, err := startChild("echo")
	if err != nil {
		return err
	}
	defer ec.kill()
	var ebefore idleBase
	if ebefore.stats, err = ec.stats(true); err != nil {
		return err
	}
	ebefore.rss, _, _ = ec.memory()
	conns, err := dialEcho(context.Background(), ec.addr, len(peers), dialParallel)
	if err != nil {
		return err
	}
	msg := []byte(`{"type":"ping","id":"idle"}`)
	for _, c := range conns {
		if err := c.roundTrip(msg); err != nil {
			return err
		}
	}
	time.Sleep(o.settle)
	erss, epeak, egcRSS, est, err := settled(ec)
	if err != nil {
		return err
	}
	closeEcho(conns)
	fmt.Printf("echo:  %s idle websockets, all echoed a message: RSS %s (peak %s), %s after a forced GC\n",
		commas(n), mib(erss), mib(epeak), mib(egcRSS))
	echoPerSocket := float64(egcRSS-ebefore.rss) / float64(n)
	fmt.Printf("       per socket, after forced GCs: RSS %.1f KiB, Go heap %.1f KiB, stacks %.1f KiB; %s goroutines\n",
		echoPerSocket/1024, float64(int64(est.HeapInuse)-int64(ebefore.stats.HeapInuse))/float64(n)/1024,
		float64(int64(est.StackInuse)-int64(ebefore.stats.StackInuse))/float64(n)/1024, commas(int64(est.Goroutines)))
	fmt.Printf("ratio: relay RSS per socket / echo RSS per socket = %.2f\n", perSocket/echoPerSocket)
	return ec.stop()
}

// settled reads a child's memory as it is, then after a forced GC.
func settled(c *child) (rss, peak, gcRSS int64, st childStats, err error) {
	if rss, peak, err = c.memory(); err != nil {
		return
	}
	if st, err = c.stats(true); err != nil {
		return
	}
	gcRSS, _, err = c.memory()
	return
}
