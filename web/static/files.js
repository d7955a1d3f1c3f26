// The file engine of the Sambung worker: it moves attachment bytes between
// a File, WebCrypto, the relay's blob endpoints and the origin-private file
// system, and reports progress. The format is the core's (docs/PROTOCOL.md,
// "Attachments"): for each file the Go module hands out a handle with the
// derived AES-256-GCM key, gives each chunk's nonce, takes each sealed
// chunk's SHA-256 in order, and alone builds and checks the digest and the
// pointer. The file key never leaves the module.
//
// Memory stays flat whatever the file size: an upload holds at most two
// batches (BATCH chunks each) of plaintext and ciphertext; a download
// holds at most WINDOW chunks and writes plaintext to disk as it goes.
'use strict';

const Files = (() => {
  const CHUNK = 64 << 10; // attach.ChunkSize
  const TAG = 16; // attach.TagSize
  const SEALED = CHUNK + TAG;
  // BATCH chunks (8 MiB) go in one PATCH: the relay fsyncs once per
  // request, so fewer, larger requests are faster; two batches in memory
  // is the upload's whole footprint.
  const BATCH = 128;
  // WINDOW chunks decrypt at once during a download: enough to keep
  // WebCrypto busy while the network delivers the next ones.
  const WINDOW = 32;
  // MAX_SIZE is attach.MaxSize, checked before anything is sent.
  const MAX_SIZE = 2 * 1024 * 1024 * 1024;
  // Thumbnails: the longest side in pixels, and the pointer's cap in bytes.
  const THUMB_SIDE = 320;
  const THUMB_MAX = 16 << 10;
  // RETRIES bounds attempts to resume one upload or download after the
  // connection drops; the waits double from RETRY_MS.
  const RETRIES = 8;
  const RETRY_MS = 250;
  // PROGRESS_MS spaces progress events.
  const PROGRESS_MS = 100;
  // DIR is the folder in the origin-private file system that holds
  // downloaded files, one per blob id; DIR/<id>.part while incomplete.
  const DIR = 'sambung-files';

  const transfers = new Map(); // transfer id -> AbortController

  function fail(code, message) {
    return { code, message };
  }

  // check throws what a synchronous core function returned as an error.
  function check(v) {
    if (v && typeof v === 'object' && typeof v.code === 'string' && !(v instanceof Uint8Array)) throw v;
    return v;
  }

  function aborted(signal) {
    if (signal.aborted) throw fail('cancelled', 'the transfer was cancelled');
  }

  function sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => {
        clearTimeout(t);
        reject(fail('cancelled', 'the transfer was cancelled'));
      }, { once: true });
    });
  }

  // relayError turns a blob endpoint's error answer into {code, message}.
  async function relayError(resp) {
    try {
      const e = await resp.json();
      if (e && typeof e.code === 'string') return fail(e.code, String(e.message ?? e.code));
    } catch { /* not JSON */ }
    return fail(resp.status >= 500 ? 'unavailable' : 'internal', `HTTP ${resp.status}`);
  }

  // Progress reports a transfer's state at most every PROGRESS_MS, and
  // always at the end.
  class Progress {
    constructor(emit, base) {
      this.emit = emit;
      this.base = base;
      this.last = 0;
    }

    report(fields, force) {
      const now = Date.now();
      if (!force && now - this.last < PROGRESS_MS) return;
      this.last = now;
      this.emit('transfer', { ...this.base, ...fields });
    }
  }

  // start registers a transfer and returns its id and AbortController.
  function start(id) {
    const tid = typeof id === 'string' && id ? id : crypto.randomUUID();
    if (transfers.has(tid)) throw fail('bad_argument', `transfer ${tid} is running`);
    const ctl = new AbortController();
    transfers.set(tid, ctl);
    return { tid, ctl };
  }

  function cancel(id) {
    const ctl = transfers.get(id);
    if (!ctl) return false;
    ctl.abort();
    return true;
  }

  // thumbnail makes a small JPEG of an image, or returns null where the
  // browser cannot decode it. Size is the image's own.
  async function thumbnail(file) {
    if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') return null;
    let bmp;
    try {
      bmp = await createImageBitmap(file);
    } catch {
      return null;
    }
    const width = bmp.width;
    const height = bmp.height;
    try {
      for (const [side, quality] of [[THUMB_SIDE, 0.7], [200, 0.6], [120, 0.5]]) {
        const scale = Math.min(1, side / Math.max(width, height));
        const w = Math.max(1, Math.round(width * scale));
        const h = Math.max(1, Math.round(height * scale));
        const canvas = new OffscreenCanvas(w, h);
        canvas.getContext('2d').drawImage(bmp, 0, 0, w, h);
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
        if (blob.size <= THUMB_MAX) {
          return { width, height, thumbnail: new Uint8Array(await blob.arrayBuffer()) };
        }
      }
      return { width, height, thumbnail: null };
    } finally {
      bmp.close();
    }
  }

  // sealBatch encrypts chunks [first, first+count) of file and returns the
  // sealed chunks, having added their hashes to the sealer in order.
  async function sealBatch(core, h, key, file, first, count, size) {
    const from = first * CHUNK;
    const plain = new Uint8Array(await file.slice(from, Math.min(size, from + count * CHUNK)).arrayBuffer());
    const sealed = await Promise.all(Array.from({ length: count }, (_, j) => {
      const iv = check(core.nonce(h, first + j));
      const part = plain.subarray(j * CHUNK, Math.min(plain.length, (j + 1) * CHUNK));
      return crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, part);
    }));
    const hashes = await Promise.all(sealed.map((s) => crypto.subtle.digest('SHA-256', s)));
    for (const d of hashes) check(core.hash(h, new Uint8Array(d)));
    return sealed;
  }

  // patch appends body to blob id from offset, resuming after a dropped
  // connection from the offset the relay made durable. It returns the new
  // offset.
  async function patch(base, token, id, offset, body, signal, onResume) {
    const url = `${base}/v1/blobs/${id}`;
    const headers = { Authorization: `Bearer ${token}` };
    const end = offset + body.size;
    let at = offset;
    for (let attempt = 0; ; attempt++) {
      aborted(signal);
      let resp = null;
      try {
        resp = await fetch(url, {
          method: 'PATCH',
          headers: { ...headers, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(at) },
          body: body.slice(at - offset),
          signal, credentials: 'omit', cache: 'no-store',
        });
        if (resp.status === 204) return end;
        if (resp.status !== 409 && resp.status !== 400 && resp.status < 500) throw await relayError(resp);
      } catch (err) {
        if (signal.aborted) aborted(signal);
        if (err && typeof err.code === 'string') throw err;
        // A network failure: the connection dropped. Resume below.
      }
      if (attempt >= RETRIES) throw fail('network', 'the upload broke off and did not resume');
      if (!resp || resp.status >= 500) await sleep(RETRY_MS << Math.min(attempt, 5), signal);
      // Ask where the relay got to, and go on from there.
      try {
        const head = await fetch(url, { method: 'HEAD', headers, signal, credentials: 'omit', cache: 'no-store' });
        if (head.ok) {
          const durable = Number(head.headers.get('Upload-Offset'));
          if (Number.isSafeInteger(durable) && durable >= offset && durable <= end) {
            if (durable === end) return end;
            if (durable !== at) onResume(durable);
            at = durable;
          }
        } else if (head.status === 404 || head.status === 410) {
          throw fail(head.status === 404 ? 'unknown_blob' : 'blob_expired', 'the upload is gone from the relay');
        }
      } catch (err) {
        if (signal.aborted) aborted(signal);
        if (err && typeof err.code === 'string') throw err;
      }
    }
  }

  // send encrypts file, uploads it and sends the pointer to `to`. It
  // resolves to the sent message.
  async function send(core, base, emit, to, file, options = {}) {
    if (!(file instanceof Blob)) throw fail('bad_argument', 'sendFile: file must be a File or Blob');
    const size = file.size;
    const name = typeof options.name === 'string' ? options.name : (file.name ?? '');
    if (size > MAX_SIZE) throw fail('file_too_large', 'the file is larger than 2 GiB');
    const { tid, ctl } = start(options.transferId);
    const signal = ctl.signal;
    const p = new Progress(emit, { id: tid, direction: 'upload', to, name, total: size });
    let h = 0;
    let blobId = '';
    let token = '';
    try {
      p.report({ state: 'preparing', encrypted: 0, uploaded: 0 }, true);
      const meta = { mime: file.type || '', name };
      if (typeof options.durationMs === 'number') meta.durationMs = Math.round(options.durationMs);
      if (/^image\//.test(file.type)) Object.assign(meta, await thumbnail(file) ?? {});
      aborted(signal);
      token = await core.call('_blobAuth', []);
      const sealer = await core.call('_sealFile', [size]);
      h = sealer.h;
      const key = await crypto.subtle.importKey('raw', sealer.aesKey, 'AES-GCM', false, ['encrypt']);
      sealer.aesKey.fill(0);
      const cipherSize = size + sealer.chunks * TAG;
      // Create the upload: the relay checks the size cap and the quota now,
      // before a byte is sent.
      const created = await fetch(`${base}/v1/blobs`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ size: cipherSize }),
        signal, credentials: 'omit', cache: 'no-store',
      });
      if (created.status !== 201) throw await relayError(created);
      blobId = (await created.json()).id;
      let encrypted = 0;
      let uploaded = 0;
      let resumed = 0;
      const report = (force) => p.report({ state: 'uploading', encrypted, uploaded, resumed, blobId }, force);
      // Encrypt batch n+1 while batch n uploads.
      let next = sealBatch(core, h, key, file, 0, Math.min(BATCH, sealer.chunks), size);
      for (let first = 0, offset = 0; first < sealer.chunks; first += BATCH) {
        const sealed = await next;
        aborted(signal);
        const count = sealed.length;
        encrypted = Math.min(size, (first + count) * CHUNK);
        const after = first + count;
        if (after < sealer.chunks) {
          next = sealBatch(core, h, key, file, after, Math.min(BATCH, sealer.chunks - after), size);
          next.catch(() => {}); // a failure is seen when awaited
        }
        report(false);
        const body = new Blob(sealed);
        offset = await patch(base, token, blobId, offset, body, signal, (durable) => {
          resumed++;
          uploaded = Math.min(size, durable - Math.ceil(durable / SEALED) * TAG);
          report(true);
        });
        uploaded = Math.min(size, encrypted);
        report(false);
      }
      const m = await core.call('_sendFile', [to, h, blobId, meta, options.caption ?? '']);
      h = 0;
      p.report({ state: 'done', encrypted: size, uploaded: size, resumed, blobId, messageId: m.id }, true);
      return m;
    } catch (err) {
      const e = signal.aborted ? fail('cancelled', 'the transfer was cancelled') : err;
      p.report({ state: signal.aborted ? 'cancelled' : 'failed', error: e?.code ?? 'internal' }, true);
      if (blobId && token) {
        // Free the quota the upload reserved; the sweeper would, later.
        fetch(`${base}/v1/blobs/${blobId}`, {
          method: 'DELETE', headers: { Authorization: `Bearer ${token}` }, credentials: 'omit',
        }).catch(() => {});
      }
      throw e;
    } finally {
      if (h) core.drop(h);
      transfers.delete(tid);
    }
  }

  async function filesDir() {
    const root = await navigator.storage.getDirectory();
    return root.getDirectoryHandle(DIR, { create: true });
  }

  // cached returns the verified download of blob id, or null.
  async function cached(id, size) {
    try {
      const f = await (await (await filesDir()).getFileHandle(id)).getFile();
      return f.size === size ? f : null;
    } catch {
      return null;
    }
  }

  // Sink collects plaintext: a file in the origin-private file system
  // where the browser can write one from a worker, else Blob parts (which
  // Chromium keeps on disk past its memory limit).
  class Sink {
    static async open(id) {
      const s = new Sink();
      try {
        s.dir = await filesDir();
        s.handle = await s.dir.getFileHandle(`${id}.part`, { create: true });
        s.writer = await s.handle.createWritable({ keepExistingData: false });
      } catch {
        s.writer = null;
        s.parts = [];
      }
      s.id = id;
      return s;
    }

    async write(buf) {
      if (this.writer) await this.writer.write(buf);
      else this.parts.push(buf);
    }

    // done keeps the file under its final name and returns it.
    async done(mime) {
      if (!this.writer) return new Blob(this.parts, { type: mime });
      await this.writer.close();
      await this.handle.move(this.id);
      return (await this.dir.getFileHandle(this.id)).getFile();
    }

    // discard removes what was written: a part file is never shown.
    async discard() {
      this.parts = [];
      if (!this.writer) return;
      try { await this.writer.abort(); } catch { /* closed */ }
      try { await this.dir.removeEntry(`${this.id}.part`); } catch { /* gone */ }
    }
  }

  // download fetches, checks and decrypts the file of a message and
  // resolves to a File with its original name and type.
  async function download(core, base, emit, conversationId, messageId, options = {}) {
    const { tid, ctl } = start(options.transferId);
    const signal = ctl.signal;
    const p = new Progress(emit, { id: tid, direction: 'download', conversationId, messageId, total: 0 });
    let o = null;
    let sink = null;
    try {
      o = await core.call('_openFile', [conversationId, messageId]);
      const name = o.name || 'file';
      const type = o.mime || 'application/octet-stream';
      p.base.total = o.size;
      p.base.name = name;
      const hit = await cached(o.blobId, o.size);
      if (hit) {
        p.report({ state: 'done', downloaded: o.size, decrypted: o.size, cached: true }, true);
        return new File([hit], name, { type });
      }
      const token = await core.call('_blobAuth', []);
      const key = await crypto.subtle.importKey('raw', o.aesKey, 'AES-GCM', false, ['decrypt']);
      o.aesKey.fill(0);
      sink = await Sink.open(o.blobId);
      let downloaded = 0; // ciphertext bytes received
      let decrypted = 0; // plaintext bytes verified and written
      const report = (force) => p.report({ state: 'downloading', downloaded: Math.min(o.size, downloaded - Math.ceil(downloaded / SEALED) * TAG), decrypted }, force);
      let chunk = 0; // next chunk to complete
      let pending = []; // [{i, sealed}] waiting for decryption, in order
      const sealedLen = (i) => (i + 1 < o.chunks ? SEALED : o.size - i * CHUNK + TAG);
      // flush decrypts the pending chunks in parallel, then hashes and
      // writes them in order.
      const flush = async () => {
        const batch = pending;
        pending = [];
        const plain = await Promise.all(batch.map(({ i, sealed }) =>
          crypto.subtle.decrypt({ name: 'AES-GCM', iv: check(core.nonce(o.h, i)) }, key, sealed)
            .catch(() => { throw fail('file_tampered', 'the file does not match what the sender sent: it was altered or damaged'); })));
        const hashes = await Promise.all(batch.map(({ sealed }) => crypto.subtle.digest('SHA-256', sealed)));
        for (const d of hashes) check(core.hash(o.h, new Uint8Array(d)));
        // One write per window: bench/files wrote 200 MB to OPFS in 3.0 s
        // as 64 KiB writes and in 0.9 s as 2 MiB writes.
        const out = new Uint8Array(plain.reduce((n, b) => n + b.byteLength, 0));
        let at = 0;
        for (const b of plain) {
          out.set(new Uint8Array(b), at);
          at += b.byteLength;
        }
        await sink.write(out);
        decrypted += out.byteLength;
        report(false);
      };
      let buf = new Uint8Array(sealedLen(0));
      let fill = 0;
      for (let attempt = 0; chunk + pending.length < o.chunks; attempt++) {
        aborted(signal);
        // Resume from the first chunk not yet received: a Range request.
        const from = (chunk + pending.length) * SEALED;
        const headers = { Authorization: `Bearer ${token}` };
        if (from > 0) headers.Range = `bytes=${from}-`;
        let resp;
        try {
          resp = await fetch(`${base}/v1/blobs/${o.blobId}`, { headers, signal, credentials: 'omit', cache: 'no-store' });
        } catch (err) {
          aborted(signal);
          if (attempt >= RETRIES) throw fail('network', 'the download broke off and did not resume');
          await sleep(RETRY_MS << Math.min(attempt, 5), signal);
          continue;
        }
        if (resp.status !== (from > 0 ? 206 : 200)) throw await relayError(resp);
        const total = Number(resp.headers.get('Content-Length'));
        if (from === 0 && total !== o.cipherSize) {
          throw total < o.cipherSize
            ? fail('file_incomplete', 'the file on the relay is shorter than the sender said')
            : fail('file_tampered', 'the file on the relay is longer than the sender said: it was altered');
        }
        fill = 0;
        downloaded = from;
        const reader = resp.body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            downloaded += value.byteLength;
            let at = 0;
            while (at < value.byteLength) {
              if (chunk + pending.length >= o.chunks) {
                throw fail('file_tampered', 'the file on the relay is longer than the sender said: it was altered');
              }
              const n = Math.min(buf.length - fill, value.byteLength - at);
              buf.set(value.subarray(at, at + n), fill);
              fill += n;
              at += n;
              if (fill === buf.length) {
                pending.push({ i: chunk + pending.length, sealed: buf });
                const i = chunk + pending.length;
                if (pending.length >= WINDOW) {
                  const k = pending.length;
                  await flush();
                  chunk += k;
                }
                if (i < o.chunks) buf = new Uint8Array(sealedLen(i));
                fill = 0;
              }
            }
            report(false);
          }
        } catch (err) {
          if (err && typeof err.code === 'string') throw err;
          aborted(signal);
          // The body broke off: go on with a Range request.
          if (attempt >= RETRIES) throw fail('network', 'the download broke off and did not resume');
          await sleep(RETRY_MS << Math.min(attempt, 5), signal);
          continue;
        }
        if (chunk + pending.length < o.chunks) {
          // The relay's answer ended early although it promised more.
          if (attempt >= RETRIES) throw fail('file_incomplete', 'the file ended early; try the download again');
        }
      }
      const k = pending.length;
      await flush();
      chunk += k;
      await core.call('_finishFile', [o.h]);
      o.h = 0;
      const file = await sink.done(type);
      sink = null;
      p.report({ state: 'done', downloaded: o.size, decrypted: o.size }, true);
      return new File([file], name, { type });
    } catch (err) {
      const e = signal.aborted ? fail('cancelled', 'the transfer was cancelled') : err;
      p.report({ state: signal.aborted ? 'cancelled' : 'failed', error: e?.code ?? 'internal' }, true);
      throw e;
    } finally {
      if (o?.h) core.drop(o.h);
      if (sink) await sink.discard();
      transfers.delete(tid);
    }
  }

  return { send, download, cancel };
})();
