// The file engine's download: downloadFile fetches a file's ciphertext
// from the relay's blob store, resuming with Range requests after a dropped
// connection, checks and decrypts it chunk by chunk with WebCrypto and
// writes the plaintext to a sink (sink.js) as it goes.
//
// Memory stays flat whatever the file size: a download holds at most
// AHEAD_WINDOWS windows of WINDOW chunks.

import { CHUNK, CODE, NONCE, TAG } from '../constants.js';
import { Sink, cached } from './sink.js';
import {
  Progress, RETRIES, SEALED, aborted, backOff, blobFetch, blobURL, check, coded, fail, finish, joined,
  plainBytes, relayError, start,
} from './transfer.js';

// WINDOW chunks decrypt at once during a download: enough to keep
// WebCrypto busy while the network delivers the next ones.
const WINDOW = 32;
// AHEAD_WINDOWS windows may be opening, hashing or writing while the
// network is read: memory stays at most that many windows.
const AHEAD_WINDOWS = 4;

const tooLong = () => fail(CODE.fileTampered, 'the file on the relay is longer than the sender said: it was altered');

// retry waits before attempt's retry of a download that broke off, or
// gives up after RETRIES.
function retry(attempt, signal) {
  if (attempt >= RETRIES) throw fail(CODE.network, 'the download broke off and did not resume');
  return backOff(attempt, signal);
}

// download fetches, checks and decrypts the file of a message and
// resolves to a File with its original name and type.
export async function download(core, base, emit, conversationId, messageId, options = {}) {
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
    const report = (force) => p.report({ state: 'downloading', downloaded: plainBytes(downloaded, o.size), decrypted }, force);
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
          .catch(() => { throw fail(CODE.fileTampered, 'the file does not match what the sender sent: it was altered or damaged'); })));
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
          throw fail(CODE.storage, `the file could not be written to the browser's storage: ${err?.name ?? err}`);
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
      const headers = from > 0 ? { Range: `bytes=${from}-` } : {};
      let resp;
      try {
        resp = await blobFetch(blobURL(base, o.blobId), token, { headers, signal });
      } catch {
        aborted(signal);
        await retry(attempt, signal);
        continue;
      }
      if (resp.status !== (from > 0 ? 206 : 200)) throw await relayError(resp);
      const total = Number(resp.headers.get('Content-Length'));
      if (from === 0 && total !== o.cipherSize) {
        throw total < o.cipherSize
          ? fail(CODE.fileIncomplete, 'the file on the relay is shorter than the sender said')
          : tooLong();
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
            if (received >= o.chunks) throw tooLong();
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
        if (coded(err)) throw err;
        aborted(signal);
        // The body broke off: go on with a Range request.
        await retry(attempt, signal);
        continue;
      }
      if (received < o.chunks) {
        // The relay's answer ended early although it promised more.
        if (attempt >= RETRIES) throw fail(CODE.fileIncomplete, 'the file ended early; try the download again');
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
    throw p.failed(signal, err);
  } finally {
    writer?.close();
    if (o?.h) core.drop(o.h);
    if (sink) await sink.discard();
    finish(tid);
  }
}
