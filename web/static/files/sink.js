// The file engine's sink: where a download's plaintext goes, a file in
// the origin-private file system (DIR/<blob id>, DIR/<blob id>.part while
// incomplete), written the fastest way this worker has.

import { joined } from './transfer.js';

// WRITER_MS is how long the page's file writer may take to answer one
// request before the download fails: a write of a window takes
// milliseconds, so only a writer whose page has gone takes this long.
const WRITER_MS = 30000;
// DIR is the folder in the origin-private file system that holds
// downloaded files, one per blob id.
const DIR = 'sambung-files';

async function filesDir() {
  const root = await navigator.storage.getDirectory();
  return root.getDirectoryHandle(DIR, { create: true });
}

// cached returns the verified download of blob id, or null.
export async function cached(id, size) {
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
export class Sink {
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
