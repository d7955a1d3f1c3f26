//go:build !js

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/chromedp/chromedp"
)

// steps are the steps of the file engine measured alone in a page of
// their own, over as many bytes as the file, to see where the time and the
// memory of sendFile and downloadFile go. The engine (web/static/files.js)
// runs the same calls in the SharedWorker. Each step's JavaScript resolves
// to the milliseconds it took.
var steps = []struct{ name, what string }{
	{"read", "read the File, 8 MiB slices"},
	{"encrypt", "AES-GCM seal, 64 KiB chunks, 128 in flight"},
	{"hash", "SHA-256 of sealed chunks, 128 in flight"},
	{"decrypt", "AES-GCM open, 64 KiB chunks, 32 in flight"},
	{"opfs", "OPFS write, 64 KiB pieces (as the download)"},
	{"opfsBig", "OPFS write, 2 MiB pieces"},
	{"patch", "fetch POST + PATCH 8 MiB Blobs"},
	{"get", "fetch GET, read the stream"},
}

// step is one step's time and the memory peaks while it ran.
type step struct {
	ms  float64
	mem peaks
}

// stepsJS sets window.__steps to the steps. The plaintext is the first
// 8 MiB of the picked file, sealed once and used round and round: the
// steps' speed does not depend on the bytes. One key and nonce for every
// chunk is fine here: nothing is secret and nothing is sent to anyone.
const stepsJS = `((token, blobId, n) => {
	const CHUNK = 64 << 10, BATCH = 128, WINDOW = 32, SLICE = 8 << 20;
	const file = document.getElementById('bench-file').files[0];
	const size = file.size;
	const chunks = Math.ceil(size / CHUNK);
	const auth = { Authorization: 'Bearer ' + token };
	const iv = new Uint8Array(12);
	let plain = null, have = 0, key = null, sealed = null;
	const piece = (i) => plain.subarray((i % have) * CHUNK, (i % have + 1) * CHUNK);
	const sealedAt = (i) => sealed[i % sealed.length];
	const timed = (fn) => async () => { const t0 = performance.now(); await fn(); return performance.now() - t0; };
	const writeOPFS = async (pieceSize) => {
		const root = await navigator.storage.getDirectory();
		const h = await root.getFileHandle('bench-opfs', { create: true });
		const w = await h.createWritable({ keepExistingData: false });
		const t0 = performance.now();
		for (let at = 0; at < size; at += pieceSize) {
			const k = Math.min(pieceSize, size - at);
			await w.write(pieceSize === CHUNK ? piece(at / CHUNK).subarray(0, k) : plain.subarray(0, k));
		}
		await w.close();
		const ms = performance.now() - t0;
		await root.removeEntry('bench-opfs');
		return ms;
	};
	window.__steps = {
		read: timed(async () => {
			for (let at = 0; at < size; at += SLICE) {
				const b = await file.slice(at, at + SLICE).arrayBuffer();
				plain ??= new Uint8Array(b);
			}
			have = Math.floor(plain.length / CHUNK);
			key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
		}),
		encrypt: timed(async () => {
			for (let first = 0; first < chunks; first += BATCH) {
				const k = Math.min(BATCH, chunks - first);
				const s = await Promise.all(Array.from({ length: k }, (_, j) => crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, piece(first + j))));
				sealed ??= s;
			}
		}),
		hash: timed(async () => {
			for (let first = 0; first < chunks; first += BATCH) {
				const k = Math.min(BATCH, chunks - first);
				await Promise.all(Array.from({ length: k }, (_, j) => crypto.subtle.digest('SHA-256', sealedAt(first + j))));
			}
		}),
		decrypt: timed(async () => {
			for (let first = 0; first < chunks; first += WINDOW) {
				const k = Math.min(WINDOW, chunks - first);
				await Promise.all(Array.from({ length: k }, (_, j) => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealedAt(first + j))));
			}
		}),
		opfs: () => writeOPFS(CHUNK),
		opfsBig: () => writeOPFS(WINDOW * CHUNK),
		patch: timed(async () => {
			const c = await fetch('/v1/blobs', { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: JSON.stringify({ size: n }), cache: 'no-store' });
			if (c.status !== 201) throw new Error('POST /v1/blobs: ' + c.status);
			window.__upId = (await c.json()).id;
			const all = new Blob(Array.from({ length: BATCH }, (_, i) => sealedAt(i)));
			for (let off = 0; off < n;) {
				const k = Math.min(all.size, n - off);
				const r = await fetch('/v1/blobs/' + __upId, {
					method: 'PATCH', body: all.slice(0, k), cache: 'no-store',
					headers: { ...auth, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(off) },
				});
				if (r.status !== 204) throw new Error('PATCH: ' + r.status);
				off += k;
			}
		}),
		get: timed(async () => {
			const r = await fetch('/v1/blobs/' + blobId, { headers: auth, cache: 'no-store' });
			const rd = r.body.getReader();
			let got = 0;
			for (;;) {
				const { done, value } = await rd.read();
				if (done) break;
				got += value.byteLength;
			}
			if (got !== n) throw new Error('GET gave ' + got + ' of ' + n + ' bytes');
		}),
	};
})`

// measureSteps picks a random file of size bytes in lab, a page of its
// own (so that what it allocates is not in the transfers' memory), uploads
// a blob of its ciphertext size from Go for the GET step, and runs each
// step alone, sampling memory.
func measureSteps(lab context.Context, sm *sampler, raw *rawHTTP, dir string, size int64) (map[string]step, error) {
	path, _, err := writeRandomFile(dir, fmt.Sprintf("steps-%dmb.bin", size/1e6), size)
	if err != nil {
		return nil, err
	}
	defer os.Remove(path)
	if err := do(lab, chromedp.SetUploadFiles(`#bench-file`, []string{path})); err != nil {
		return nil, fmt.Errorf("picking the file: %w", err)
	}
	n := cipherSize(size)
	id, _, err := raw.upload(n)
	if err != nil {
		return nil, err
	}
	defer raw.remove(id)
	if _, err := eval[chromedp.Void](lab, fmt.Sprintf(`%s(%s, %s, %d)`, stepsJS, js(raw.token), js(id), n), waitTimeout); err != nil {
		return nil, err
	}
	out := map[string]step{}
	for _, st := range steps {
		sm.start()
		ms, err := eval[float64](lab, `__steps.`+st.name+`()`, transferTimeout(size))
		mem := sm.stop()
		if err != nil {
			return nil, fmt.Errorf("step %s: %w", st.name, err)
		}
		out[st.name] = step{ms: ms, mem: mem}
	}
	up, err := eval[string](lab, `window.__upId`, waitTimeout)
	if err != nil {
		return nil, err
	}
	// Drop the step's buffers before the next size.
	if _, err := eval[chromedp.Void](lab, `window.__steps = null`, waitTimeout); err != nil {
		return nil, err
	}
	return out, raw.remove(up)
}
