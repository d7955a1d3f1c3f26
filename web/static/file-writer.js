// The Sambung file writer: a dedicated worker that a page starts for the
// core's file engine (files/), which runs in a SharedWorker. A
// SharedWorker cannot open an origin-private file with
// createSyncAccessHandle(), which only dedicated workers have, and its
// other way, createWritable(), costs about five times the CPU: bench/files
// measured 1.2 s of CPU to write 200 MB through createWritable against
// 0.2 s through this worker, the hand-over included.
//
// The engine opens one MessagePort per download. On it, each request is
// answered in order with {ok: true} or {error: 'why'}:
//
//	{op: 'open', dir, name}   open dir/name, empty
//	{op: 'write', data}       append data, an array of ArrayBuffers (transferred)
//	{op: 'close'}             flush and close: the file is complete
//	{op: 'abort'}             close without flushing: the engine removes it
//
// The writer holds no key and checks nothing: the engine has already
// opened and hashed every byte it sends, and decides what the file is.
'use strict';

function serve(port) {
  let handle = null;
  let at = 0;
  // Requests run one after another, in the order they came.
  let queue = Promise.resolve();
  const run = async (msg) => {
    switch (msg?.op) {
      case 'open': {
        const root = await navigator.storage.getDirectory();
        const dir = await root.getDirectoryHandle(String(msg.dir), { create: true });
        const file = await dir.getFileHandle(String(msg.name), { create: true });
        handle = await file.createSyncAccessHandle();
        handle.truncate(0);
        at = 0;
        return;
      }
      case 'write': {
        if (!handle) throw new Error('the file is not open');
        if (!Array.isArray(msg.data) || !msg.data.every((b) => b instanceof ArrayBuffer)) {
          throw new Error('data must be an array of ArrayBuffers');
        }
        for (const b of msg.data) {
          const n = handle.write(b, { at });
          if (n !== b.byteLength) throw new Error(`wrote ${n} of ${b.byteLength} bytes`);
          at += n;
        }
        return;
      }
      case 'close':
      case 'abort':
        if (handle) {
          if (msg.op === 'close') handle.flush();
          handle.close();
          handle = null;
        }
        return;
      default:
        throw new Error('unknown request');
    }
  };
  port.onmessage = (e) => {
    const last = e.data?.op === 'close' || e.data?.op === 'abort';
    queue = queue.then(() => run(e.data)).then(
      () => port.postMessage({ ok: true }),
      (err) => port.postMessage({ error: `${err?.name ?? 'Error'}: ${err?.message ?? err}` }))
      .then(() => { if (last) port.close(); });
  };
}

// The page hands over one port per download.
self.onmessage = (e) => {
  for (const port of e.ports) serve(port);
};
