// calls.js: 1:1 voice and video calls for sambung.js, over WebRTC.
//
// The page owns the RTCPeerConnection (workers have none); the core only
// carries the signaling, end-to-end encrypted through the Double Ratchet to
// every device of the peer and to this person's other devices, and keeps the
// call history. An offer or answer therefore reaches the peer authenticated,
// and with it the DTLS fingerprint that the media is encrypted to: the relay
// cannot put itself in the middle of a call (docs/SECURITY.md).
//
// A signal crosses to the core as JSON text: {callId, op, start, flags, sdp?,
// ice?, duration?}; client/call.go checks it and documents each field.

// OP (the signal operations) and FLAG (the bits of a signal's flags) are
// client/call.go's, generated.
import { CODE, FLAG, OP } from './constants.js';

// DEFAULT_RING_MS is how long an unanswered call rings before it gives up,
// as WhatsApp does (about 45 s); the core refuses to ring for an offer older
// than 60 s, so a late offer never rings for a call already given up.
export const DEFAULT_RING_MS = 45_000;

// RING_GRACE_MS is how much longer the callee rings than the caller waits,
// in case the caller's hang-up is slow to arrive.
const RING_GRACE_MS = 5_000;

// ICE_BATCH_MS gathers the candidates found together into one signal: each
// signal is a message through the ratchet to every device.
const ICE_BATCH_MS = 40;

// ICE_REFRESH_MS asks the relay for new TURN credentials this long before
// the old ones expire.
const ICE_REFRESH_MS = 60_000;

// CALL_EVENTS are the names Call.on() accepts.
const CALL_EVENTS = new Set(['state', 'localstream', 'remotestream', 'peermedia', 'ended']);

// TAB_CHANNEL coordinates the tabs of this browser profile: one core serves
// them all, so each hears every call. A tab in a call says so, and a tab
// that answers or declines tells the others to stop ringing.
const TAB_CHANNEL = 'sambung-calls';

function randomCallId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// CallManager runs the calls of one Sambung: at most one at a time.
export class CallManager {
  #request;
  #emit;
  #options;
  #calls = new Map(); // callId -> Call, until it ends
  #early = new Map(); // callId -> ICE candidates that came before the call could use them
  #ice = null; // {iceServers, expires}
  #tab = randomCallId();
  #busyTabs = new Set();
  #channel = null;

  // request(method, args) calls the core; emit(event, data) emits on
  // Sambung and returns whether anyone listened.
  constructor(request, emit, options = {}) {
    this.#request = request;
    this.#emit = emit;
    this.#options = options;
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(TAB_CHANNEL);
      this.#channel.onmessage = (e) => this.#fromTab(e.data);
    }
    this.onPageHide = () => { for (const c of this.#calls.values()) c.hangup(); };
    globalThis.addEventListener?.('pagehide', this.onPageHide);
  }

  get options() { return this.#options; }

  // active is the call this tab is in or ringing with, if any.
  get active() {
    for (const c of this.#calls.values()) if (c.state !== 'ended') return c;
    return null;
  }

  #fromTab(msg) {
    if (!msg || msg.tab === this.#tab) return;
    if (msg.busy === true) this.#busyTabs.add(msg.tab);
    if (msg.busy === false) this.#busyTabs.delete(msg.tab);
    if (typeof msg.taken === 'string') this.#calls.get(msg.taken)?._end('answered_elsewhere', false);
  }

  _tell(msg) {
    try { this.#channel?.postMessage({ tab: this.#tab, ...msg }); } catch { /* closed */ }
  }

  // _changed is called by a Call whose state changed.
  _changed(call) {
    if (call.state === 'ended') {
      this.#calls.delete(call.id);
      this.#early.delete(call.id);
    }
    this._tell({ busy: !!this.active });
  }

  // send sends a signal of call to its conversation.
  async _send(call, op, fields = {}) {
    const signal = { callId: call.id, op, start: call.start, flags: fields.flags ?? call._flags(), ...fields };
    if (!signal.flags) delete signal.flags;
    await this.#request('callSignal', [call.conversationId, JSON.stringify(signal)]);
  }

  // iceServers returns the relay's ICE servers, cached until shortly
  // before the TURN credential expires. A relay without the endpoint gives
  // none: peers on one network still connect directly.
  async iceServers() {
    if (this.#ice && this.#ice.expires - ICE_REFRESH_MS > Date.now()) return this.#ice.iceServers;
    try {
      this.#ice = JSON.parse(await this.#request('iceServers', []));
    } catch (err) {
      if (err?.code === CODE.unauthorized || err?.code === CODE.notSignedIn) throw err;
      this.#ice = { iceServers: [], expires: Date.now() + ICE_REFRESH_MS * 2 };
    }
    return this.#ice.iceServers;
  }

  // dial starts a call to a conversation. See Sambung.call.
  async dial(conversationId, opts = {}) {
    if (this.active || this.#busyTabs.size) {
      throw Object.assign(new Error('already in a call'), { code: CODE.busy });
    }
    const call = new Call(this, {
      id: randomCallId(), conversationId, outgoing: true, video: !!opts.video, start: Date.now(), opts,
    });
    this.#calls.set(call.id, call);
    this._changed(call);
    call._dial().catch((err) => call._fail(err));
    return call;
  }

  // signal handles a 'call' event of the core: {conversationId, fromDevice,
  // self, signal}.
  signal(ev) {
    const s = ev?.signal;
    if (!s || typeof s.callId !== 'string') return;
    const call = this.#calls.get(s.callId);
    if (ev.self) {
      // Another device of this person: it answered or declined, so stop
      // ringing here. Its own calls are its own.
      if (call && !call.outgoing && call.state === 'ringing' && (s.op === OP.answer || s.op === OP.decline || s.op === OP.busy)) {
        call._end(s.op === OP.answer ? 'answered_elsewhere' : 'declined_elsewhere', false);
      }
      return;
    }
    if (s.op === OP.offer) {
      // A Sambung with no 'incomingcall' listener takes no calls: it must
      // neither ring unseen nor make the page busy.
      if (call || !this.#emit('incomingcall', null)) return;
      const flags = s.flags ?? 0;
      if (this.active || this.#busyTabs.size) {
        // Busy: the tab in the call says so; the others stay quiet.
        if (this.active) {
          this.#request('callSignal', [ev.conversationId, JSON.stringify({
            callId: s.callId, op: OP.busy, start: s.start, flags: flags & FLAG.video,
          })]).catch(() => {});
        }
        return;
      }
      const incoming = new Call(this, {
        id: s.callId, conversationId: ev.conversationId, outgoing: false, video: !!(flags & FLAG.video),
        start: s.start, offer: s.sdp, peerDevice: ev.fromDevice, opts: {},
      });
      incoming._peerMedia(flags);
      this.#calls.set(incoming.id, incoming);
      this._changed(incoming);
      this.#emit('incomingcall', incoming);
      return;
    }
    if (s.op === OP.ice && (!call || !call._ready(ev.fromDevice))) {
      // Candidates from the caller reach every device before one answers.
      const list = this.#early.get(s.callId) ?? [];
      list.push(...(s.ice ?? []));
      this.#early.set(s.callId, list.slice(-64));
      return;
    }
    call?._signal(s, ev.fromDevice);
  }

  _takeEarly(id) {
    const list = this.#early.get(id) ?? [];
    this.#early.delete(id);
    return list;
  }

  close() {
    for (const c of this.#calls.values()) c.hangup();
    globalThis.removeEventListener?.('pagehide', this.onPageHide);
    this.#channel?.close();
  }
}

// Call is one call. States: 'dialing' (outgoing, ringing at the peer),
// 'ringing' (incoming), 'connecting' (answered, media setting up),
// 'connected', 'ended'. docs/API.md describes it.
export class Call {
  #m;
  #listeners = new Map();
  #pc = null;
  #local = null; // MediaStream of this side's tracks
  #remote = null;
  #audioSender = null;
  #videoSender = null;
  #camera = null; // the camera track while it runs
  #mic = null;
  #pendingIce = [];
  #iceTimer = 0;
  #ringTimer = 0;
  #answered = false;

  constructor(manager, { id, conversationId, outgoing, video, start, offer, peerDevice, opts }) {
    this.#m = manager;
    this.id = id;
    this.conversationId = conversationId;
    this.outgoing = outgoing;
    this.direction = outgoing ? 'outgoing' : 'incoming';
    this.startedAsVideo = video;
    this.video = video; // the current mode: video or voice
    this.start = start;
    this.state = outgoing ? 'dialing' : 'ringing';
    this.endReason = null;
    this.muted = false;
    this.cameraOn = video;
    this.peer = { muted: false, cameraOff: !video, video };
    this.connectedAt = 0;
    this.peerDevice = peerDevice ?? 0;
    this.offer = offer ?? null;
    const o = { ...manager.options, ...opts };
    this.ringTimeout = o.ringTimeout ?? DEFAULT_RING_MS;
    this.iceTransportPolicy = o.iceTransportPolicy ?? 'all';
    const ring = outgoing ? this.ringTimeout : this.ringTimeout + RING_GRACE_MS;
    this.#ringTimer = setTimeout(() => {
      if (this.state === 'dialing') this.#hangup('timeout');
      else if (this.state === 'ringing') this._end('missed', false);
    }, ring);
  }

  /** The RTCPeerConnection, once there is one (for getStats and tests). */
  get peerConnection() { return this.#pc; }
  get localStream() { return this.#local; }
  get remoteStream() { return this.#remote; }
  /** Milliseconds connected so far (0 before connected). */
  get duration() { return this.connectedAt ? Date.now() - this.connectedAt : 0; }

  on(event, fn) {
    if (!CALL_EVENTS.has(event)) throw new TypeError(`sambung: no call event '${event}'`);
    let fns = this.#listeners.get(event);
    if (!fns) this.#listeners.set(event, (fns = new Set()));
    fns.add(fn);
    return () => fns.delete(fn);
  }

  #emit(event, data) {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) {
      try { fn(data); } catch (err) { (globalThis.reportError ?? console.error)(err); }
    }
  }

  #setState(state) {
    if (this.state === state || this.state === 'ended') return;
    this.state = state;
    this.#m._changed(this);
    this.#emit('state', state);
  }

  _flags() {
    let f = this.startedAsVideo ? FLAG.video : 0;
    if (this.outgoing) f |= FLAG.caller;
    return f;
  }

  #mediaFlags() {
    let f = (this.video ? FLAG.video : 0) | (this.outgoing ? FLAG.caller : 0);
    if (this.muted) f |= FLAG.muted;
    if (!this.cameraOn) f |= FLAG.cameraOff;
    return f;
  }

  // _ready says whether ICE candidates from device can go to the
  // connection now.
  _ready(device) {
    return !!this.#pc?.remoteDescription && (!this.peerDevice || device === this.peerDevice);
  }

  async #media(video) {
    this.#local = await navigator.mediaDevices.getUserMedia({ audio: true, video });
    this.#mic = this.#local.getAudioTracks()[0] ?? null;
    this.#camera = this.#local.getVideoTracks()[0] ?? null;
    this.cameraOn = !!this.#camera;
    this.#emit('localstream', this.#local);
  }

  async #connection() {
    const iceServers = await this.#m.iceServers();
    const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: this.iceTransportPolicy, bundlePolicy: 'max-bundle' });
    this.#pc = pc;
    this.#remote = new MediaStream();
    pc.ontrack = (e) => {
      this.#remote.addTrack(e.track);
      this.#emit('remotestream', this.#remote);
    };
    pc.onicecandidate = (e) => {
      if (!e.candidate?.candidate) return;
      this.#pendingIce.push(e.candidate.candidate);
      if (!this.#iceTimer) this.#iceTimer = setTimeout(() => this.#flushIce(), ICE_BATCH_MS);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'connected' && !this.connectedAt) {
        this.connectedAt = Date.now();
        this.#setState('connected');
      } else if (pc.connectionState === 'failed') {
        this.#hangup('failed');
      }
    };
    return pc;
  }

  #flushIce() {
    this.#iceTimer = 0;
    // The callee's candidates wait for its answer to go first.
    if (!this.outgoing && !this.#answered) return;
    const ice = this.#pendingIce.splice(0, 32);
    if (ice.length) this.#m._send(this, OP.ice, { ice }).catch(() => {});
    if (this.#pendingIce.length) this.#iceTimer = setTimeout(() => this.#flushIce(), 0);
  }

  async #addIce(list) {
    for (const candidate of list) {
      if (!candidate) continue;
      try {
        await this.#pc.addIceCandidate({ candidate, sdpMLineIndex: 0 });
      } catch {
        // A candidate the browser cannot use (another network kind).
      }
    }
  }

  async _dial() {
    await this.#media(this.video);
    const pc = await this.#connection();
    this.#audioSender = pc.addTransceiver(this.#mic ?? 'audio', { direction: 'sendrecv', streams: [this.#local] }).sender;
    // The video transceiver is there in a voice call too, so that switching
    // to video needs no new offer: the camera's track just starts to flow.
    this.#videoSender = pc.addTransceiver(this.#camera ?? 'video', { direction: 'sendrecv', streams: [this.#local] }).sender;
    await pc.setLocalDescription(await pc.createOffer());
    if (this.state === 'ended') return;
    await this.#m._send(this, OP.offer, { sdp: pc.localDescription.sdp });
  }

  /** Answers an incoming call, with the camera on for a video call (or opts.video). */
  async accept(opts = {}) {
    if (this.outgoing || this.state !== 'ringing') return;
    this.#setState('connecting');
    clearTimeout(this.#ringTimer);
    this.#m._tell({ taken: this.id });
    try {
      this.video = opts.video ?? this.video;
      await this.#media(this.video);
      const pc = await this.#connection();
      await pc.setRemoteDescription({ type: 'offer', sdp: this.offer });
      for (const t of pc.getTransceivers()) {
        const kind = t.receiver.track.kind;
        t.direction = 'sendrecv';
        const track = kind === 'audio' ? this.#mic : this.#camera;
        if (track) await t.sender.replaceTrack(track);
        t.sender.setStreams?.(this.#local);
        if (kind === 'audio') this.#audioSender = t.sender;
        else this.#videoSender = t.sender;
      }
      await pc.setLocalDescription(await pc.createAnswer());
      if (this.state === 'ended') return;
      await this.#m._send(this, OP.answer, { sdp: pc.localDescription.sdp, flags: this.#mediaFlags() });
      this.#answered = true;
      await this.#addIce(this.#m._takeEarly(this.id));
      this.#flushIce();
    } catch (err) {
      this._fail(err);
    }
  }

  /** Refuses an incoming call. */
  async decline() {
    if (this.outgoing || this.state !== 'ringing') return;
    this.#m._tell({ taken: this.id });
    this._end('declined', false);
    await this.#m._send(this, OP.decline).catch(() => {});
  }

  /** Ends the call (or stops calling). */
  hangup() {
    if (this.state === 'ringing') return this.decline();
    return this.#hangup('hangup');
  }

  async #hangup(reason) {
    if (this.state === 'ended') return;
    const answered = this.#answered;
    const duration = this.duration;
    this._end(reason, true);
    let flags = this._flags();
    if (answered) flags |= FLAG.answered;
    await this.#m._send(this, OP.hangup, { flags, ...(answered && duration ? { duration } : {}) }).catch(() => {});
  }

  _fail(err) {
    this.error = err;
    this.#hangup('failed');
  }

  // _end tears the call down; local says this side ended it.
  _end(reason, local) {
    if (this.state === 'ended') return;
    this.endReason = reason;
    this.endedLocally = local;
    clearTimeout(this.#ringTimer);
    clearTimeout(this.#iceTimer);
    this.#pc?.close();
    for (const t of this.#local?.getTracks() ?? []) t.stop();
    if (this.#camera) this.#camera.stop();
    this.state = 'ended';
    this.#m._changed(this);
    this.#emit('state', 'ended');
    this.#emit('ended', reason);
  }

  // _signal handles a signal from the peer for this call.
  async _signal(s, device) {
    if (this.state === 'ended') return;
    switch (s.op) {
      case OP.answer:
        if (!this.outgoing || this.#answered || this.#pc?.signalingState !== 'have-local-offer') return;
        this.#answered = true;
        this.peerDevice = device;
        clearTimeout(this.#ringTimer);
        this._peerMedia(s.flags ?? 0);
        this.#setState('connecting');
        await this.#pc.setRemoteDescription({ type: 'answer', sdp: s.sdp });
        await this.#addIce(this.#m._takeEarly(this.id));
        return;
      case OP.ice:
        await this.#addIce(s.ice ?? []);
        return;
      case OP.media:
        if (this.peerDevice && device !== this.peerDevice) return;
        this._peerMedia(s.flags ?? 0);
        return;
      case OP.hangup:
        if (this.peerDevice && device !== this.peerDevice) return;
        this._end(this.state === 'ringing' ? 'missed' : 'remote_hangup', false);
        return;
      case OP.decline:
        if (this.outgoing && !this.#answered) this._end('declined', false);
        return;
      case OP.busy:
        if (this.outgoing && !this.#answered) this._end('busy', false);
        return;
    }
  }

  _peerMedia(flags) {
    this.peer = {
      muted: !!(flags & FLAG.muted),
      cameraOff: !!(flags & FLAG.cameraOff) || !(flags & FLAG.video),
      video: !!(flags & FLAG.video),
    };
    if (this.peer.video !== this.video && this.state !== 'ringing' && this.state !== 'dialing') {
      // The peer switched between voice and video: follow, camera off.
      this.video = this.peer.video;
      if (!this.video) this.camera(false);
    }
    this.#emit('peermedia', this.peer);
  }

  #sendMedia() {
    if (this.state === 'ended' || this.state === 'ringing') return Promise.resolve();
    return this.#m._send(this, OP.media, { flags: this.#mediaFlags() }).catch(() => {});
  }

  /** Mutes (true) or unmutes the microphone: no audio flows while muted. */
  async mute(on) {
    this.muted = !!on;
    if (this.#mic) this.#mic.enabled = !this.muted;
    await this.#audioSender?.replaceTrack(this.muted ? null : this.#mic);
    await this.#sendMedia();
  }

  /** Turns the camera on or off; no video flows while it is off. */
  async camera(on) {
    on = !!on;
    if (on && !this.#camera) {
      const s = await navigator.mediaDevices.getUserMedia({ video: true });
      this.#camera = s.getVideoTracks()[0];
      this.#local.addTrack(this.#camera);
      this.#emit('localstream', this.#local);
    } else if (!on && this.#camera) {
      this.#camera.stop();
      this.#local?.removeTrack(this.#camera);
      this.#camera = null;
      this.#emit('localstream', this.#local);
    }
    this.cameraOn = on;
    await this.#videoSender?.replaceTrack(on ? this.#camera : null);
    await this.#sendMedia();
  }

  /** Switches between a video call (true, camera on) and a voice call. */
  async setVideo(on) {
    this.video = !!on;
    await this.camera(this.video);
  }

  /** The connection's RTCStatsReport. */
  getStats() {
    return this.#pc ? this.#pc.getStats() : Promise.resolve(new Map());
  }
}
