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
  const NONCE = 12; // attach.NonceSize
  const SEALED = CHUNK + TAG;
  // BATCH chunks (8 MiB) go in one PATCH: the relay fsyncs once per
  // request, so fewer, larger requests are faster; two batches in memory
  // is the upload's whole footprint.
  const BATCH = 128;
  // AHEAD batches are read and sealed ahead of the one uploading.
  const AHEAD = 2;
  // WINDOW chunks decrypt at once during a download: enough to keep
  // WebCrypto busy while the network delivers the next ones.
  const WINDOW = 32;
  // AHEAD_WINDOWS windows may be opening, hashing or writing while the
  // network is read: memory stays at most that many windows.
  const AHEAD_WINDOWS = 4;
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
  // WRITER_MS is how long the page's file writer may take to answer one
  // request before the download fails: a write of a window takes
  // milliseconds, so only a writer whose page has gone takes this long.
  const WRITER_MS = 30000;
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

  // joined concatenates ArrayBuffers.
  function joined(bufs) {
    const out = new Uint8Array(bufs.reduce((n, b) => n + b.byteLength, 0));
    let at = 0;
    for (const b of bufs) {
      out.set(new Uint8Array(b), at);
      at += b.byteLength;
    }
    return out;
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

  // sealBatch reads chunks [first, first+count) of file and encrypts
  // them. It resolves to the sealed chunks joined in one Uint8Array, the
  // PATCH body, and to the SHA-256 of each sealed chunk, joined, which the
  // caller gives the sealer in order. A typed-array body goes from the
  // worker to Chromium's network process directly; a Blob body goes
  // through the browser process's blob registry, which bench/files saw
  // spend 0.4 s more CPU on 200 MB.
  async function sealBatch(core, h, key, file, first, count, size) {
    const from = first * CHUNK;
    const plain = new Uint8Array(await file.slice(from, Math.min(size, from + count * CHUNK)).arrayBuffer());
    const nonces = check(core.nonces(h, first, count));
    const sealed = await Promise.all(Array.from({ length: count }, (_, j) => {
      const iv = nonces.subarray(j * NONCE, (j + 1) * NONCE);
      const part = plain.subarray(j * CHUNK, Math.min(plain.length, (j + 1) * CHUNK));
      return crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, part);
    }));
    const hashes = joined(await Promise.all(sealed.map((s) => crypto.subtle.digest('SHA-256', s))));
    return { body: joined(sealed), count, hashes };
  }

  // patchOnce sends one PATCH of body at offset to the blob at url.
  function patchOnce(url, token, offset, body, signal) {
    return fetch(url, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': String(offset) },
      body, signal, credentials: 'omit', cache: 'no-store',
    });
  }

  // patch appends body to blob id from offset, resuming after a dropped
  // connection from the offset the relay made durable. It returns the new
  // offset.
  async function patch(base, token, id, offset, body, signal, onResume) {
    const url = `${base}/v1/blobs/${id}`;
    const headers = { Authorization: `Bearer ${token}` };
    const end = offset + body.byteLength;
    let at = offset;
    for (let attempt = 0; ; attempt++) {
      aborted(signal);
      let resp = null;
      try {
        resp = await patchOnce(url, token, at, body.subarray(at - offset), signal);
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
      // Up to AHEAD batches are read and sealed while one uploads.
      const ahead = [];
      let queued = 0; // chunks handed to sealBatch
      const fillAhead = () => {
        while (ahead.length < AHEAD && queued < sealer.chunks) {
          const k = Math.min(BATCH, sealer.chunks - queued);
          const next = sealBatch(core, h, key, file, queued, k, size);
          next.catch(() => {}); // a failure is seen when awaited
          ahead.push(next);
          queued += k;
        }
      };
      fillAhead();
      const onResume = (durable) => {
        resumed++;
        uploaded = Math.min(size, durable - Math.ceil(durable / SEALED) * TAG);
        report(true);
      };
      // Two PATCHes are in flight: the next batch is sent while the relay
      // still writes the one before, and waits behind it on the blob. If
      // it overtakes that one, the relay refuses it (offset_mismatch) and
      // it goes again, the usual way, once the one before is durable.
      const sending = [];
      let last = Promise.resolve();
      for (let first = 0, offset = 0; first < sealer.chunks;) {
        const { body, count, hashes } = await ahead.shift();
        aborted(signal);
        fillAhead();
        check(core.hashes(h, hashes));
        encrypted = Math.min(size, (first + count) * CHUNK);
        report(false);
        const at = offset;
        const before = last;
        last = (async () => {
          let sent = false;
          try {
            sent = (await patchOnce(`${base}/v1/blobs/${blobId}`, token, at, body, signal)).status === 204;
          } catch { /* sent again below */ }
          await before;
          if (!sent) await patch(base, token, blobId, at, body, signal, onResume);
          uploaded = Math.min(size, (at + body.byteLength) - Math.ceil((at + body.byteLength) / SEALED) * TAG);
          report(false);
        })();
        last.catch(() => {}); // seen when awaited
        sending.push(last);
        if (sending.length >= 2) await sending.shift();
        offset += body.byteLength;
        first += count;
      }
      await last;
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

  // PortWriter asks a page's file writer (file-writer.js) to write, over a
  // MessagePort; each request is answered in order.
  class PortWriter {
    constructor(port) {
      this.port = port;
      this.waiting = [];
      this.broken = null;
      port.onmessage = (e) => {
        const w = this.waiting.shift();
        if (!w) return;
        clearTimeout(w.timer);
        if (e.data?.ok) {
          w.resolve();
          return;
        }
        this.stop(new Error(String(e.data?.error ?? 'the file writer failed')));
        w.reject(this.broken);
      };
    }

    // stop fails every request, now and later: after one failure the
    // order of the answers is lost.
    stop(err) {
      this.broken ??= err;
      for (const w of this.waiting.splice(0)) {
        clearTimeout(w.timer);
        w.reject(this.broken);
      }
    }

    ask(msg, transfer = []) {
      if (this.broken) return Promise.reject(this.broken);
      return new Promise((resolve, reject) => {
        // A writer whose page closed never answers.
        const timer = setTimeout(() => this.stop(new Error('the file writer stopped answering')), WRITER_MS);
        this.waiting.push({ resolve, reject, timer });
        this.port.postMessage(msg, transfer);
      });
    }

    close() {
      this.stop(new Error('closed'));
      this.port.close();
    }
  }

  // Sink collects plaintext in a file in the origin-private file system,
  // written, fastest first: with a sync access handle where this worker
  // has one (a dedicated core), through the page's file writer where the
  // page gave a port (a shared core), or with createWritable(); where the
  // browser can do none of these from a worker, in Blob parts (which
  // Chromium keeps on disk past its memory limit).
  class Sink {
    static async open(id, port) {
      const s = new Sink();
      s.id = id;
      s.name = `${id}.part`;
      s.inflight = [];
      try {
        s.dir = await filesDir();
        s.handle = await s.dir.getFileHandle(s.name, { create: true });
      } catch {
        s.parts = [];
        return s;
      }
      if (typeof s.handle.createSyncAccessHandle === 'function') {
        try {
          s.sync = await s.handle.createSyncAccessHandle();
          s.sync.truncate(0);
          s.at = 0;
          return s;
        } catch {
          s.sync = null;
        }
      }
      if (port) {
        s.port = new PortWriter(port);
        try {
          await s.port.ask({ op: 'open', dir: DIR, name: s.name });
          return s;
        } catch {
          s.port.close();
          s.port = null;
        }
      }
      try {
        s.writer = await s.handle.createWritable({ keepExistingData: false });
      } catch {
        s.parts = [];
      }
      return s;
    }

    // write appends pieces, ArrayBuffers, and may transfer them away.
    async write(pieces) {
      if (this.sync) {
        for (const b of pieces) this.at += this.sync.write(b, { at: this.at });
      } else if (this.port) {
        const done = this.port.ask({ op: 'write', data: pieces }, pieces);
        done.catch(() => {}); // seen when awaited
        this.inflight.push(done);
        // Two writes in flight: one is written while the next crosses over.
        if (this.inflight.length >= 2) await this.inflight.shift();
      } else if (this.writer) {
        // One write per window: bench/files wrote 200 MB to OPFS in 3.0 s
        // as 64 KiB writes and in 0.9 s as 2 MiB writes.
        await this.writer.write(joined(pieces));
      } else {
        this.parts.push(...pieces);
      }
    }

    // done keeps the file under its final name and returns it.
    async done(mime) {
      if (this.parts) return new Blob(this.parts, { type: mime });
      if (this.sync) {
        this.sync.flush();
        this.sync.close();
        this.sync = null;
      } else if (this.port) {
        await Promise.all(this.inflight.splice(0));
        await this.port.ask({ op: 'close' });
        this.port.close();
        this.port = null;
      } else {
        await this.writer.close();
        this.writer = null;
      }
      await this.handle.move(this.id);
      return (await this.dir.getFileHandle(this.id)).getFile();
    }

    // discard removes what was written: a part file is never shown.
    async discard() {
      this.parts = null;
      if (!this.handle) return;
      try {
        if (this.sync) this.sync.close();
        else if (this.port) await this.port.ask({ op: 'abort' });
        else if (this.writer) await this.writer.abort();
      } catch { /* closed */ }
      this.port?.close();
      try { await this.dir.removeEntry(this.name); } catch { /* gone */ }
    }
  }

  // download fetches, checks and decrypts the file of a message and
  // resolves to a File with its original name and type.
  async function download(core, base, emit, conversationId, messageId, options = {}) {
    // writer is a port to the page's file writer, if it gave one; closed
    // here unless the sink takes it.
    let writer = options.writer instanceof MessagePort ? options.writer : null;
    let started;
    try {
      started = start(options.transferId);
    } catch (err) {
      writer?.close();
      throw err;
    }
    const { tid, ctl } = started;
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
      sink = await Sink.open(o.blobId, writer);
      writer = null;
      let downloaded = 0; // ciphertext bytes received
      let decrypted = 0; // plaintext bytes verified and written
      const report = (force) => p.report({ state: 'downloading', downloaded: Math.min(o.size, downloaded - Math.ceil(downloaded / SEALED) * TAG), decrypted }, force);
      const sealedLen = (i) => (i + 1 < o.chunks ? SEALED : o.size - i * CHUNK + TAG);
      // The download is a pipeline: the network is read while earlier
      // windows are opened and hashed by WebCrypto, and the opened ones
      // are written to the sink one after another, in order. At most
      // AHEAD_WINDOWS windows are in flight, which bounds memory.
      let received = 0; // chunks received whole
      let pending = []; // chunks of the window being filled
      let written = Promise.resolve(); // the last window's hashes and write
      const inFlight = [];
      const flush = () => {
        if (pending.length === 0) return;
        const batch = pending;
        const first = received - batch.length;
        pending = [];
        const nonces = check(core.nonces(o.h, first, batch.length));
        const opened = Promise.all(batch.map((sealed, j) =>
          crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonces.subarray(j * NONCE, (j + 1) * NONCE) }, key, sealed)
            .catch(() => { throw fail('file_tampered', 'the file does not match what the sender sent: it was altered or damaged'); })));
        const hashed = Promise.all(batch.map((sealed) => crypto.subtle.digest('SHA-256', sealed)));
        opened.catch(() => {});
        hashed.catch(() => {});
        written = written.then(async () => {
          check(core.hashes(o.h, joined(await hashed)));
          const plain = await opened;
          const n = plain.reduce((sum, b) => sum + b.byteLength, 0);
          try {
            await sink.write(plain);
          } catch (err) {
            throw fail('storage', `the file could not be written to the browser's storage: ${err?.name ?? err}`);
          }
          decrypted += n;
          report(false);
        });
        inFlight.push(written);
        written.catch(() => {}); // seen when awaited
      };
      let buf = new Uint8Array(sealedLen(0));
      let fill = 0;
      for (let attempt = 0; received < o.chunks; attempt++) {
        aborted(signal);
        // Resume from the first chunk not yet received: a Range request.
        const from = received * SEALED;
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
              if (received >= o.chunks) {
                throw fail('file_tampered', 'the file on the relay is longer than the sender said: it was altered');
              }
              const n = Math.min(buf.length - fill, value.byteLength - at);
              buf.set(value.subarray(at, at + n), fill);
              fill += n;
              at += n;
              if (fill === buf.length) {
                pending.push(buf);
                received++;
                if (pending.length >= WINDOW) {
                  flush();
                  if (inFlight.length >= AHEAD_WINDOWS) await inFlight.shift();
                }
                if (received < o.chunks) buf = new Uint8Array(sealedLen(received));
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
        if (received < o.chunks) {
          // The relay's answer ended early although it promised more.
          if (attempt >= RETRIES) throw fail('file_incomplete', 'the file ended early; try the download again');
        }
      }
      flush();
      await written;
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
      writer?.close();
      if (o?.h) core.drop(o.h);
      if (sink) await sink.discard();
      transfers.delete(tid);
    }
  }

  return { send, download, cancel };
})();
