// The file engine's upload: sendFile encrypts a File chunk by chunk with
// WebCrypto, uploads the ciphertext to the relay's blob store, resuming
// after a dropped connection, and has the core send the pointer.
//
// Memory stays flat whatever the file size: an upload holds at most two
// batches (BATCH chunks each) of plaintext and ciphertext.

import { BLOB, CHUNK, CODE, MAX_SIZE, NONCE, TAG, THUMB_MAX } from '../constants.js';
import {
  Progress, RETRIES, aborted, backOff, blobFetch, blobURL, check, coded, fail, finish, joined,
  plainBytes, relayError, start,
} from './transfer.js';

// BATCH chunks (8 MiB) go in one PATCH: the relay fsyncs once per
// request, so fewer, larger requests are faster; two batches in memory
// is the upload's whole footprint.
const BATCH = 128;
// AHEAD batches are read and sealed ahead of the one uploading.
const AHEAD = 2;
// THUMB_SIDE is a thumbnail's longest side in pixels.
const THUMB_SIDE = 320;

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
  return blobFetch(url, token, {
    method: 'PATCH',
    headers: { 'Content-Type': BLOB.offsetType, [BLOB.uploadOffset]: String(offset) },
    body, signal,
  });
}

// patch appends body to the blob at url from offset, resuming after a
// dropped connection from the offset the relay made durable. It returns
// the new offset.
async function patch(url, token, offset, body, signal, onResume) {
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
      aborted(signal);
      if (coded(err)) throw err;
      // A network failure: the connection dropped. Resume below.
    }
    if (attempt >= RETRIES) throw fail(CODE.network, 'the upload broke off and did not resume');
    if (!resp || resp.status >= 500) await backOff(attempt, signal);
    // Ask where the relay got to, and go on from there.
    try {
      const head = await blobFetch(url, token, { method: 'HEAD', signal });
      if (head.ok) {
        const durable = Number(head.headers.get(BLOB.uploadOffset));
        if (Number.isSafeInteger(durable) && durable >= offset && durable <= end) {
          if (durable === end) return end;
          if (durable !== at) onResume(durable);
          at = durable;
        }
      } else if (head.status === 404 || head.status === 410) {
        throw fail(head.status === 404 ? CODE.unknownBlob : CODE.blobExpired, 'the upload is gone from the relay');
      }
    } catch (err) {
      aborted(signal);
      if (coded(err)) throw err;
    }
  }
}

// create makes the upload of a blob of size bytes and returns its id: the
// relay checks the size cap and the quota now, before a byte is sent.
async function create(base, token, size, signal) {
  const created = await blobFetch(blobURL(base), token, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ size }),
    signal,
  });
  if (created.status !== 201) throw await relayError(created);
  return (await created.json()).id;
}

// send encrypts file, uploads it and sends the pointer to `to`. It
// resolves to the sent message.
export async function send(core, base, emit, to, file, options = {}) {
  if (!(file instanceof Blob)) throw fail(CODE.badArgument, 'sendFile: file must be a File or Blob');
  const size = file.size;
  const name = typeof options.name === 'string' ? options.name : (file.name ?? '');
  if (size > MAX_SIZE) throw fail(CODE.fileTooLarge, 'the file is larger than 2 GiB');
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
    blobId = await create(base, token, size + sealer.chunks * TAG, signal);
    const url = blobURL(base, blobId);
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
      uploaded = plainBytes(durable, size);
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
          sent = (await patchOnce(url, token, at, body, signal)).status === 204;
        } catch { /* sent again below */ }
        await before;
        if (!sent) await patch(url, token, at, body, signal, onResume);
        uploaded = plainBytes(at + body.byteLength, size);
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
    const e = p.failed(signal, err);
    if (blobId && token) {
      // Free the quota the upload reserved; the sweeper would, later.
      blobFetch(blobURL(base, blobId), token, { method: 'DELETE' }).catch(() => {});
    }
    throw e;
  } finally {
    if (h) core.drop(h);
    finish(tid);
  }
}
