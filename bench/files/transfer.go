//go:build !js

package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// digestSlice is the slice size of the digest both sides compute over the
// file: WebCrypto has no streaming SHA-256, so the page hashes 8 MiB slices
// and then the list of their hashes, and Go does the same over the source.
const digestSlice = 8 << 20

// sliceDigestJS computes that digest over the File in window.__got.
const sliceDigestJS = `(async () => {
	const f = window.__got;
	const parts = [];
	for (let at = 0; at < f.size; at += ` + "8 << 20" + `) {
		parts.push(new Uint8Array(await crypto.subtle.digest('SHA-256', await f.slice(at, at + (8 << 20)).arrayBuffer())));
	}
	const all = new Uint8Array(parts.length * 32);
	parts.forEach((p, i) => all.set(p, i * 32));
	const d = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
	return Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('');
})()`

// writeRandomFile writes n random bytes to dir/name and returns the path
// and the slice digest of the bytes.
func writeRandomFile(dir, name string, n int64) (string, string, error) {
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	var seed [32]byte
	for i := range seed {
		seed[i] = byte(rand.Uint32())
	}
	src := rand.NewChaCha8(seed)
	w := bufio.NewWriterSize(f, 1<<20)
	buf := make([]byte, digestSlice)
	var hashes []byte
	for left := n; left > 0; {
		part := buf[:min(int64(len(buf)), left)]
		src.Read(part)
		h := sha256.Sum256(part)
		hashes = append(hashes, h[:]...)
		if _, err := w.Write(part); err != nil {
			return "", "", err
		}
		left -= int64(len(part))
	}
	if err := w.Flush(); err != nil {
		return "", "", err
	}
	d := sha256.Sum256(hashes)
	return path, hex.EncodeToString(d[:]), f.Close()
}

// result is one file's trip through the browsers and the raw HTTP run.
type result struct {
	size                 int64
	run, runs            int           // this run from 1, of runs
	upload, download     time.Duration // in the pages, performance.now()
	rawUp, rawDown       time.Duration
	upMem, downMem       peaks
	rawMem, idle         peaks
	upPhases, downPhases string
}

func (r result) e2e() float64 { return rate(r.size, r.upload+r.download) }

func rate(n int64, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }

// transferTimeout bounds one upload or download: generous (a slow machine
// still moves 1 MB/s) so that only a hang fails the run.
func transferTimeout(size int64) time.Duration {
	return waitTimeout + time.Duration(size/1e6)*time.Second
}

// timed is what the page reports of a transfer.
type timed struct {
	Ms     float64 `json:"ms"`
	Size   int64   `json:"size"`
	Phases string  `json:"phases"`
}

// phaseJS keeps the 'transfer' events of transfer id tid and defines
// phases(t0), which stops that and says, in ms from t0, when the first
// "uploading" event came (the upload was created and the first batch
// sealed) and when the first bytes were uploaded or decrypted: the setup
// before bytes flow.
const phaseJS = `
	const events = [];
	const off = __s.on('transfer', (t) => { if (t.id === tid) events.push([performance.now(), t]); });
	const phases = (t0) => {
		off();
		const first = events.find(([, t]) => (t.uploaded ?? t.decrypted ?? 0) > 0);
		const enc = events.find(([, t]) => t.state === 'uploading');
		const parts = [];
		if (enc) parts.push('first batch sealed ' + (enc[0] - t0).toFixed(0) + ' ms');
		if (first) parts.push('first bytes done ' + (first[0] - t0).toFixed(0) + ' ms');
		return parts.join(', ');
	};`

// timeTransfer runs one transfer on page p with the id tid, sampling
// memory meanwhile: prep readies it, call (JS, whose value is v) is what
// is timed, and size reads the bytes moved from v.
func timeTransfer(p context.Context, sm *sampler, tid string, timeout time.Duration, prep, call, size string) (timed, peaks, error) {
	sm.start()
	t, err := eval[timed](p, `(async () => {
		const tid = `+js(tid)+`;`+phaseJS+`
		`+prep+`
		const t0 = performance.now();
		const v = await `+call+`;
		const ms = performance.now() - t0;
		return {ms, size: `+size+`, phases: phases(t0)};
	})()`, timeout)
	return t, sm.stop(), err
}

// oneFile sends a file of size bytes from the sender's page to the
// receiver's, timing each side, checks what arrived, then moves the same
// number of ciphertext bytes through the relay's blob API from Go.
func oneFile(s, rcv context.Context, sm *sampler, raw *rawHTTP, dir string, size int64, run int) (result, error) {
	res := result{size: size, run: run + 1}
	name := fmt.Sprintf("bench-%dmb-%d.bin", size/1e6, run)
	path, want, err := writeRandomFile(dir, name, size)
	if err != nil {
		return res, err
	}
	defer os.Remove(path)
	if err := do(s, chromedp.SetUploadFiles(`#bench-file`, []string{path})); err != nil {
		return res, fmt.Errorf("picking the file: %w", err)
	}
	sm.start()
	time.Sleep(time.Second)
	res.idle = sm.stop()

	up, mem, err := timeTransfer(s, sm, "up-"+name, transferTimeout(size),
		`const f = document.getElementById('bench-file').files[0];`,
		`__s.sendFile('account:`+receiverAccount+`', f, {transferId: tid})`, `v.file.size`)
	res.upMem = mem
	if err != nil {
		return res, fmt.Errorf("sendFile: %w", err)
	}
	res.upload = time.Duration(up.Ms * float64(time.Millisecond))
	res.upPhases = up.Phases

	sel := `__files.find((m) => m.file.name === ` + js(name) + `)`
	if err := poll(rcv, `!!`+sel, waitTimeout); err != nil {
		return res, err
	}
	down, mem, err := timeTransfer(rcv, sm, "down-"+name, transferTimeout(size),
		`const m = `+sel+`;`,
		`__s.downloadFile(m.conversationId, m.id, {transferId: tid})`, `(window.__got = v).size`)
	res.downMem = mem
	if err != nil {
		return res, fmt.Errorf("downloadFile: %w", err)
	}
	res.download = time.Duration(down.Ms * float64(time.Millisecond))
	res.downPhases = down.Phases
	if down.Size != size {
		return res, fmt.Errorf("received %d bytes, sent %d", down.Size, size)
	}
	got, err := eval[string](rcv, sliceDigestJS, transferTimeout(size))
	if err != nil {
		return res, fmt.Errorf("digest of the received file: %w", err)
	}
	if got != want {
		return res, fmt.Errorf("the received file differs from the sent one: digest %s, want %s", got, want)
	}
	if _, err := eval[chromedp.Void](rcv, `window.__got = null`, waitTimeout); err != nil {
		return res, err
	}

	n := cipherSize(size)
	sm.start()
	id, upTime, err := raw.upload(n)
	var downTime time.Duration
	if err == nil {
		downTime, err = raw.download(id, n)
	}
	res.rawMem = sm.stop()
	if err != nil {
		return res, fmt.Errorf("raw HTTP: %w", err)
	}
	res.rawUp, res.rawDown = upTime, downTime
	return res, raw.remove(id)
}
