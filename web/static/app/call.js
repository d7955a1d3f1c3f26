// Calls in the app: the incoming-call sheet with its ring tone, the in-call
// view (remote and local video, elapsed time, mute, camera, voice/video,
// hang up) and the call entries of the history. The calls themselves are
// sambung.js's (calls.js): this file only shows them.

import { h, clear } from './dom.js';
import { clock, errorText } from './format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

// ICONS are the call controls' SVG paths on a 24×24 grid (stroked).
const ICONS = {
  phone: 'M5 4h4l2 5l-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2',
  video: 'M3 7h12v10H3zM15 10.5l6-3.5v10l-6-3.5',
  mic: 'M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3M5 11a7 7 0 0 0 14 0M12 18v3',
  micOff: 'M12 3a3 3 0 0 0-3 3v5a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3M5 11a7 7 0 0 0 14 0M12 18v3M4 4l16 16',
  videoOff: 'M3 7h12v10H3zM15 10.5l6-3.5v10l-6-3.5M3 3l18 18',
  hangup: 'M3 14c5-5 13-5 18 0l-2 3l-4-1.5v-3a9 9 0 0 0-6 0v3L5 17z',
  missed: 'M4 7l6 6l4-4l6 6M15 15h5v-5',
};

function callIcon(name) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}

// callButton is a chat-header button that starts a voice or video call.
export function callButton(video, onclick) {
  const label = video ? 'Video call' : 'Voice call';
  return h('button', {
    type: 'button', class: 'icon-button', testid: video ? 'video-call-button' : 'call-button',
    'aria-label': label, title: label, onclick,
  }, callIcon(video ? 'video' : 'phone'));
}

// elapsed formats milliseconds as m:ss, or h:mm:ss past an hour.
export function elapsed(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = String(Math.floor(s / 60) % 60);
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

// callLabel says what a call in the history was, in words.
export function callLabel(m) {
  const c = m.call || {};
  const kind = c.video ? 'video call' : 'voice call';
  switch (c.outcome) {
    case 'missed': return `Missed ${kind}`;
    case 'declined': return m.outgoing ? `Declined ${kind}` : `You declined a ${kind}`;
    case 'busy': return `${kind[0].toUpperCase()}${kind.slice(1)}, busy`;
    case 'unanswered': return `${kind[0].toUpperCase()}${kind.slice(1)}, no answer`;
    case 'completed': return `${m.outgoing ? 'Outgoing' : 'Incoming'} ${kind} · ${elapsed(c.duration)}`;
    default: return kind[0].toUpperCase() + kind.slice(1);
  }
}

// callEntry is a call's line in the chat history.
export function callEntry(m) {
  const c = m.call || {};
  const bad = c.outcome === 'missed' && !m.outgoing;
  return h('li', {
    class: `msg call-entry ${m.outgoing ? 'out' : 'in'}${bad ? ' missed' : ''}`, testid: 'call-entry',
    dataset: { id: m.id, outcome: c.outcome || '', video: c.video ? '1' : '0', outgoing: m.outgoing ? '1' : '0' },
  },
  callIcon(bad ? 'missed' : c.video ? 'video' : 'phone'),
  h('span', { class: 'msg-text', testid: 'call-entry-text' }, callLabel(m)),
  h('span', { class: 'meta' }, h('time', null, clock(m.sentAt))));
}

// RING_* shape the ring tone: two tones together, on and off, like a phone.
const RING_TONES = [440, 480];
const RING_ON_S = 1.2;
const RING_PERIOD_S = 3;
const RING_GAIN = 0.12;

// Ringer plays the ring tone with WebAudio (no audio file to fetch). The
// browser may keep it silent until the user has touched the page.
class Ringer {
  constructor() {
    this.ctx = null;
    this.timer = 0;
  }

  start() {
    this.stop();
    const AC = globalThis.AudioContext || globalThis.webkitAudioContext;
    if (!AC) return;
    try {
      this.ctx = new AC();
      this.ctx.resume?.().catch(() => {});
      const burst = () => {
        const ctx = this.ctx;
        if (!ctx) return;
        const gain = ctx.createGain();
        gain.gain.value = 0;
        gain.connect(ctx.destination);
        const t = ctx.currentTime;
        gain.gain.setValueAtTime(0, t);
        gain.gain.linearRampToValueAtTime(RING_GAIN, t + 0.05);
        gain.gain.setValueAtTime(RING_GAIN, t + RING_ON_S - 0.05);
        gain.gain.linearRampToValueAtTime(0, t + RING_ON_S);
        for (const f of RING_TONES) {
          const osc = ctx.createOscillator();
          osc.frequency.value = f;
          osc.connect(gain);
          osc.start(t);
          osc.stop(t + RING_ON_S);
        }
      };
      burst();
      this.timer = setInterval(burst, RING_PERIOD_S * 1000);
    } catch {
      this.stop();
    }
  }

  stop() {
    clearInterval(this.timer);
    this.timer = 0;
    this.ctx?.close().catch(() => {});
    this.ctx = null;
  }
}

// callOptions are the page's call settings: localStorage
// "sambung.relayCalls" = "1" sends every call through the relay's TURN
// server (hiding IP addresses from the peer), "sambung.ringTimeout" is how
// long an unanswered call rings, in ms.
function callOptions() {
  const o = {};
  try {
    if (localStorage.getItem('sambung.relayCalls') === '1') o.iceTransportPolicy = 'relay';
    const ring = Number(localStorage.getItem('sambung.ringTimeout'));
    if (ring > 0) o.ringTimeout = ring;
  } catch {
    // No storage (a sandboxed frame): the defaults.
  }
  return o;
}

const STATE_TEXT = {
  dialing: 'Calling…', ringing: 'Ringing…', connecting: 'Connecting…', connected: '', ended: 'Call ended',
};

const END_TEXT = {
  declined: 'Declined', busy: 'Busy', timeout: 'No answer', failed: 'Call failed',
  remote_hangup: 'Call ended', hangup: 'Call ended', missed: 'Missed call',
  answered_elsewhere: 'Answered on another device', declined_elsewhere: 'Declined on another device',
};

// END_SHOW_MS keeps the ended call on screen a moment, so the user sees why.
const END_SHOW_MS = 1500;

// CallScreen shows the calls of the signed-in screen.
export class CallScreen {
  // ctx: { api, title(conversationId) }
  constructor(ctx) {
    this.ctx = ctx;
    this.call = null;
    this.ringer = new Ringer();
    this.tick = 0;
    this.note = null;
    document.head.append(h('link', { rel: 'stylesheet', href: new URL('./call.css', import.meta.url).href }));

    this.titleEl = h('h2', { class: 'call-title', testid: 'call-title', id: 'call-title' });
    this.statusEl = h('p', { class: 'call-status', testid: 'call-status', role: 'status', 'aria-live': 'polite' });
    this.peerEl = h('p', { class: 'call-peer', testid: 'call-peer-state' });
    this.remoteVideo = h('video', { class: 'remote-video', testid: 'remote-video', autoplay: true, playsinline: true });
    this.localVideo = h('video', { class: 'local-video', testid: 'local-video', autoplay: true, playsinline: true });
    this.localVideo.muted = true;
    this.muteButton = this.control('call-mute', 'Mute', 'mic', () => this.call?.mute(!this.call.muted));
    this.cameraButton = this.control('call-camera', 'Turn camera off', 'video', () => this.call?.camera(!this.call.cameraOn));
    this.switchButton = h('button', { type: 'button', class: 'secondary call-switch', testid: 'call-switch', onclick: () => this.call?.setVideo(!this.call.video) });
    this.hangupButton = h('button', { type: 'button', class: 'call-control hangup', testid: 'call-hangup', 'aria-label': 'Hang up', title: 'Hang up', onclick: () => this.call?.hangup() }, callIcon('hangup'));
    this.view = h('section', { class: 'call-view', testid: 'call-view', 'aria-labelledby': 'call-title', hidden: true },
      this.remoteVideo, this.localVideo,
      h('div', { class: 'call-info' }, this.titleEl, this.statusEl, this.peerEl),
      h('div', { class: 'call-controls' }, this.muteButton, this.cameraButton, this.switchButton, this.hangupButton));

    this.sheetTitle = h('h2', { class: 'call-title', testid: 'incoming-title', id: 'incoming-title' });
    this.sheetKind = h('p', { class: 'call-status', testid: 'incoming-kind' });
    this.sheet = h('section', { class: 'incoming-call', testid: 'incoming-call', role: 'alertdialog', 'aria-labelledby': 'incoming-title', hidden: true },
      h('div', { class: 'call-info' }, this.sheetKind, this.sheetTitle),
      h('div', { class: 'call-controls' },
        h('button', { type: 'button', class: 'call-control hangup', testid: 'call-decline', 'aria-label': 'Decline', title: 'Decline', onclick: () => this.call?.decline() }, callIcon('hangup')),
        h('button', { type: 'button', class: 'call-control accept', testid: 'call-accept', 'aria-label': 'Accept', title: 'Accept', onclick: () => this.accept() }, callIcon('phone'))));
    this.errorEl = h('p', { class: 'error call-error', role: 'alert', testid: 'call-error', hidden: true });
    this.el = h('div', { class: 'calls' }, this.sheet, this.view, this.errorEl);
  }

  control(testid, label, name, onclick) {
    return h('button', { type: 'button', class: 'call-control', testid, 'aria-label': label, title: label, 'aria-pressed': 'false', onclick }, callIcon(name));
  }

  // start calls a conversation.
  async start(conv, video) {
    this.errorEl.hidden = true;
    if (this.call) return;
    try {
      const call = await this.ctx.api.call(conv.id, { video, ...callOptions() });
      this.show(call);
    } catch (err) {
      this.errorEl.textContent = err?.code === 'busy' ? 'You are in a call already.' : errorText(err);
      this.errorEl.hidden = false;
      setTimeout(() => { this.errorEl.hidden = true; }, 4000);
    }
  }

  // incoming rings for a call.
  incoming(call) {
    if (this.call) return;
    this.show(call);
    const who = this.ctx.title(call.conversationId);
    this.ringer.start();
    if (document.visibilityState !== 'visible' && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      try {
        this.note = new Notification(`Incoming ${call.video ? 'video' : 'voice'} call`, { body: who, tag: 'sambung-call', requireInteraction: true });
        this.note.addEventListener('click', () => { window.focus(); this.note?.close(); });
      } catch {
        // Notifications only from a service worker here: the ring still sounds.
      }
    }
  }

  async accept() {
    this.ringer.stop();
    this.note?.close();
    await this.call?.accept();
  }

  show(call) {
    this.call = call;
    call.on('state', () => this.render());
    call.on('peermedia', () => this.render());
    call.on('localstream', (s) => { this.localVideo.srcObject = s; this.render(); });
    call.on('remotestream', (s) => { if (this.remoteVideo.srcObject !== s) this.remoteVideo.srcObject = s; });
    call.on('ended', () => {
      this.ringer.stop();
      this.note?.close();
      clearInterval(this.tick);
      setTimeout(() => { if (this.call === call) this.hide(); }, END_SHOW_MS);
    });
    if (call.localStream) this.localVideo.srcObject = call.localStream;
    this.tick = setInterval(() => this.renderTime(), 1000);
    this.render();
  }

  hide() {
    this.call = null;
    this.view.hidden = true;
    this.sheet.hidden = true;
    this.remoteVideo.srcObject = null;
    this.localVideo.srcObject = null;
  }

  renderTime() {
    const c = this.call;
    if (c && c.state === 'connected') this.statusEl.textContent = elapsed(c.duration);
  }

  render() {
    const c = this.call;
    if (!c) return;
    const who = this.ctx.title(c.conversationId);
    const ringing = c.state === 'ringing';
    this.sheet.hidden = !ringing;
    this.view.hidden = ringing;
    this.sheetTitle.textContent = who;
    this.sheetKind.textContent = `Incoming ${c.video ? 'video' : 'voice'} call`;
    this.titleEl.textContent = who;
    this.view.dataset.state = c.state;
    this.view.dataset.video = c.video ? '1' : '0';
    this.view.dataset.peerVideo = c.peer.video && !c.peer.cameraOff ? '1' : '0';
    this.statusEl.textContent = c.state === 'ended' ? (END_TEXT[c.endReason] || 'Call ended')
      : c.state === 'connected' ? elapsed(c.duration) : STATE_TEXT[c.state];
    const peer = [c.peer.muted ? 'muted' : '', c.video && c.peer.cameraOff ? 'camera off' : ''].filter(Boolean);
    this.peerEl.textContent = peer.length ? `${who}: ${peer.join(', ')}` : '';
    this.muteButton.setAttribute('aria-pressed', c.muted ? 'true' : 'false');
    this.muteButton.setAttribute('aria-label', c.muted ? 'Unmute' : 'Mute');
    this.muteButton.replaceChildren(callIcon(c.muted ? 'micOff' : 'mic'));
    this.cameraButton.hidden = !c.video;
    this.cameraButton.setAttribute('aria-pressed', c.cameraOn ? 'false' : 'true');
    this.cameraButton.setAttribute('aria-label', c.cameraOn ? 'Turn camera off' : 'Turn camera on');
    this.cameraButton.replaceChildren(callIcon(c.cameraOn ? 'video' : 'videoOff'));
    this.switchButton.textContent = c.video ? 'Switch to voice' : 'Switch to video';
    this.localVideo.hidden = !c.video || !c.cameraOn;
    if (c.state === 'ended') clear(this.peerEl);
  }

  destroy() {
    this.ringer.stop();
    clearInterval(this.tick);
    this.call?.hangup();
  }
}
