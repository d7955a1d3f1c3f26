// Files in the chat: the bubbles of file messages (thumbnail, inline image
// or voice note, or a card with name, size and type and a download
// button), the bubbles of uploads in progress, progress bars with cancel
// buttons, and the composer's ways in: the picker, drag and drop, paste and
// the voice recorder. The bytes never pass through here: sambung.js hands
// them to the core's file engine, which encrypts and decrypts them.

import { h, clear, icon } from './dom.js';
import { errorText, fileSize } from './format.js';
import { CODE, MAX_SIZE } from '../constants.js';

// AUTO_DOWNLOAD: images and voice notes up to this size download by
// themselves when shown, as WhatsApp Web does on a good connection; larger
// ones and all other files wait for a click.
const AUTO_DOWNLOAD = 16 * 1000 * 1000;

// MAX_VOICE_MS stops a voice note at 15 minutes.
const MAX_VOICE_MS = 15 * 60 * 1000;

function kindOf(mime) {
  if (/^image\/(jpeg|png|gif|webp|avif|bmp)$/.test(mime)) return 'image';
  if (/^audio\//.test(mime)) return 'audio';
  return 'file';
}

function duration(ms) {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// Progress is a set of labelled bars and a cancel button.
class Progress {
  constructor(labels, onCancel) {
    this.bars = labels.map(([key, label]) => {
      const bar = h('progress', { max: '1', value: '0', testid: `progress-${key}`, 'aria-label': label });
      const text = h('span', { class: 'progress-label' }, label);
      return { key, bar, text, label, row: h('div', { class: 'progress-row' }, text, bar) };
    });
    this.cancel = h('button', { type: 'button', class: 'icon-button small', testid: 'transfer-cancel', 'aria-label': 'Cancel', title: 'Cancel', onclick: onCancel }, icon('close'));
    this.el = h('div', { class: 'progress', testid: 'transfer-progress' },
      h('div', { class: 'progress-bars' }, this.bars.map((b) => b.row)), this.cancel);
  }

  set(values, total) {
    for (const b of this.bars) {
      const v = values[b.key] ?? 0;
      b.bar.value = total > 0 ? Math.min(1, v / total) : 0;
      b.text.textContent = `${b.label} ${total > 0 ? Math.floor((100 * v) / total) : 0}%`;
    }
  }
}

export class Attachments {
  // ctx: { api, address(conv), onSent(msg, conv), onError(err) }
  constructor(ctx) {
    this.ctx = ctx;
    this.api = ctx.api;
    this.listeners = new Map(); // transfer id -> function(event)
    this.downloads = new Map(); // message id -> Promise of File
    this.urls = new Map(); // message id or 'thumb:' + id -> object URL
    this.api.on('transfer', (ev) => this.listeners.get(ev.id)?.(ev));
  }

  url(key, blob) {
    let u = this.urls.get(key);
    if (!u) {
      u = URL.createObjectURL(blob);
      this.urls.set(key, u);
    }
    return u;
  }

  // download fetches a message's file once, however many times asked.
  download(m, onProgress) {
    let p = this.downloads.get(m.id);
    if (p) return p;
    const tid = crypto.randomUUID();
    this.listeners.set(tid, onProgress);
    p = this.api.downloadFile(m.conversationId, m.id, { transferId: tid })
      .finally(() => this.listeners.delete(tid));
    p.transferId = tid;
    this.downloads.set(m.id, p);
    p.catch(() => this.downloads.delete(m.id)); // a failed download may be tried again
    return p;
  }

  // body is the part of a file message's bubble above its caption.
  body(m) {
    const f = m.file;
    const kind = kindOf(f.mime);
    const el = h('div', { class: `file file-${kind}`, testid: 'file', dataset: { state: 'new', kind } });
    const error = h('p', { class: 'error file-error', role: 'alert', testid: 'file-error', hidden: true });
    const media = h('div', { class: 'file-media' });
    const info = h('div', { class: 'file-info' },
      kind === 'file' ? icon('file', 'file-icon') : null,
      h('div', null,
        h('span', { class: 'file-name', testid: 'file-name' }, f.name || (kind === 'audio' ? 'Voice note' : 'File')),
        h('span', { class: 'file-meta', testid: 'file-meta' },
          [fileSize(f.size), f.mime || 'unknown type', f.durationMs ? duration(f.durationMs) : null].filter(Boolean).join(' · '))));
    const actions = h('div', { class: 'file-actions' });
    el.append(media, info, actions, error);

    if (kind === 'image' && f.thumbnail) {
      const thumb = h('img', {
        class: 'thumb', testid: 'file-thumbnail', alt: f.name || 'Image', src: this.url(`thumb:${m.id}`, new Blob([f.thumbnail], { type: 'image/jpeg' })),
        width: f.width ? String(Math.min(f.width, 320)) : null,
      });
      media.append(thumb);
    }

    let progress = null;
    const show = (file) => {
      el.dataset.state = 'ready';
      progress?.el.remove();
      progress = null;
      clear(actions);
      const u = this.url(m.id, file);
      if (kind === 'image') {
        clear(media).append(h('img', { class: 'full', testid: 'file-image', alt: f.name || 'Image', src: u }));
      } else if (kind === 'audio') {
        clear(media).append(h('audio', { controls: true, preload: 'metadata', testid: 'file-audio', src: u }));
      }
      actions.append(h('a', { class: 'button secondary small', href: u, download: f.name || 'file', testid: 'file-save' }, icon('download'), 'Save'));
    };
    const fetchIt = (save) => {
      error.hidden = true;
      el.dataset.state = 'downloading';
      clear(actions);
      const total = f.size;
      const p = this.download(m, (ev) => {
        if (ev.state === 'downloading' || ev.state === 'done') progress?.set({ download: ev.downloaded, decrypt: ev.decrypted }, total);
      });
      if (!progress) {
        progress = new Progress([['download', 'Downloading'], ['decrypt', 'Decrypting']], () => this.api.cancelTransfer(p.transferId));
        el.insertBefore(progress.el, actions);
      }
      p.then((file) => {
        show(file);
        if (save) el.querySelector('[data-testid="file-save"]')?.click();
      }, (err) => {
        progress?.el.remove();
        progress = null;
        el.dataset.state = 'failed';
        el.dataset.error = err?.code ?? 'internal';
        error.textContent = errorText(err);
        error.hidden = false;
        offer();
      });
    };
    const offer = () => {
      clear(actions).append(h('button', { type: 'button', class: 'secondary small', testid: 'file-download', onclick: () => fetchIt(kind === 'file') },
        icon('download'), el.dataset.state === 'failed' ? 'Try again' : `Download ${fileSize(f.size)}`));
    };
    if ((kind === 'image' || kind === 'audio') && f.size <= AUTO_DOWNLOAD) {
      queueMicrotask(() => fetchIt(false));
    } else {
      offer();
    }
    return el;
  }

  // upload sends one file to conv and shows its progress in a bubble that
  // the caller puts in the list; it resolves to the sent message, or to
  // null when it failed or was cancelled (the bubble then says why).
  upload(conv, file, options, place) {
    const tid = crypto.randomUUID();
    const error = h('p', { class: 'error', role: 'alert', testid: 'upload-error', hidden: true });
    const progress = new Progress([['encrypt', 'Encrypting'], ['upload', 'Uploading']], () => this.api.cancelTransfer(tid));
    const bubble = h('li', { class: 'msg out uploading', testid: 'upload', dataset: { state: 'running', transfer: tid } },
      h('div', { class: 'file-info' }, icon('file', 'file-icon'),
        h('div', null, h('span', { class: 'file-name', testid: 'upload-name' }, options.name ?? file.name ?? 'File'),
          h('span', { class: 'file-meta' }, fileSize(file.size)))),
      progress.el, error);
    const fail = (err) => {
      progress.el.remove();
      bubble.dataset.state = 'failed';
      bubble.dataset.error = err?.code ?? 'internal';
      error.textContent = errorText(err);
      error.hidden = false;
      bubble.append(h('button', { type: 'button', class: 'link small', testid: 'upload-dismiss', onclick: () => bubble.remove() }, 'Dismiss'));
      this.ctx.onError?.(err);
      return null;
    };
    place(bubble);
    // A file over MAX_SIZE is refused before anything is encrypted or uploaded.
    if (file.size > MAX_SIZE) return Promise.resolve(fail({ code: CODE.fileTooLarge }));
    this.listeners.set(tid, (ev) => {
      if (ev.state === 'uploading' || ev.state === 'done') {
        progress.set({ encrypt: ev.encrypted, upload: ev.uploaded }, file.size);
        bubble.dataset.resumed = String(ev.resumed ?? 0);
      }
    });
    return this.api.sendFile(this.ctx.address(conv), file, { ...options, transferId: tid }).then((m) => {
      bubble.remove();
      this.ctx.onSent(m, conv);
      return m;
    }, fail).finally(() => this.listeners.delete(tid));
  }
}

// VoiceRecorder records a voice note with MediaRecorder.
export class VoiceRecorder {
  constructor(onDone, onError) {
    this.onDone = onDone;
    this.onError = onError;
    this.timeEl = h('span', { class: 'voice-time', testid: 'voice-time' }, '0:00');
    this.stopButton = h('button', { type: 'button', class: 'icon-button send', testid: 'voice-send', 'aria-label': 'Send voice note', onclick: () => this.stop(true) }, icon('send'));
    this.cancelButton = h('button', { type: 'button', class: 'icon-button', testid: 'voice-cancel', 'aria-label': 'Discard voice note', onclick: () => this.stop(false) }, icon('close'));
    this.el = h('div', { class: 'voice', testid: 'voice-recorder', hidden: true },
      h('span', { class: 'voice-dot', 'aria-hidden': 'true' }), h('span', null, 'Recording '), this.timeEl, this.cancelButton, this.stopButton);
  }

  async start() {
    if (this.rec) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (err) {
      this.onError({ code: 'microphone', message: 'Sambung cannot use the microphone: allow it in the browser to record voice notes.' });
      return;
    }
    const type = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4'].find((t) => MediaRecorder.isTypeSupported?.(t)) ?? '';
    this.rec = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    this.parts = [];
    this.started = Date.now();
    this.rec.ondataavailable = (e) => { if (e.data.size) this.parts.push(e.data); };
    this.rec.onstop = () => {
      stream.getTracks().forEach((t) => t.stop());
      clearInterval(this.timer);
      this.el.hidden = true;
      const ms = Date.now() - this.started;
      const mime = (this.rec.mimeType || type || 'audio/webm').split(';')[0];
      const keep = this.keep;
      this.rec = null;
      if (!keep || !this.parts.length) return;
      const ext = mime === 'audio/mp4' ? 'm4a' : mime === 'audio/ogg' ? 'ogg' : 'webm';
      const name = `Voice note ${new Date(this.started).toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.')}.${ext}`;
      this.onDone(new File(this.parts, name, { type: mime }), ms);
    };
    this.rec.start(1000);
    this.el.hidden = false;
    this.timer = setInterval(() => {
      const ms = Date.now() - this.started;
      this.timeEl.textContent = duration(ms);
      if (ms >= MAX_VOICE_MS) this.stop(true);
    }, 250);
  }

  stop(keep) {
    if (!this.rec) return;
    this.keep = keep;
    this.rec.stop();
  }
}
