// The Sambung core's worker. One runs per browser profile: a SharedWorker
// that every tab joins, or, where SharedWorker is missing, a dedicated
// Worker per tab of which only the one holding the Web Lock "sambung-core"
// starts the core. Either way one core advances the ratchets, so two tabs
// never fork the session state.
//
// A module worker: it imports the Go runtime glue (wasm_exec.js, which
// defines the global Go) and the file engine (files/), loads the module
// (sambung.wasm), starts the core on the first tab's hello, answers
// requests {id, method, args} with {id, result} or {id, error: {code,
// message}}, and sends every core event to every tab as {event, data}.
// It holds no protocol logic: that is in the module.
/* global Go */
import './wasm_exec.js';
import { CODE } from './constants.js';
import { send } from './files/upload.js';
import { download } from './files/download.js';
import { cancel } from './files/transfer.js';

// CORE_LOCK is held by whichever worker runs the core, for as long as it
// lives: the browser releases it when the worker ends.
const CORE_LOCK = 'sambung-core';
// TAB_LOCK_PREFIX + a tab's id is a lock the tab holds while it lives; the
// worker asks for it too, and is granted it when the tab has gone.
const TAB_LOCK_PREFIX = 'sambung-tab:';
// DB_NAME is the IndexedDB database of the core.
const DB_NAME = 'sambung';

const tabs = new Map(); // port -> tab id, for every tab that said hello
let core = null; // Promise of the core object, from the first hello
let coreBase = ''; // the relay origin the core was started with
let lastStatus = null; // the latest 'status' event, for tabs that join later
let stopped = null; // {code, message} once the Go program has exited
const inflight = new Set(); // reject functions of calls in progress

// post sends msg to a port, ignoring a port whose tab is gone.
function post(port, msg) {
  try {
    port.postMessage(msg);
  } catch (err) {
    dropTab(port);
  }
}

function broadcast(event, data) {
  if (event === 'status') lastStatus = data;
  for (const port of tabs.keys()) post(port, { event, data });
}

function dropTab(port) {
  if (!tabs.delete(port)) return;
  if (port !== self) port.close();
}

// failure turns anything thrown into the {code, message} that crosses the
// port; sambung.js makes a SambungError of it.
function failure(err, code = CODE.internal) {
  if (err && typeof err.code === 'string') {
    const out = { code: err.code, message: String(err.message ?? err.code) };
    if (typeof err.retryAfter === 'number') out.retryAfter = err.retryAfter;
    return out;
  }
  return { code, message: String(err?.message ?? err) };
}

// holdCoreLock resolves once this worker holds CORE_LOCK, which it keeps
// until it ends. Without the Web Locks API a SharedWorker still runs one
// core per profile; a dedicated worker cannot, and refuses.
let lockHeld = null;
function holdCoreLock() {
  if (lockHeld) return lockHeld;
  lockHeld = new Promise((resolve, reject) => {
    if (!self.navigator?.locks) {
      if (self === tabPort) {
        reject({ code: CODE.unsupported, message: 'this browser has neither SharedWorker nor Web Locks' });
      } else {
        resolve();
      }
      return;
    }
    navigator.locks.request(CORE_LOCK, () => {
      resolve();
      return new Promise(() => {}); // held for the worker's life
    }).catch(reject);
  });
  return lockHeld;
}

// loadModule fetches, compiles and runs sambung.wasm, and returns the
// factory it defines.
async function loadModule() {
  const go = new Go();
  const response = await fetch(new URL('sambung.wasm', self.location.href));
  if (!response.ok) {
    throw { code: CODE.loadFailed, message: `sambung.wasm: HTTP ${response.status}` };
  }
  const { instance } = WebAssembly.instantiateStreaming
    ? await WebAssembly.instantiateStreaming(response, go.importObject)
    : await WebAssembly.instantiate(await response.arrayBuffer(), go.importObject);
  go.run(instance).then(() => coreStopped('the core exited'), (err) => coreStopped(String(err)));
  const factory = self.__sambungCore;
  if (!factory) throw { code: CODE.loadFailed, message: 'sambung.wasm did not start' };
  return factory;
}

// coreStopped handles the end of the Go program (a bug in the core: it
// never returns by itself). Calls in flight fail; the next hello starts a
// new core over the same storage.
function coreStopped(why) {
  stopped = { code: CODE.coreStopped, message: why };
  for (const reject of inflight) reject(stopped);
  inflight.clear();
  core = null;
  broadcast('status', { state: 'offline', error: CODE.coreStopped });
}

function startCore(base, deviceName) {
  if (core) return core;
  stopped = null;
  coreBase = base;
  core = (async () => {
    await holdCoreLock();
    let factory;
    try {
      factory = await loadModule();
    } catch (err) {
      throw failure(err, CODE.loadFailed);
    }
    return factory.start({ base, dbName: DB_NAME, deviceName, onEvent: broadcast });
  })();
  core.catch(() => { core = null; });
  return core;
}

// watchTab drops a tab's port once the tab is gone: it holds the lock
// TAB_LOCK_PREFIX + id while it lives, so this worker gets it only then.
function watchTab(port, id) {
  // A dedicated worker ends with its tab: nothing to watch.
  if (port === tabPort || !self.navigator?.locks || typeof id !== 'string' || !id) return;
  navigator.locks.request(TAB_LOCK_PREFIX + id, () => dropTab(port));
}

async function hello(port, options) {
  const base = String(options?.base ?? '');
  if (!base) throw { code: CODE.badArgument, message: 'open: base is required' };
  if (core && base !== coreBase) {
    throw { code: CODE.baseMismatch, message: `the core of this browser profile talks to ${coreBase}` };
  }
  const deviceName = String(options?.deviceName ?? '').slice(0, 64);
  const ready = startCore(base, deviceName);
  tabs.set(port, options?.tab);
  watchTab(port, options?.tab);
  await ready;
  return { status: lastStatus };
}

function call(method, args) {
  return core.then((c) => new Promise((resolve, reject) => {
    if (stopped) {
      reject(stopped);
      return;
    }
    inflight.add(reject);
    c.call(method, args).then(resolve, reject).finally(() => inflight.delete(reject));
  }));
}

// FILE_METHODS run in the file engine (files/), on top of the core.
const FILE_METHODS = new Set(['sendFile', 'downloadFile', 'cancelTransfer']);

async function fileCall(method, args) {
  const c = await core;
  if (stopped) throw stopped;
  switch (method) {
    case 'sendFile':
      return send(c, coreBase, broadcast, String(args[0] ?? ''), args[1], args[2] ?? {});
    case 'downloadFile':
      return download(c, coreBase, broadcast, String(args[0] ?? ''), String(args[1] ?? ''), args[2] ?? {});
    default:
      return cancel(String(args[0] ?? ''));
  }
}

async function handle(port, msg) {
  if (msg?.bye) {
    dropTab(port);
    return;
  }
  const id = msg?.id;
  try {
    let result;
    if (msg.method === '$hello') {
      result = await hello(port, msg.args?.[0]);
    } else if (stopped) {
      throw stopped;
    } else if (!tabs.has(port) || !core) {
      throw { code: CODE.closed, message: 'this tab has not opened the core' };
    } else if (typeof msg.method !== 'string' || msg.method.startsWith('_')) {
      // Internal methods serve the file engine here, never a page.
      throw { code: CODE.unknownMethod, message: `no method ${msg.method}` };
    } else if (FILE_METHODS.has(msg.method)) {
      result = await fileCall(msg.method, Array.isArray(msg.args) ? msg.args : []);
    } else {
      result = await call(msg.method, Array.isArray(msg.args) ? msg.args : []);
    }
    post(port, { id, result });
  } catch (err) {
    post(port, { id, error: failure(err) });
  }
}

function attach(port) {
  port.onmessage = (e) => { handle(port, e.data); };
}

// tabPort is the one port of a dedicated worker: the worker itself.
const tabPort = 'onconnect' in self ? null : self;
if (tabPort) {
  attach(self);
} else {
  self.onconnect = (e) => attach(e.ports[0]);
}
