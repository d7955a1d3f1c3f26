//go:build !js

// Command calls measures Sambung's calls in headless Chromium with fake
// devices, against a real relay with its built-in TURN server, all on
// loopback:
//
//   - call setup time, from s.call() to the caller's 'connected', over
//     -calls video calls signaled through the relay, direct and with
//     iceTransportPolicy 'relay' (through TURN): median and p95;
//   - media received in a call over -seconds, direct and through TURN;
//   - path capacity: a data channel blast between two peer connections of
//     one page, direct and through TURN, as a ratio in the same run.
//
// It prints a markdown table for docs/PERFORMANCE.md.
//
//	web/build.sh && go run ./bench/calls [-calls 20] [-seconds 3]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/chromedp/chromedp"

	"sambung/bench/internal/benchkit"
	"sambung/internal/chromium"
	"sambung/relay"
	"sambung/relay/turn"
)

// waitTimeout bounds one wait for a page.
const waitTimeout = 60 * time.Second

func main() {
	calls := flag.Int("calls", 20, "calls in each setup-time run")
	seconds := flag.Int("seconds", 3, "seconds of media and of data channel blast per path")
	flag.Parse()
	log.SetFlags(0)
	if err := run(*calls, *seconds); err != nil {
		log.Fatal("bench/calls: ", err)
	}
}

func run(calls, seconds int) error {
	r, err := benchkit.StartRelay(func(c *relay.Config) {
		c.TURN = turn.Config{Enabled: true, Listen: "127.0.0.1:0", RelayIP: "127.0.0.1"}
	})
	if err != nil {
		return err
	}
	defer r.Close()
	root, stop, err := chromium.Start(
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true))
	if err != nil {
		return err
	}
	defer stop()
	a, b, conv, err := twoPeople(root, r)
	if err != nil {
		return fmt.Errorf("sign-up: %w", err)
	}
	direct, err := setups(a, b, conv, calls, "all")
	if err != nil {
		return fmt.Errorf("direct calls: %w", err)
	}
	relayed, err := setups(a, b, conv, calls, "relay")
	if err != nil {
		return fmt.Errorf("relayed calls: %w", err)
	}
	mediaDirect, err := media(a, b, conv, "all", seconds)
	if err != nil {
		return fmt.Errorf("media, direct: %w", err)
	}
	mediaRelay, err := media(a, b, conv, "relay", seconds)
	if err != nil {
		return fmt.Errorf("media, relayed: %w", err)
	}
	blastDirect, err := blast(a, "all", seconds)
	if err != nil {
		return fmt.Errorf("blast, direct: %w", err)
	}
	blastRelay, err := blast(a, "relay", seconds)
	if err != nil {
		return fmt.Errorf("blast, relayed: %w", err)
	}

	fmt.Printf("Chromium headless, %s, %d CPUs, %s\n\n", chromiumVersion(root), runtime.NumCPU(), runtime.Version())
	fmt.Println("| measure | direct | through TURN | note |")
	fmt.Println("| --- | --- | --- | --- |")
	fmt.Printf("| call setup, median of %d | %.0f ms | %.0f ms | video call, s.call() to the caller's 'connected': getUserMedia, ICE servers, offer, answer and candidates through the relay's mailboxes, ICE and DTLS |\n",
		calls, median(direct), median(relayed))
	fmt.Printf("| call setup, p95 of %d | %.0f ms | %.0f ms | |\n", calls, p95(direct), p95(relayed))
	fmt.Printf("| media received in a call | %.0f KB/s | %.0f KB/s | audio and video at the callee, over %d s; TURN/direct = %.2f (the fake camera's bitrate bounds both) |\n",
		mediaDirect/1000, mediaRelay/1000, seconds, mediaRelay/mediaDirect)
	fmt.Printf("| data channel blast | %.1f MB/s | %.1f MB/s | one page, two peer connections, %d s each; TURN/direct = %.2f |\n",
		blastDirect/1e6, blastRelay/1e6, seconds, blastRelay/blastDirect)
	return nil
}

func chromiumVersion(ctx context.Context) string {
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.userAgent.match(/Chrom(e|ium)\/[\d.]+/)?.[0] ?? ''`))
	if err != nil || v == "" {
		return "unknown version"
	}
	return v
}

func eval[T any](ctx context.Context, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, waitTimeout)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// apiJS opens the core on the page (the app stays on its sign-in screen:
// this page signs in through the API and is not reloaded, so only this
// Sambung takes calls).
const apiJS = `window.__s ??= await (await import('/sambung.js')).open()`

// twoPeople signs up a phone user (A) and an account user (B) in two
// browser contexts; A writes to B, and B answers every call. It returns
// the conversation id of B at A.
func twoPeople(root context.Context, r *benchkit.Relay) (a, b context.Context, conv string, err error) {
	const phone = "+6281299990001"
	for _, p := range []*context.Context{&a, &b} {
		ctx, _ := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		if err := chromedp.Do(ctx, chromedp.Navigate(r.URL+"/")); err != nil {
			return nil, nil, "", err
		}
		*p = ctx
	}
	if _, err := eval[chromedp.Void](a, `(async () => { `+apiJS+`; await __s.requestPhoneCode('`+phone+`'); })()`); err != nil {
		return nil, nil, "", err
	}
	code, err := r.Codes.Wait(phone, waitTimeout)
	if err != nil {
		return nil, nil, "", err
	}
	if _, err := eval[chromedp.Void](a, `(async () => { await __s.verifyPhone('`+phone+`', '`+code+`'); })()`); err != nil {
		return nil, nil, "", err
	}
	if _, err := eval[chromedp.Void](b, `(async () => { `+apiJS+`; await __s.signUp({account: 'bench_calls', password: 'bench password 1'});
		__s.on('incomingcall', (c) => { window.__in = c; c.accept(); }); })()`); err != nil {
		return nil, nil, "", err
	}
	conv, err = eval[string](a, `(async () => { const c = await __s.lookup('account:bench_calls'); await __s.send(c.personId, 'hello'); return c.personId; })()`)
	if err != nil {
		return nil, nil, "", err
	}
	return a, b, conv, nil
}

// callJS dials a video call and resolves with the ms from dial to the
// caller's 'connected'.
func callJS(conv, policy string) string {
	return `(async () => {
		const t0 = performance.now();
		const call = await __s.call('` + conv + `', { video: true, iceTransportPolicy: '` + policy + `' });
		window.__out = call;
		await new Promise((ok, fail) => {
			call.on('state', (s) => { if (s === 'connected') ok(); if (s === 'ended') fail(new Error('ended: ' + call.endReason)); });
		});
		return performance.now() - t0;
	})()`
}

const hangupJS = `(async () => { await __out.hangup(); })()`

// calleeIdleJS resolves once the callee's side of the last call ended.
const calleeIdleJS = `(async () => {
	for (let i = 0; i < 500 && window.__in && window.__in.state !== 'ended'; i++) await new Promise((r) => setTimeout(r, 10));
	return !window.__in || window.__in.state === 'ended';
})()`

// setups makes n calls and returns each setup time in ms.
func setups(a, b context.Context, conv string, n int, policy string) ([]float64, error) {
	var out []float64
	for range n {
		ms, err := eval[float64](a, callJS(conv, policy))
		if err != nil {
			return nil, err
		}
		out = append(out, ms)
		if _, err := eval[chromedp.Void](a, hangupJS); err != nil {
			return nil, err
		}
		if idle, err := eval[bool](b, calleeIdleJS); err != nil || !idle {
			return nil, fmt.Errorf("the callee's call did not end: %v", err)
		}
	}
	return out, nil
}

// inboundJS sums the bytes the newest call has received.
const inboundJS = `(async () => {
	let n = 0;
	(await window.__in.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') n += s.bytesReceived || 0; });
	return n;
})()`

// media holds one call for a moment to let the bitrate settle, then
// returns the bytes a second the callee receives over seconds.
func media(a, b context.Context, conv, policy string, seconds int) (float64, error) {
	if _, err := eval[float64](a, callJS(conv, policy)); err != nil {
		return 0, err
	}
	defer func() {
		eval[chromedp.Void](a, hangupJS)
		eval[bool](b, calleeIdleJS)
	}()
	time.Sleep(2 * time.Second)
	before, err := eval[float64](b, inboundJS)
	if err != nil {
		return 0, err
	}
	time.Sleep(time.Duration(seconds) * time.Second)
	after, err := eval[float64](b, inboundJS)
	if err != nil {
		return 0, err
	}
	return (after - before) / float64(seconds), nil
}

// blastJS connects two peer connections of the page with the relay's ICE
// servers and the given policy, and sends 64 KiB chunks over a reliable
// data channel for ms; it resolves with the bytes a second received.
func blastJS(policy string, ms int) string {
	return fmt.Sprintf(`(async () => {
		const { iceServers } = await __s.iceServers();
		const cfg = { iceServers, iceTransportPolicy: '%s' };
		const p1 = new RTCPeerConnection(cfg), p2 = new RTCPeerConnection(cfg);
		p1.onicecandidate = (e) => e.candidate && p2.addIceCandidate(e.candidate);
		p2.onicecandidate = (e) => e.candidate && p1.addIceCandidate(e.candidate);
		const ch = p1.createDataChannel('blast');
		let got = 0;
		p2.ondatachannel = (e) => { e.channel.onmessage = (m) => { got += m.data.byteLength ?? m.data.size ?? m.data.length; }; };
		await p1.setLocalDescription(await p1.createOffer());
		await p2.setRemoteDescription(p1.localDescription);
		await p2.setLocalDescription(await p2.createAnswer());
		await p1.setRemoteDescription(p2.localDescription);
		await new Promise((ok) => { if (ch.readyState === 'open') ok(); else ch.onopen = ok; });
		const chunk = new Uint8Array(65536);
		ch.bufferedAmountLowThreshold = 1 << 20;
		const end = performance.now() + %d;
		const start = performance.now();
		const startGot = got;
		while (performance.now() < end) {
			while (ch.bufferedAmount < (4 << 20)) ch.send(chunk);
			await new Promise((ok) => { ch.onbufferedamountlow = ok; setTimeout(ok, 50); });
		}
		const rate = (got - startGot) / ((performance.now() - start) / 1000);
		p1.close(); p2.close();
		return rate;
	})()`, policy, ms)
}

func blast(ctx context.Context, policy string, seconds int) (float64, error) {
	return eval[float64](ctx, blastJS(policy, seconds*1000))
}

func median(xs []float64) float64 { return quantile(xs, 0.5) }
func p95(xs []float64) float64    { return quantile(xs, 0.95) }

// quantile is the nearest-rank quantile q of xs.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}
