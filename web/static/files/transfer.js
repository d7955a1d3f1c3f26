// What the file engine's upload (upload.js) and download (download.js)
// share: the sizes of the format, the running transfers, progress
// reports, retries and the errors they throw.
//
// The engine runs in the core's worker, beside the core. The format is the
// core's (docs/PROTOCOL.md, "Attachments"): for each file the Go module
// hands out a handle with the derived AES-256-GCM key, gives each chunk's
// nonce, takes each sealed chunk's SHA-256 in order, and alone builds and
// checks the digest and the pointer. The file key never leaves the module.

import { BLOB, CHUNK, CODE, TAG } from '../constants.js';

export const SEALED = CHUNK + TAG;
// RETRIES bounds attempts to resume one upload or download after the
// connection drops; the waits double from RETRY_MS.
export const RETRIES = 8;
const RETRY_MS = 250;
// PROGRESS_MS spaces progress events.
const PROGRESS_MS = 100;

const transfers = new Map(); // transfer id -> AbortController

export function fail(code, message) {
  return { code, message };
}

// coded says whether err is a {code, message} the engine throws as it is.
export function coded(err) {
  return !!err && typeof err.code === 'string';
}

// check throws what a synchronous core function returned as an error.
export function check(v) {
  if (v && typeof v === 'object' && typeof v.code === 'string' && !(v instanceof Uint8Array)) throw v;
  return v;
}

// joined concatenates ArrayBuffers.
export function joined(bufs) {
  const out = new Uint8Array(bufs.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of bufs) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
}

const cancelled = () => fail(CODE.cancelled, 'the transfer was cancelled');

export function aborted(signal) {
  if (signal.aborted) throw cancelled();
}

// backOff waits before the retry after attempt, doubling from RETRY_MS.
export function backOff(attempt, signal) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, RETRY_MS << Math.min(attempt, 5));
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(cancelled());
    }, { once: true });
  });
}

// plainBytes is how many plaintext bytes the first n ciphertext bytes hold.
export function plainBytes(n, size) {
  return Math.min(size, n - Math.ceil(n / SEALED) * TAG);
}

// blobURL is the URL of the blob endpoint, or of blob id.
export function blobURL(base, id) {
  return id ? `${base}${BLOB.path}/${id}` : `${base}${BLOB.path}`;
}

// blobFetch sends one request to the blob endpoint with the device's
// token, never with cookies or from the cache.
export function blobFetch(url, token, init = {}) {
  return fetch(url, {
    ...init,
    headers: { Authorization: `Bearer ${token}`, ...init.headers },
    credentials: 'omit', cache: 'no-store',
  });
}

// relayError turns a blob endpoint's error answer into {code, message}.
export async function relayError(resp) {
  try {
    const e = await resp.json();
    if (coded(e)) return fail(e.code, String(e.message ?? e.code));
  } catch { /* not JSON */ }
  return fail(resp.status >= 500 ? CODE.unavailable : CODE.internal, `HTTP ${resp.status}`);
}

// Progress reports a transfer's state at most every PROGRESS_MS, and
// always at the end.
export class Progress {
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

  // failed reports the end of a transfer that threw err, and returns what
  // to throw: a cancelled error if the transfer was cancelled.
  failed(signal, err) {
    const e = signal.aborted ? cancelled() : err;
    this.report({ state: signal.aborted ? 'cancelled' : 'failed', error: e?.code ?? CODE.internal }, true);
    return e;
  }
}

// start registers a transfer and returns its id and AbortController.
export function start(id) {
  const tid = typeof id === 'string' && id ? id : crypto.randomUUID();
  if (transfers.has(tid)) throw fail(CODE.badArgument, `transfer ${tid} is running`);
  const ctl = new AbortController();
  transfers.set(tid, ctl);
  return { tid, ctl };
}

// finish forgets a transfer that ended.
export function finish(tid) {
  transfers.delete(tid);
}

// cancel stops transfer id; false if none such runs.
export function cancel(id) {
  const ctl = transfers.get(id);
  if (!ctl) return false;
  ctl.abort();
  return true;
}
