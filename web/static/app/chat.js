// The chat view: the history of one conversation with day separators, times
// and ticks, the typing indicator, the changed-safety-number notice and the
// composer.

import { h, clear, icon, inNextFrame } from './dom.js';
import { clock, dayKey, dayLabel, displayText, errorText, fullTime, isoTime } from './format.js';
import { Attachments, VoiceRecorder } from './attachments.js';
import { callButton, callEntry } from './call.js';
import { CODE, STATUS_RANK } from '../constants.js';

// betterStatus returns whichever of two states is further along.
export function betterStatus(a, b) {
  if (!a) return b;
  if (!b) return a;
  return (STATUS_RANK[b] ?? -1) > (STATUS_RANK[a] ?? -1) ? b : a;
}

// tickElement shows a message's state: a clock while pending, ✓ sent,
// ✓✓ delivered, blue ✓✓ read, a warning when it failed.
export function tickElement(status) {
  const names = { pending: 'clock', sent: 'tick', delivered: 'ticks', read: 'ticks', failed: 'alert' };
  const labels = { pending: 'sending', sent: 'sent', delivered: 'delivered', read: 'read', failed: 'not sent' };
  return h('span', { class: `tick tick-${status}`, role: 'img', 'aria-label': labels[status] || status, testid: 'tick' },
    icon(names[status] || 'clock'));
}

// compareOrder sorts messages by their stable order key, numbers or strings.
export function compareOrder(a, b) {
  const x = a.order ?? a.sentAt;
  const y = b.order ?? b.sentAt;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const sx = String(x);
  const sy = String(y);
  if (sx.length !== sy.length && /^\d+$/.test(sx) && /^\d+$/.test(sy)) return sx.length - sy.length;
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

// HISTORY_PAGE is how many messages one load of history fetches: a screenful
// several times over, small enough to render at once.
const HISTORY_PAGE = 100;

// TYPING_SEND_EVERY_MS throttles outgoing typing notices; TYPING_IDLE_MS is
// how long after the last key the "stopped typing" notice goes out;
// TYPING_SHOW_MS hides a peer's indicator if their "stopped" never arrives.
const TYPING_SEND_EVERY_MS = 3000;
const TYPING_IDLE_MS = 4000;
const TYPING_SHOW_MS = 8000;

export class ChatView {
  // ctx: { api, title(conv), badges(conv), address(conv), onBack(), onSafety(conv),
  //        onAccept(conv), onVisibleIncoming(), onSent(msg) }
  constructor(ctx) {
    this.ctx = ctx;
    this.conv = null;
    this.messages = new Map(); // id -> { msg, el }
    this.sorted = [];
    this.typingTimer = 0;
    this.typingSentAt = 0;
    this.typingIdle = 0;
    this.typingOn = false;
    this.loadSeq = 0;
    this.pending = []; // messages in the model, not yet in the DOM
    this.lastShown = null; // the newest message in the DOM
    this.scheduleFlush = inNextFrame(() => this.flush());
    this.stick = false; // scroll to the end at the next flush

    this.titleEl = h('h2', { id: 'chat-title', class: 'chat-title', testid: 'chat-title' });
    this.badgesEl = h('span', { class: 'badges' });
    this.typingEl = h('p', { class: 'typing', testid: 'typing', 'aria-live': 'polite', hidden: true });
    this.backButton = h('button', { type: 'button', class: 'icon-button back', 'aria-label': 'Back to conversations', testid: 'back-button', onclick: () => ctx.onBack() }, icon('back'));
    this.callButtons = [callButton(false, () => ctx.onCall?.(this.conv, false)), callButton(true, () => ctx.onCall?.(this.conv, true))];
    this.safetyButton = h('button', { type: 'button', class: 'icon-button', testid: 'safety-button', 'aria-label': 'Safety number', title: 'Safety number', onclick: () => ctx.onSafety(this.conv) }, icon('shield'));
    this.noticeText = h('p');
    this.notice = h('div', { class: 'notice', role: 'alert', testid: 'identity-notice', hidden: true },
      icon('alert', 'notice-icon'),
      h('div', null, this.noticeText,
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary', testid: 'identity-view', onclick: () => ctx.onSafety(this.conv) }, 'View safety number'),
          h('button', { type: 'button', class: 'primary', testid: 'identity-accept', onclick: () => this.accept() }, 'Accept'))));
    this.olderButton = h('button', { type: 'button', class: 'link older', testid: 'load-older', hidden: true, onclick: () => this.loadOlder() }, 'Show older messages');
    this.list = h('ol', { class: 'messages', testid: 'message-list' });
    this.scroller = h('div', { class: 'scroller', role: 'log', 'aria-label': 'Messages', 'aria-live': 'polite', tabindex: '0' }, this.olderButton, this.list);
    // Keep the newest message in view when the window or the composer
    // resizes, unless the reader scrolled up.
    this.atEnd = true;
    this.scroller.addEventListener('scroll', () => { this.atEnd = this.isNearEnd(); }, { passive: true });
    new ResizeObserver(() => { if (this.atEnd) this.scrollToEnd(); }).observe(this.scroller);
    this.input = h('textarea', {
      id: 'composer', rows: '1', class: 'composer-input', testid: 'composer-input', placeholder: 'Message',
      'aria-label': 'Message', autocomplete: 'off', maxlength: '4000',
      onkeydown: (e) => this.onKey(e), oninput: () => this.onInput(),
    });
    this.sendButton = h('button', { type: 'submit', class: 'icon-button send', 'aria-label': 'Send', testid: 'send-button' }, icon('send'));
    this.files = new Attachments({
      api: ctx.api,
      address: (conv) => ctx.address(conv),
      onSent: (m, conv) => {
        if (this.conv && this.conv.id === conv.id && m.conversationId === conv.id) this.add(m);
        ctx.onSent(m, conv);
      },
    });
    this.fileInput = h('input', {
      type: 'file', multiple: true, hidden: true, testid: 'file-input',
      onchange: () => { this.sendFiles([...this.fileInput.files]); this.fileInput.value = ''; },
    });
    this.attachButton = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Attach files', title: 'Attach files', testid: 'attach-button', onclick: () => this.fileInput.click() }, icon('clip'));
    this.voice = new VoiceRecorder(
      (file, ms) => this.sendFiles([file], { durationMs: ms }),
      (err) => this.showError(err));
    this.micButton = h('button', { type: 'button', class: 'icon-button', 'aria-label': 'Record a voice note', title: 'Record a voice note', testid: 'voice-button', onclick: () => this.voice.start() }, icon('mic'));
    this.sendError = h('p', { class: 'error', role: 'alert', testid: 'send-error', hidden: true });
    this.composer = h('form', { class: 'composer', testid: 'composer', onsubmit: (e) => { e.preventDefault(); this.send(); } },
      this.attachButton, this.fileInput, this.input, this.micButton, this.sendButton);
    // Files pasted into the composer are sent like picked ones.
    this.input.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length) {
        e.preventDefault();
        this.sendFiles(files);
      }
    });
    this.empty = h('div', { class: 'chat-empty', testid: 'chat-empty' },
      h('p', null, 'Choose a conversation, or start a new one.'),
      h('p', { class: 'help' }, 'Messages are end-to-end encrypted: the relay only ever sees ciphertext.'));
    this.pane = h('div', { class: 'chat-pane', hidden: true },
      h('header', { class: 'chat-header' }, this.backButton,
        h('div', { class: 'chat-heading' }, this.titleEl, this.badgesEl),
        ...this.callButtons, this.safetyButton),
      this.notice,
      this.scroller,
      this.typingEl,
      this.sendError,
      this.voice.el,
      this.composer);
    // Files dropped anywhere on the conversation are sent.
    this.pane.addEventListener('dragover', (e) => {
      if (![...(e.dataTransfer?.types ?? [])].includes('Files') || this.input.disabled) return;
      e.preventDefault();
      this.pane.classList.add('dropping');
    });
    this.pane.addEventListener('dragleave', (e) => {
      if (e.target === this.pane) this.pane.classList.remove('dropping');
    });
    this.pane.addEventListener('drop', (e) => {
      this.pane.classList.remove('dropping');
      const files = [...(e.dataTransfer?.files ?? [])];
      if (!files.length) return;
      e.preventDefault();
      this.sendFiles(files);
    });
    this.el = h('section', { class: 'chat', 'aria-labelledby': 'chat-title', testid: 'chat' }, this.empty, this.pane);
  }

  // open shows a conversation and loads its latest history.
  async open(conv) {
    const same = this.conv && this.conv.id === conv.id;
    this.stopTyping();
    this.conv = conv;
    this.empty.hidden = true;
    this.pane.hidden = false;
    this.update(conv);
    if (same) return;
    this.showTyping(false);
    this.sendError.hidden = true;
    this.input.value = '';
    this.messages.clear();
    this.sorted = [];
    this.pending = [];
    this.lastShown = null;
    clear(this.list);
    this.olderButton.hidden = true;
    const seq = ++this.loadSeq;
    let page = [];
    try {
      page = await this.ctx.api.history(conv.id, { limit: HISTORY_PAGE });
    } catch (err) {
      this.showError(err);
    }
    if (seq !== this.loadSeq) return;
    for (const m of page) this.remember(m);
    this.olderButton.hidden = page.length < HISTORY_PAGE;
    this.renderAll();
    this.scrollToEnd();
    this.ctx.onVisibleIncoming();
  }

  // close returns to the empty state.
  close() {
    this.stopTyping();
    this.conv = null;
    this.loadSeq++;
    this.pane.hidden = true;
    this.empty.hidden = false;
  }

  // update refreshes the header and the notice from a newer Conversation.
  update(conv) {
    this.conv = conv;
    const key = JSON.stringify([this.ctx.title(conv), conv.kind, conv.identities, !!conv.identityChanged]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.titleEl.textContent = this.ctx.title(conv);
    clear(this.badgesEl).append(...this.ctx.badges(conv));
    const blocked = !!conv.identityChanged;
    this.notice.hidden = !blocked;
    this.noticeText.textContent = `The safety number with ${this.ctx.title(conv)} changed. ` +
      'They may have reinstalled Sambung or changed their device, or someone may be intercepting. ' +
      'Compare the new safety number with them, then accept it to keep messaging.';
    this.input.disabled = blocked;
    this.sendButton.disabled = blocked;
    this.attachButton.disabled = blocked;
    this.micButton.disabled = blocked;
    for (const b of this.callButtons) b.disabled = blocked;
    this.input.placeholder = blocked ? 'Accept the new safety number to send' : 'Message';
  }

  async accept() {
    try {
      await this.ctx.api.acceptIdentity(this.conv.id);
      this.update({ ...this.conv, identityChanged: false });
      this.ctx.onAccept(this.conv);
      this.input.focus();
    } catch (err) {
      this.showError(err);
    }
  }

  focusComposer() {
    if (!this.input.disabled) this.input.focus();
    else this.notice.querySelector('button').focus();
  }

  async loadOlder() {
    const first = this.sorted[0];
    if (!first || !this.conv) return;
    const seq = this.loadSeq;
    const height = this.scroller.scrollHeight;
    try {
      const page = await this.ctx.api.history(this.conv.id, { before: first.id, limit: HISTORY_PAGE });
      if (seq !== this.loadSeq) return;
      for (const m of page) this.remember(m);
      this.olderButton.hidden = page.length < HISTORY_PAGE;
      this.renderAll();
      this.scroller.scrollTop = this.scroller.scrollHeight - height;
    } catch (err) {
      this.showError(err);
    }
  }

  // remember adds or updates a message in the model; it returns true if the
  // message is new.
  remember(m) {
    const known = this.messages.get(m.id);
    if (known) {
      known.msg = { ...known.msg, ...m, status: betterStatus(known.msg.status, m.status) };
      return false;
    }
    this.messages.set(m.id, { msg: m, el: null });
    const prev = this.sorted[this.sorted.length - 1];
    this.sorted.push(m);
    if (prev && compareOrder(prev, m) > 0) this.sorted.sort(compareOrder);
    return true;
  }

  renderAll() {
    this.sorted = [...this.messages.values()].map((e) => e.msg).sort(compareOrder);
    this.pending = [];
    this.lastShown = this.sorted[this.sorted.length - 1] || null;
    clear(this.list);
    let day = '';
    for (const m of this.sorted) {
      const k = dayKey(m.sentAt);
      if (k !== day) {
        this.list.append(daySeparator(m.sentAt));
        day = k;
      }
      this.list.append(this.bubble(m));
    }
  }

  // add shows a message that arrived or was sent while the chat is open.
  // The model takes it at once; the DOM takes a burst of them together, in
  // the next frame, so a hundred messages cost one layout, not a hundred.
  add(m) {
    const known = this.messages.get(m.id);
    if (known) {
      this.setStatus(m.id, m.status);
      return;
    }
    this.remember(m);
    this.pending.push(m);
    if (m.outgoing) this.stick = true;
    else this.showTyping(false);
    this.scheduleFlush();
  }

  // flush appends the pending messages, or redraws when one belongs
  // before a message already shown.
  flush() {
    const batch = this.pending.sort(compareOrder);
    this.pending = [];
    if (!batch.length) return;
    const stick = this.stick || this.atEnd;
    this.stick = false;
    let last = this.lastShown;
    if (last && compareOrder(last, batch[0]) > 0) {
      this.renderAll();
    } else {
      for (const m of batch) {
        if (!last || dayKey(last.sentAt) !== dayKey(m.sentAt)) this.list.append(daySeparator(m.sentAt));
        this.list.append(this.bubble(this.messages.get(m.id).msg));
        last = m;
      }
      this.lastShown = last;
    }
    if (stick) this.scrollToEnd();
  }

  // setStatus moves a message's ticks forward.
  setStatus(id, status) {
    const entry = this.messages.get(id);
    if (!entry) return;
    const next = betterStatus(entry.msg.status, status);
    if (next === entry.msg.status) return;
    entry.msg = { ...entry.msg, status: next };
    const i = this.sorted.findIndex((m) => m.id === id);
    if (i >= 0) this.sorted[i] = entry.msg;
    if (entry.el) {
      entry.el.dataset.status = next;
      const old = entry.el.querySelector('.tick');
      if (old) old.replaceWith(tickElement(next));
    }
  }

  bubble(m) {
    if (m.call) {
      const entry = callEntry(m);
      this.messages.get(m.id).el = entry;
      return entry;
    }
    const el = h('li', {
      class: m.outgoing ? 'msg out' : 'msg in', testid: 'message',
      dataset: { id: m.id, status: m.status, outgoing: m.outgoing ? '1' : '0' },
    },
    m.file ? this.files.body(m) : null,
    m.file && !m.text ? null : h('p', { class: 'msg-text', testid: 'message-text', dir: 'auto' }, displayText(m.text)),
    h('span', { class: 'meta' },
      h('time', { datetime: isoTime(m.sentAt), title: fullTime(m.sentAt) }, clock(m.sentAt)),
      m.outgoing ? tickElement(m.status) : null));
    this.messages.get(m.id).el = el;
    return el;
  }

  // lastIncoming is the newest message from the peer, for read receipts.
  lastIncoming() {
    for (let i = this.sorted.length - 1; i >= 0; i--) if (!this.sorted[i].outgoing) return this.sorted[i];
    return null;
  }

  isNearEnd() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
    this.atEnd = true;
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    this.typingEl.hidden = !on;
    this.typingEl.textContent = on && this.conv ? `${this.ctx.title(this.conv)} is typing…` : '';
    if (on) this.typingTimer = setTimeout(() => this.showTyping(false), TYPING_SHOW_MS);
  }

  showError(err) {
    this.sendError.textContent = err ? errorText(err) : '';
    this.sendError.hidden = !err;
  }

  onKey(e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.send();
    }
  }

  onInput() {
    if (!this.conv || this.conv.identityChanged) return;
    const id = this.conv.id;
    clearTimeout(this.typingIdle);
    if (!this.input.value) {
      this.stopTyping();
      return;
    }
    const now = Date.now();
    if (!this.typingOn || now - this.typingSentAt > TYPING_SEND_EVERY_MS) {
      this.typingOn = true;
      this.typingSentAt = now;
      this.ctx.api.typing(id, true).catch(() => {});
    }
    this.typingIdle = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  stopTyping() {
    clearTimeout(this.typingIdle);
    if (this.typingOn && this.conv) this.ctx.api.typing(this.conv.id, false).catch(() => {});
    this.typingOn = false;
  }

  // sendFiles uploads files to the open conversation, each with its own
  // bubble and progress bars.
  sendFiles(files, options = {}) {
    const conv = this.conv;
    if (!conv || conv.identityChanged) return;
    this.showError(null);
    for (const file of files) {
      this.files.upload(conv, file, options, (bubble) => {
        if (this.conv && this.conv.id === conv.id) {
          this.list.append(bubble);
          this.scrollToEnd();
        }
      });
    }
  }

  async send() {
    const text = this.input.value.trim();
    if (!text || !this.conv || this.conv.identityChanged) return;
    const conv = this.conv;
    this.input.value = '';
    this.stopTyping();
    this.showError(null);
    try {
      const m = await this.ctx.api.send(this.ctx.address(conv), text);
      if (this.conv && this.conv.id === conv.id) {
        // A new chat's id is known once the first message names it.
        if (m.conversationId === conv.id) this.add(m);
      }
      this.ctx.onSent(m, conv);
    } catch (err) {
      if (this.conv && this.conv.id === conv.id) {
        if (!this.input.value) this.input.value = text;
        if (err && err.code === CODE.identityChanged) this.update({ ...conv, identityChanged: true });
        this.showError(err);
      }
    }
  }
}

function daySeparator(ms) {
  return h('li', { class: 'day', testid: 'day-separator' }, h('span', null, dayLabel(ms)));
}
