// The signed-in screen: the conversation list beside the chat (two screens
// on narrow windows), wired to the core's events.

import { h, icon, inNextFrame } from './dom.js';
import { addressKind, addressValue, kindLabel, previewText } from './format.js';
import { ChatView, betterStatus } from './chat.js';
import { conversationTitle, kindBadges, renderList } from './list.js';
import { newChatDialog, profileDialog, safetyDialog } from './dialogs.js';
import { askPermission, canAskPermission, notifyMessage, setUnreadTitle } from './notify.js';
import { CallScreen, callLabel } from './call.js';

// NARROW matches the CSS breakpoint below which list and chat are two screens.
const NARROW = '(max-width: 719px)';

// REFRESH_MS batches conversation list reloads when many events arrive at once.
const REFRESH_MS = 50;

// READ_BATCH_MS batches read receipts: a burst of incoming messages in the
// open chat is marked read once, up to the newest, not once per message.
const READ_BATCH_MS = 300;

const STATUS_TEXT = { connecting: 'Connecting…', online: 'Online', offline: 'Offline' };

// ALERT_TEXT words the relay's alert kinds (docs/SECURITY.md, "Abuse").
const ALERT_TEXT = {
  'sign-in-failures': (n) => `Someone tried ${n} wrong passwords for your account ID. ` +
    'If it was not you, choose a stronger password. Devices already signed in keep working.',
  'prekeys-drained': (n) => `Others fetched ${n} of this device's one-time keys in a short time. ` +
    'Your messages stay end-to-end encrypted; if it goes on, check your devices.',
};

// sendAddress picks the address to send to: the identity the contact was
// found by, else the first they have.
export function sendAddress(conv) {
  const ids = conv.identities || [];
  return ids.find((a) => addressKind(a) === conv.kind) || ids[0] || '';
}

export class MainScreen {
  constructor(api, me, { onSignOut }) {
    this.api = api;
    this.me = me;
    this.onSignOut = onSignOut;
    this.convs = [];
    this.drafts = new Map(); // personId -> Conversation not yet on the core's list
    this.currentId = null;
    this.typingUntil = new Map();
    this.lastMarked = new Map();
    this.unsubs = [];
    this.refreshTimer = 0;
    this.readTimer = 0;
    this.drawListSoon = inNextFrame(() => this.drawList());
    this.narrow = matchMedia(NARROW);

    this.statusEl = h('span', { class: 'status', testid: 'status', dataset: { state: 'connecting' }, role: 'status' }, STATUS_TEXT.connecting);
    this.notifyButton = h('button', { type: 'button', class: 'icon-button', testid: 'notify-button', 'aria-label': 'Turn on notifications', title: 'Turn on notifications', hidden: !canAskPermission(), onclick: async () => {
      await askPermission();
      this.notifyButton.hidden = !canAskPermission();
    } }, icon('bell'));
    this.meButton = h('button', { type: 'button', class: 'icon-button', testid: 'me', 'aria-label': 'You: identities, devices, sign out', title: 'You', onclick: () => this.openProfile() }, icon('user'));
    this.meLine = h('p', { class: 'me-line', testid: 'me-line' });
    // The relay's warnings that someone may be attacking this person.
    this.alertText = h('p');
    this.alertEl = h('div', { class: 'notice', role: 'alert', testid: 'security-alert', hidden: true },
      icon('alert', 'notice-icon'),
      h('div', null, this.alertText,
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'secondary', testid: 'security-alert-dismiss', onclick: () => { this.alertEl.hidden = true; } }, 'Dismiss'))));
    this.renderMe();
    this.listEl = h('ul', { class: 'conversations', testid: 'conversation-list', 'aria-label': 'Conversations' });
    this.sidebar = h('section', { class: 'sidebar', 'aria-label': 'Conversations' },
      h('header', { class: 'sidebar-header' },
        h('h1', { class: 'brand' }, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Sambung'),
        this.statusEl, this.notifyButton, this.meButton),
      this.meLine,
      this.alertEl,
      h('div', { class: 'sidebar-actions' },
        h('button', { type: 'button', class: 'primary new-chat', testid: 'new-chat', onclick: () => this.newChat() }, icon('plus'), 'New chat')),
      this.listEl);

    this.chat = new ChatView({
      api,
      title: conversationTitle,
      badges: kindBadges,
      address: sendAddress,
      onBack: () => this.showList(),
      onSafety: (conv) => safetyDialog(api, conv, conversationTitle(conv), (c) => this.accepted(c)),
      onAccept: (conv) => this.accepted(conv),
      onVisibleIncoming: () => this.markRead(),
      onSent: (m, conv) => this.sent(m, conv),
      onCall: (conv, video) => this.calls.start(conv, video),
    });
    this.calls = new CallScreen({
      api, title: (id) => { const c = this.conversation(id); return c ? conversationTitle(c) : 'Unknown caller'; },
    });
    this.el = h('main', { class: 'main', testid: 'main', dataset: { view: 'list' } }, this.sidebar, this.chat.el, this.calls.el);
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.narrow.matches && this.el.dataset.view === 'chat' && !document.querySelector('dialog[open]')) {
        this.showList();
      }
    });

    this.on('message', (m) => this.onMessage(m));
    this.on('receipt', (r) => this.onReceipt(r));
    this.on('typing', (t) => this.onTyping(t));
    this.on('status', (s) => this.onStatus(s));
    this.on('alert', (a) => this.onAlert(a));
    this.on('identitychange', (e) => this.onIdentityChange(e));
    this.on('incomingcall', (call) => this.calls.incoming(call));
    this.on('conversations', (list) => (Array.isArray(list) ? this.setConversations(list) : this.refresh()));
    this.onVisibility = () => this.markRead();
    document.addEventListener('visibilitychange', this.onVisibility);
    this.narrow.addEventListener('change', this.onVisibility);
    this.refresh();
  }

  on(event, fn) {
    this.unsubs.push(this.api.on(event, fn));
  }

  destroy() {
    for (const u of this.unsubs) if (typeof u === 'function') u();
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.narrow.removeEventListener('change', this.onVisibility);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.readTimer);
    this.calls.destroy();
    setUnreadTitle(0);
  }

  // onAlert shows the relay's warning: text only, never HTML.
  onAlert(a) {
    const text = ALERT_TEXT[a.kind];
    if (!text) return;
    this.alertText.textContent = text(a.count);
    this.alertEl.hidden = false;
  }

  renderMe() {
    this.meLine.replaceChildren('Signed in as ', ...(this.me.identities || []).map((a, i) => [
      i ? ' and ' : '', h('strong', null, addressValue(a)), ` (${kindLabel(addressKind(a)).toLowerCase()})`]).flat());
  }

  // refresh reloads the conversation list soon, once per burst of events.
  refresh() {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(async () => {
      this.refreshTimer = 0;
      try {
        this.setConversations(await this.api.conversations());
      } catch {
        // The next event retries; the list keeps what it showed.
      }
    }, REFRESH_MS);
  }

  setConversations(list) {
    this.convs = list;
    for (const c of list) this.drafts.delete(c.id);
    const current = this.conversation(this.currentId);
    if (current) this.chat.update(current);
    this.renderList();
    this.markReadSoon();
  }

  allConversations() {
    return [...this.drafts.values(), ...this.convs];
  }

  conversation(id) {
    if (id == null) return null;
    return this.convs.find((c) => c.id === id) || this.drafts.get(id) || null;
  }

  // renderList redraws the list in the next frame, once for a burst of
  // changes; the title's count changes at once.
  renderList() {
    setUnreadTitle(this.convs.reduce((n, c) => n + (c.unread || 0), 0));
    this.drawListSoon();
  }

  drawList() {
    const now = Date.now();
    renderList(this.listEl, this.allConversations(), {
      currentId: this.currentId,
      isTyping: (id) => (this.typingUntil.get(id) || 0) > now,
      onOpen: (id) => this.open(id),
    });
  }

  async open(id) {
    const conv = this.conversation(id);
    if (!conv) return;
    this.currentId = id;
    this.el.dataset.view = 'chat';
    this.renderList();
    await this.chat.open(conv);
    this.chat.focusComposer();
  }

  showList() {
    this.el.dataset.view = 'list';
    const item = this.listEl.querySelector(`[data-conversation-id="${CSS.escape(String(this.currentId))}"]`);
    if (item) item.focus();
  }

  // chatVisible: the open chat is on screen and the tab is in front.
  chatVisible() {
    if (this.currentId == null || document.visibilityState !== 'visible') return false;
    return !this.narrow.matches || this.el.dataset.view === 'chat';
  }

  // markReadSoon marks read after a short wait, once for a burst.
  markReadSoon() {
    if (this.readTimer) return;
    this.readTimer = setTimeout(() => {
      this.readTimer = 0;
      this.markRead();
    }, READ_BATCH_MS);
  }

  // markRead sends a read receipt up to the newest incoming message when the
  // user can see it.
  markRead() {
    if (!this.chatVisible()) return;
    const id = this.currentId;
    const last = this.chat.conv && this.chat.conv.id === id ? this.chat.lastIncoming() : null;
    if (!last) return;
    const conv = this.conversation(id);
    if (this.lastMarked.get(id) === last.id && !(conv && conv.unread > 0)) return;
    this.lastMarked.set(id, last.id);
    this.api.markRead(id, last.id).catch(() => this.lastMarked.delete(id));
  }

  // onMessage shows a message in the open chat. The list and the unread
  // counts follow from the core's 'conversations' event.
  onMessage(m) {
    if (m.conversationId === this.currentId) {
      this.chat.add(m);
      if (!m.outgoing) this.markReadSoon();
    }
    if (this.typingUntil.delete(m.conversationId)) this.renderList();
    if (!m.outgoing) {
      const conv = this.conversation(m.conversationId);
      const title = conv ? conversationTitle(conv) : 'New message';
      notifyMessage(m.conversationId, title, m.call ? callLabel(m) : previewText(m), () => this.open(m.conversationId));
    }
  }

  onReceipt(r) {
    if (r.conversationId === this.currentId) {
      for (const id of r.messageIds || []) this.chat.setStatus(id, r.status);
    }
    const conv = this.conversation(r.conversationId);
    if (conv && conv.last && (r.messageIds || []).includes(conv.last.id)) {
      const status = betterStatus(conv.last.status, r.status);
      if (status !== conv.last.status) {
        conv.last = { ...conv.last, status };
        this.renderList();
      }
    }
  }

  onTyping(t) {
    const until = t.typing ? Date.now() + 8000 : 0;
    this.typingUntil.set(t.conversationId, until);
    if (t.conversationId === this.currentId) this.chat.showTyping(!!t.typing);
    this.renderList();
    if (t.typing) setTimeout(() => this.renderList(), 8100);
  }

  onStatus(s) {
    this.statusEl.dataset.state = s.state;
    this.statusEl.textContent = STATUS_TEXT[s.state] || s.state;
  }

  onIdentityChange(e) {
    const conv = this.conversation(e.conversationId);
    if (conv) {
      conv.identityChanged = true;
      if (conv.id === this.currentId) this.chat.update(conv);
      this.renderList();
    }
    this.refresh();
  }

  accepted(conv) {
    const c = this.conversation(conv.id);
    if (c) c.identityChanged = false;
    if (conv.id === this.currentId) this.chat.update({ ...(c || conv), identityChanged: false });
    this.refresh();
  }

  // sent keeps a new chat's draft current until the core lists it.
  sent(m, conv) {
    const draft = this.drafts.get(conv.id);
    if (draft && !this.convs.some((c) => c.id === conv.id)) {
      draft.last = m;
      this.renderList();
    }
  }

  newChat() {
    newChatDialog(this.api, this.me, (contact, address) => {
      const id = contact.personId;
      if (!this.conversation(id)) {
        const kind = contact.kind || addressKind(address);
        const identities = contact.identities && contact.identities.length ? contact.identities : [address];
        this.drafts.set(id, {
          id, title: identities.find((a) => addressKind(a) === kind) || address, kind, identities,
          unread: 0, last: null, identityChanged: !!contact.identityChanged,
        });
      }
      this.open(id);
    });
  }

  openProfile() {
    profileDialog(this.api, this.me, {
      onChanged: async () => {
        this.me = (await this.api.me()) || this.me;
        this.renderMe();
      },
      onSignOut: () => this.onSignOut(),
    });
  }
}
