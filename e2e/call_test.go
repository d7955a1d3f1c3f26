//go:build !js

package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"

	"sambung/internal/relaytest"
	"sambung/relay"
	"sambung/relay/turn"
	"sambung/wire"
)

// mediaFlags give Chromium a fake camera and microphone (a test pattern and
// a beep), grant them without asking, and let WebRTC gather candidates on
// loopback, this machine's only interface.
var mediaFlags = []chromedp.ExecAllocatorOption{
	chromedp.Flag("use-fake-device-for-media-stream", true),
	chromedp.Flag("use-fake-ui-for-media-stream", true),
	chromedp.Flag("allow-loopback-in-peer-connection", true),
}

// peerConnectionsJS records every RTCPeerConnection the page makes in
// window.__pcs, so that the test can read their stats.
const peerConnectionsJS = `(() => {
	window.__pcs = [];
	const Native = window.RTCPeerConnection;
	window.RTCPeerConnection = class extends Native {
		constructor(...args) { super(...args); window.__pcs.push(this); }
	};
})()`

// mediaStats is what the page's newest peer connection has received, and
// the candidate types of its selected pair, at At (the page's clock, ms).
type mediaStats struct {
	Audio  float64 `json:"audio"`
	Video  float64 `json:"video"`
	Local  string  `json:"local"`
	Remote string  `json:"remote"`
	Count  int     `json:"count"`
	At     float64 `json:"at"`
}

const mediaStatsJS = `(async () => {
	const pc = window.__pcs[window.__pcs.length - 1];
	const out = { audio: 0, video: 0, local: '', remote: '', count: window.__pcs.length, at: performance.now() };
	if (!pc) return out;
	const r = await pc.getStats();
	r.forEach((s) => {
		if (s.type === 'inbound-rtp') out[s.kind] = s.bytesReceived || 0;
		if (s.type === 'transport' && s.selectedCandidatePairId) {
			const pair = r.get(s.selectedCandidatePairId);
			out.local = r.get(pair.localCandidateId)?.candidateType ?? '';
			out.remote = r.get(pair.remoteCandidateId)?.candidateType ?? '';
		}
	});
	return out;
})()`

func (p *page) stats() mediaStats {
	p.t.Helper()
	return eval[mediaStats](p, mediaStatsJS)
}

// growth is how many bytes of audio and video a second p receives, over
// about a second of sampling. The rate is over the time that really passed
// between the two reads, by the page's clock: on a loaded machine the
// sample is longer than the sleep.
func (p *page) growth() (audio, video float64) {
	p.t.Helper()
	a := p.stats()
	time.Sleep(time.Second)
	b := p.stats()
	secs := (b.At - a.At) / 1000
	if secs <= 0 {
		p.t.Fatalf("%s: the page's clock did not move between two stats", p.name)
	}
	return (b.Audio - a.Audio) / secs, (b.Video - a.Video) / secs
}

// Thresholds for one second of media. Opus sends ~50 packets of ~60-120
// bytes a second, the fake camera's VP8 several KB a second; silence
// (a track removed from its sender) sends nothing at all.
const (
	flowingAudio = 1500
	flowingVideo = 5000
	stoppedBytes = 200
)

// waitFlowing waits until p receives audio and video (or only audio) at a
// media rate, three seconds in a row: inbound-rtp keeps growing.
func (p *page) waitFlowing(video bool) {
	p.t.Helper()
	ok := 0
	deadline := time.Now().Add(waitTimeout)
	for ok < 3 {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: media did not keep flowing: %+v", p.name, p.stats())
		}
		a, v := p.growth()
		if a >= flowingAudio && (!video || v >= flowingVideo) {
			ok++
		} else {
			ok = 0
		}
	}
}

// waitStopped waits until p receives no audio (kind "audio") or no video.
func (p *page) waitStopped(kind string) {
	p.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		a, v := p.growth()
		got := a
		if kind == "video" {
			got = v
		}
		if got <= stoppedBytes {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s still flows: %.0f bytes a second", p.name, kind, got)
		}
	}
}

func (p *page) callState() string {
	p.t.Helper()
	return eval[string](p, `(() => { const v = document.querySelector('[data-testid="call-view"]'); return v.hidden ? 'none' : v.dataset.state; })()`)
}

func (p *page) waitCallState(state string) {
	p.t.Helper()
	p.waitJS(`(() => { const v = document.querySelector('[data-testid="call-view"]'); return !v.hidden && v.dataset.state === `+js(state)+`; })()`,
		"the call to be "+state)
}

// waitNoCall waits until no call shows: ended and put away.
func (p *page) waitNoCall() {
	p.t.Helper()
	p.waitJS(`document.querySelector('[data-testid="call-view"]').hidden && document.querySelector('[data-testid="incoming-call"]').hidden`,
		"the call to end")
}

func (p *page) waitRinging() {
	p.t.Helper()
	p.waitJS(`!document.querySelector('[data-testid="incoming-call"]').hidden`, "the incoming call to ring")
}

// watchRinging counts in window.__rang each time the incoming-call sheet
// shows from now on, however briefly: polling can miss a ring that ends
// within one poll.
func (p *page) watchRinging() {
	p.t.Helper()
	eval[chromedp.Void](p, `(() => {
		const sheet = document.querySelector('[data-testid="incoming-call"]');
		window.__rang = 0;
		// Each record holds the hidden attribute's value before it (null:
		// absent, shown); the next record, or the sheet now, holds it after.
		// The app sets hidden on every render, so count only hidden -> shown.
		new MutationObserver((records) => records.forEach((r, i) => {
			const after = i + 1 < records.length ? records[i + 1].oldValue !== null : sheet.hasAttribute('hidden');
			if (r.oldValue !== null && !after) window.__rang++;
		})).observe(sheet, { attributes: true, attributeFilter: ['hidden'], attributeOldValue: true });
	})()`)
}

// waitRang waits until the sheet watchRinging watches has shown.
func (p *page) waitRang() {
	p.t.Helper()
	p.waitJS(`window.__rang > 0`, "the incoming call to ring")
}

// waitCallEntry waits until the open chat shows the call entries in this
// order of outcome, each "outcome/outgoing/video".
func (p *page) waitCallEntries(want ...string) {
	p.t.Helper()
	p.waitJS(`[...document.querySelectorAll('[data-testid="call-entry"]')].map((el) =>
		el.dataset.outcome + '/' + el.dataset.outgoing + '/' + el.dataset.video).join(' ') === `+js(strings.Join(want, " ")),
		"call entries "+strings.Join(want, " "))
}

// TestCalls walks calls between a phone user and an account user in the
// app: a video call with media both ways, mute and camera-off seen in the
// peer's stats, a switch to voice, hang-up on both sides; a declined and a
// missed call in both histories; a call relayed by the built-in TURN
// server; and a tampered offer that never rings.
func TestCalls(t *testing.T) {
	r := startRelay(t, func(c *relay.Config) {
		c.TURN = turn.Config{Enabled: true, Listen: "127.0.0.1:0", RelayIP: "127.0.0.1"}
	})
	root := startBrowser(t, mediaFlags...)
	ayu := newPerson(t, root, r, "ayu")
	budi := newPerson(t, root, r, "budi")
	var a, b *page

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"sign up and open the chat on both sides", func(t *testing.T) {
			a = ayu.open(peerConnectionsJS)
			a.signUpPhone(r, ayuPhoneTyped, ayuPhone)
			b = budi.open(peerConnectionsJS)
			b.signUpAccount(budiAccount, budiPassword)
			a.startChat("account", budiAccount)
			a.sendMessage("Can I call you?")
			b.openChat(ayuPhone)
			b.waitMessage("Can I call you?")
		}},
		{"a video call sets up audio and video both ways", func(t *testing.T) {
			a.click("video-call-button")
			a.waitCallState("dialing")
			b.waitRinging()
			if s := eval[string](b, `document.querySelector('[data-testid="incoming-kind"]').textContent`); s != "Incoming video call" {
				t.Fatalf("incoming sheet says %q", s)
			}
			b.click("call-accept")
			a.waitCallState("connected")
			b.waitCallState("connected")
			a.waitFlowing(true)
			b.waitFlowing(true)
			a.screenshot("call-video")
		}},
		{"mute and camera-off show in the peer's stats", func(t *testing.T) {
			b.click("call-mute")
			a.waitStopped("audio")
			a.waitJS(`document.querySelector('[data-testid="call-peer-state"]').textContent.includes('muted')`, "the peer shown muted")
			b.click("call-mute")
			a.waitFlowing(true)
			b.click("call-camera")
			a.waitStopped("video")
			a.waitJS(`document.querySelector('[data-testid="call-peer-state"]').textContent.includes('camera off')`, "the peer's camera shown off")
			b.click("call-camera")
			a.waitFlowing(true)
		}},
		{"switching to voice stops video; the elapsed time runs", func(t *testing.T) {
			a.click("call-switch")
			b.waitStopped("video")
			b.waitJS(`document.querySelector('[data-testid="call-view"]').dataset.video === '0'`, "the peer to follow to voice")
			b.waitFlowing(false)
			// Any time but 0:00: on a loaded machine the call may be past a minute.
			a.waitJS(`/^(?!0:00)\d+:\d\d/.test(document.querySelector('[data-testid="call-status"]').textContent)`, "the elapsed time")
		}},
		{"hang-up ends the call on both sides and both histories hold it", func(t *testing.T) {
			a.click("call-hangup")
			a.waitNoCall()
			b.waitNoCall()
			a.waitCallEntries("completed/1/1")
			b.waitCallEntries("completed/0/1")
			if got := eval[string](b, `document.querySelector('[data-testid="call-entry-text"]').textContent`); !regexp.MustCompile(`^Incoming video call · \d+:\d\d`).MatchString(got) {
				t.Fatalf("call entry says %q", got)
			}
			for _, p := range []*page{a, b} {
				if s := p.stats(); s.Count != 1 {
					t.Fatalf("%s made %d peer connections", p.name, s.Count)
				}
			}
		}},
		{"a declined call is in both histories", func(t *testing.T) {
			a.click("call-button")
			b.waitRinging()
			if s := eval[string](b, `document.querySelector('[data-testid="incoming-kind"]').textContent`); s != "Incoming voice call" {
				t.Fatalf("incoming sheet says %q", s)
			}
			b.click("call-decline")
			a.waitJS(`document.querySelector('[data-testid="call-status"]').textContent === 'Declined'`, "the caller to see the decline")
			a.waitNoCall()
			b.waitNoCall()
			a.waitCallEntries("completed/1/1", "declined/1/0")
			b.waitCallEntries("completed/0/1", "declined/0/0")
		}},
		{"an unanswered call times out: missed at the callee", func(t *testing.T) {
			eval[chromedp.Void](a, `localStorage.setItem('sambung.ringTimeout', '2000')`)
			b.watchRinging()
			a.click("call-button")
			// Two seconds of ringing at Ayu's end: on a loaded machine the
			// offer may reach Budi late and ring for less than a poll.
			b.waitRang()
			a.waitNoCall()
			b.waitNoCall()
			a.waitCallEntries("completed/1/1", "declined/1/0", "unanswered/1/0")
			b.waitCallEntries("completed/0/1", "declined/0/0", "missed/0/0")
			if got := eval[string](b, `[...document.querySelectorAll('[data-testid="call-entry-text"]')].pop().textContent`); got != "Missed voice call" {
				t.Fatalf("missed call entry says %q", got)
			}
			eval[chromedp.Void](a, `localStorage.removeItem('sambung.ringTimeout')`)
		}},
		{"a call through the built-in TURN server with relay candidates only", func(t *testing.T) {
			eval[chromedp.Void](a, `localStorage.setItem('sambung.relayCalls', '1')`)
			a.click("video-call-button")
			b.waitRinging()
			b.click("call-accept")
			a.waitCallState("connected")
			b.waitCallState("connected")
			a.waitFlowing(true)
			b.waitFlowing(true)
			if s := a.stats(); s.Local != "relay" {
				t.Fatalf("the caller's selected pair is %s -> %s, want a relay candidate", s.Local, s.Remote)
			}
			b.click("call-hangup")
			a.waitNoCall()
			b.waitNoCall()
			eval[chromedp.Void](a, `localStorage.removeItem('sambung.relayCalls')`)
			a.waitCallEntries("completed/1/1", "declined/1/0", "unanswered/1/0", "completed/1/1")
		}},
		{"a tampered offer is rejected and no call starts", func(t *testing.T) {
			px := startTamperProxy(t, r)
			citra := newPerson(t, root, &relaytest.Relay{URL: px.url, Codes: r.Codes}, "citra")
			c := citra.open(peerConnectionsJS)
			c.signUpAccount("citra", "another fine password")
			a.startChat("account", "citra")
			a.sendMessage("Halo Citra")
			c.openChat(ayuPhone)
			c.waitMessage("Halo Citra")

			px.armed.Store(true)
			eval[chromedp.Void](a, `localStorage.setItem('sambung.ringTimeout', '3000')`)
			c.watchRinging()
			a.click("call-button")
			// The offer reached Citra's core and failed the ratchet's MAC:
			// a placeholder, no ringing, no peer connection.
			c.waitJS(`document.querySelectorAll('[data-testid="message"]').length >= 2`, "the placeholder of a rejected envelope")
			a.waitNoCall()
			if px.flipped.Load() == 0 {
				t.Fatal("the proxy tampered with nothing")
			}
			eval[chromedp.Void](a, `localStorage.removeItem('sambung.ringTimeout')`)
			// The failed decryptions changed no state: the session goes on.
			px.armed.Store(false)
			a.sendMessage("After the noise")
			c.waitMessage("After the noise")
			// Citra's core takes envelopes in order: the offer and the
			// hang-up came before this message, so whatever they did is done.
			if n := eval[int](c, `window.__rang`); n != 0 {
				t.Fatalf("a tampered offer rang %d times", n)
			}
			if s := c.stats(); s.Count != 0 {
				t.Fatalf("a tampered offer made %d peer connections", s.Count)
			}
			c.checkConsole()
		}},
		{"no page broke the CSP or threw", func(t *testing.T) {
			a.checkConsole()
			b.checkConsole()
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) {
			ayu.at(t)
			budi.at(t)
			s.run(t)
		}) {
			return
		}
	}
}

// tamperProxy stands between a browser and the relay: it forwards HTTP and
// the websocket, and while armed flips a byte in the ciphertext of every
// envelope the relay pushes, as a malicious relay could.
type tamperProxy struct {
	url     string
	relay   *url.URL
	armed   atomic.Bool
	flipped atomic.Int64
}

func startTamperProxy(t *testing.T, r *relaytest.Relay) *tamperProxy {
	t.Helper()
	u, err := url.Parse(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	p := &tamperProxy{relay: u}
	rp := httputil.NewSingleHostReverseProxy(u)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == wire.PathWebSocket {
			p.socket(w, req)
			return
		}
		rp.ServeHTTP(w, req)
	}))
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
	})
	p.url = hs.URL
	return p
}

// socket relays one websocket, tampering with what the relay pushes.
func (p *tamperProxy) socket(w http.ResponseWriter, req *http.Request) {
	in, err := websocket.Accept(w, req, nil)
	if err != nil {
		return
	}
	defer in.CloseNow()
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	out, _, err := websocket.Dial(ctx, "ws://"+p.relay.Host+wire.PathWebSocket, &websocket.DialOptions{
		HTTPHeader: http.Header{"Origin": {p.relay.String()}},
	})
	if err != nil {
		return
	}
	defer out.CloseNow()
	in.SetReadLimit(wire.MaxFrameSize)
	out.SetReadLimit(wire.MaxFrameSize)
	go func() {
		defer cancel()
		for {
			typ, b, err := in.Read(ctx)
			if err != nil || out.Write(ctx, typ, b) != nil {
				return
			}
		}
	}()
	for {
		typ, b, err := out.Read(ctx)
		if err != nil {
			return
		}
		if p.armed.Load() {
			b = p.tamper(b)
		}
		if in.Write(ctx, typ, b) != nil {
			return
		}
	}
}

// tamper flips the last byte (inside the MAC) of each envelope's body.
func (p *tamperProxy) tamper(frame []byte) []byte {
	var f map[string]json.RawMessage
	if json.Unmarshal(frame, &f) != nil || f["envelopes"] == nil {
		return frame
	}
	var envs []map[string]json.RawMessage
	if json.Unmarshal(f["envelopes"], &envs) != nil {
		return frame
	}
	for _, e := range envs {
		var body []byte
		if json.Unmarshal(e["body"], &body) != nil || len(body) == 0 {
			continue
		}
		body[len(body)-1] ^= 0x01
		e["body"], _ = json.Marshal(base64.StdEncoding.EncodeToString(body))
		p.flipped.Add(1)
	}
	f["envelopes"], _ = json.Marshal(envs)
	out, err := json.Marshal(f)
	if err != nil {
		panic(fmt.Sprint("re-encoding a frame: ", err))
	}
	return out
}
