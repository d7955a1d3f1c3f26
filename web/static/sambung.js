// sambung.js: the public API of Sambung, end-to-end encrypted messaging, as
// an ES module any page can embed. docs/API.md is its reference and
// sambung.d.ts its types.
//
//   import { open } from './sambung.js';
//   const s = await open();
//   s.on('message', (m) => console.log(m.text));
//   await s.send('account:alice', 'hello');
//
// open() starts, or joins, the one core of this browser profile: the Go
// module (sambung.wasm) in a SharedWorker, or where SharedWorker is missing
// in a dedicated Worker that holds the Web Lock "sambung-core" (a second
// tab then waits for the first to close). Every method is a request over a
// MessagePort, answered with a Promise; events come back the same way.
// No cryptography runs on the page's thread.

import { CallManager } from './calls.js';

// WORKER_URL is the worker script beside this module.
const WORKER_URL = new URL('./worker.js', import.meta.url);
// WRITER_URL is the file writer: a dedicated worker that writes downloads
// to the origin-private file system for the core (see file-writer.js).
const WRITER_URL = new URL('./file-writer.js', import.meta.url);

// TAB_LOCK_PREFIX + this tab's id is a Web Lock held while the tab lives;
// the shared worker waits for it to learn that the tab has gone.
const TAB_LOCK_PREFIX = 'sambung-tab:';

// EVENTS are the names on() accepts.
const EVENTS = new Set(['message', 'receipt', 'typing', 'status', 'identitychange', 'conversations', 'transfer', 'incomingcall', 'alert']);

// SambungError is the one error every method rejects with. code is stable
// (docs/API.md lists them); message is for people and may change.
export class SambungError extends Error {
  constructor(code, message, retryAfter) {
    super(message || code);
    this.name = 'SambungError';
    this.code = code;
    if (typeof retryAfter === 'number') this.retryAfter = retryAfter;
  }
}

function toSambungError(e) {
  if (e instanceof SambungError) return e;
  if (e && typeof e.code === 'string') return new SambungError(e.code, e.message, e.retryAfter);
  return new SambungError('internal', String(e?.message ?? e));
}

function randomId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// deviceLabel names this browser in the person's device list, e.g.
// "Chrome on Linux".
function deviceLabel() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge'
    : /Firefox\//.test(ua) ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua) ? 'Chrome'
        : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android'
    : /iPhone|iPad/.test(ua) ? 'iOS'
      : /Windows/.test(ua) ? 'Windows'
        : /Mac OS X/.test(ua) ? 'macOS'
          : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

// holdTabLock takes this tab's lock and resolves once it is held; the
// returned function releases it. Without Web Locks it does nothing.
function holdTabLock(id) {
  if (!navigator.locks) return Promise.resolve(() => {});
  return new Promise((held, fail) => {
    navigator.locks.request(TAB_LOCK_PREFIX + id, () => new Promise((release) => held(release)))
      .catch(fail);
  });
}

/**
 * Opens the core of this browser profile. See docs/API.md.
 * @param {{base?: string, deviceName?: string, worker?: 'auto'|'shared'|'dedicated'}} [options]
 */
export async function open(options = {}) {
  const base = String(options.base ?? globalThis.location.origin).replace(/\/+$/, '');
  const mode = options.worker ?? 'auto';
  const shared = mode === 'shared' || (mode === 'auto' && typeof SharedWorker === 'function');
  if (shared && typeof SharedWorker !== 'function') {
    throw new SambungError('unsupported', 'this browser has no SharedWorker');
  }
  const tab = randomId();
  const releaseTab = await holdTabLock(tab);
  let worker;
  let port;
  try {
    if (shared) {
      worker = new SharedWorker(WORKER_URL, { name: 'sambung', type: 'module' });
      port = worker.port;
    } else {
      worker = new Worker(WORKER_URL, { name: 'sambung', type: 'module' });
      port = worker;
    }
  } catch (err) {
    releaseTab();
    throw new SambungError('load_failed', String(err?.message ?? err));
  }
  const s = new Sambung(worker, port, shared, releaseTab);
  s._calls = new CallManager((method, args) => s._request(method, args), (event, data) => s._emitCall(event, data), options.calls);
  let hello;
  try {
    hello = await s._request('$hello', [{ base, tab, deviceName: options.deviceName ?? deviceLabel() }]);
  } catch (err) {
    s.close();
    throw err;
  }
  s._opened(hello?.status ?? null);
  return s;
}

// Sambung is an open core. Create it with open().
export class Sambung {
  #worker;
  #port;
  #shared;
  #releaseTab;
  #writer = null;
  #next = 1;
  #pending = new Map(); // request id -> {resolve, reject}
  #listeners = new Map(); // event name -> Set of functions
  #status = null;
  #open = false;
  #closed = false;

  constructor(worker, port, shared, releaseTab) {
    this.#worker = worker;
    this.#port = port;
    this.#shared = shared;
    this.#releaseTab = releaseTab;
    port.onmessage = (e) => this.#receive(e.data);
    // A worker that fails to load reports it here, and only here.
    worker.onerror = (e) => {
      if (this.#open) return;
      e.preventDefault?.();
      this.#fail(new SambungError('load_failed', e.message || 'the Sambung worker failed to start'));
    };
  }

  /** The latest connection state: 'connecting', 'online', 'offline', or null before the first. */
  get status() {
    return this.#status?.state ?? null;
  }

  _opened(status) {
    this.#open = true;
    if (status) this.#status = status;
  }

  #receive(msg) {
    if (msg && typeof msg.event === 'string') {
      if (msg.event === 'status') this.#status = msg.data;
      if (msg.event === 'call') {
        // Call signaling is for the calls of this page, not for listeners.
        this._calls?.signal(JSON.parse(msg.data));
        return;
      }
      this.#emit(msg.event, msg.data);
      return;
    }
    const p = this.#pending.get(msg?.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (msg.error) p.reject(toSambungError(msg.error));
    else p.resolve(msg.result);
  }

  #emit(event, data) {
    const fns = this.#listeners.get(event);
    if (!fns) return;
    for (const fn of [...fns]) {
      try {
        fn(data);
      } catch (err) {
        // One listener's bug must not keep the event from the others.
        (globalThis.reportError ?? console.error)(err);
      }
    }
  }

  #fail(err) {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
    this.#shutdown();
  }

  #shutdown() {
    if (this.#closed) return;
    this.#closed = true;
    this.#writer?.terminate();
    this.#writer = null;
    if (this.#shared) {
      try { this.#port.postMessage({ bye: true }); } catch { /* already gone */ }
      this.#port.close();
    } else {
      // A dedicated worker is this tab's own core: ending it frees the
      // core lock for another tab.
      this.#worker.terminate();
    }
    this.#releaseTab();
  }

  // _emitCall emits a call event; with data null it only reports whether
  // anyone listens.
  _emitCall(event, data) {
    const listening = (this.#listeners.get(event)?.size ?? 0) > 0;
    if (data) this.#emit(event, data);
    return listening;
  }

  _request(method, args, transfer = []) {
    if (this.#closed) return Promise.reject(new SambungError('closed', 'this Sambung was closed'));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#port.postMessage({ id, method, args }, transfer);
      } catch (err) {
        // An argument the structured clone cannot copy (a function, a DOM node).
        this.#pending.delete(id);
        reject(new SambungError('bad_argument', `${method}: ${err?.message ?? err}`));
      }
    });
  }

  /**
   * Calls fn with each event of that name; returns a function that stops it.
   * A 'status' listener is also called once, soon, with the current state.
   */
  on(event, fn) {
    if (!EVENTS.has(event)) throw new TypeError(`sambung: no event '${event}'`);
    if (typeof fn !== 'function') throw new TypeError('sambung: on() needs a function');
    let fns = this.#listeners.get(event);
    if (!fns) this.#listeners.set(event, (fns = new Set()));
    const entry = (d) => fn(d);
    fns.add(entry);
    if (event === 'status' && this.#status) {
      const current = this.#status;
      queueMicrotask(() => { if (fns.has(entry)) entry(current); });
    }
    return () => { fns.delete(entry); };
  }

  me() { return this._request('me', []); }
  requestPhoneCode(phone) { return this._request('requestPhoneCode', [phone]); }
  verifyPhone(phone, code) { return this._request('verifyPhone', [phone, code]); }
  signUp({ account, password } = {}) { return this._request('signUp', [account, password]); }
  signIn({ account, password } = {}) { return this._request('signIn', [account, password]); }
  linkPhoneCode(phone) { return this._request('linkPhoneCode', [phone]); }
  linkPhone(phone, code) { return this._request('linkPhone', [phone, code]); }
  linkAccount({ account, password } = {}) { return this._request('linkAccount', [account, password]); }
  lookup(address) { return this._request('lookup', [address]); }
  send(to, text) { return this._request('send', [to, text]); }
  markRead(conversationId, messageId) { return this._request('markRead', [conversationId, messageId]); }
  typing(conversationId, typing) { return this._request('typing', [conversationId, typing]); }
  conversations() {
    return this._request('conversations', []);
  }
  history(conversationId, { before, limit } = {}) {
    return this._request('history', [conversationId, before ?? null, limit ?? null]);
  }
  /**
   * Encrypts file in chunks, uploads it and sends it to `to`; resolves to
   * the message. 'transfer' events report progress under options.transferId
   * (or a generated id); cancelTransfer stops it.
   */
  sendFile(to, file, { caption, durationMs, transferId, name } = {}) {
    return this._request('sendFile', [to, file, { caption, durationMs, transferId, name }]);
  }
  /** Downloads, checks and decrypts a file message's file; resolves to a File. */
  downloadFile(conversationId, messageId, { transferId } = {}) {
    const writer = this.#writerPort();
    return this._request('downloadFile', [conversationId, messageId, { transferId, writer }], writer ? [writer] : []);
  }

  // #writerPort returns a port to this page's file writer, started on
  // first use, for a shared core; null where there is none to be had. A
  // dedicated core writes files itself.
  #writerPort() {
    if (!this.#shared || typeof Worker !== 'function' || typeof MessageChannel !== 'function') return null;
    try {
      this.#writer ??= new Worker(WRITER_URL, { name: 'sambung-file-writer' });
      const ch = new MessageChannel();
      this.#writer.postMessage(null, [ch.port1]);
      return ch.port2;
    } catch {
      return null; // the engine falls back to its own, slower writes
    }
  }
  /** Stops a running sendFile or downloadFile; resolves to whether one ran. */
  cancelTransfer(transferId) { return this._request('cancelTransfer', [transferId]); }
  safetyNumber(conversationId) { return this._request('safetyNumber', [conversationId]); }
  acceptIdentity(conversationId) { return this._request('acceptIdentity', [conversationId]); }
  devices() { return this._request('devices', []); }
  removeDevice(id) { return this._request('removeDevice', [id]); }
  signOut() { return this._request('signOut', []); }

  /**
   * Calls a conversation: resolves to a Call in state 'dialing' (see
   * docs/API.md). options: {video, ringTimeout, iceTransportPolicy}.
   */
  call(conversationId, options = {}) {
    if (this.#closed) return Promise.reject(new SambungError('closed', 'this Sambung was closed'));
    return this._calls.dial(conversationId, options).catch((err) => { throw toSambungError(err); });
  }
  /** The call this page is in or ringing with, or null. */
  get activeCall() { return this._calls?.active ?? null; }
  /** The relay's ICE servers: {iceServers, expires}. */
  iceServers() { return this._request('iceServers', []).then((text) => JSON.parse(text)); }

  /** Leaves the core: pending calls reject with 'closed', listeners stop. */
  close() {
    this._calls?.close();
    this.#fail(new SambungError('closed', 'this Sambung was closed'));
    this.#listeners.clear();
  }
}
