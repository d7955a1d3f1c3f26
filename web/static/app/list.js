// The conversation list: one button per conversation with its title, the
// identity kinds the contact uses, the last message, its time and the unread
// count.

import { h, clear, icon } from './dom.js';
import { addressKind, addressValue, isoTime, kindLabel, listTime, previewText } from './format.js';
import { tickElement } from './chat.js';
import { callLabel } from './call.js';

// conversationTitle is the name shown for a conversation: an address, or
// while the core has not learned any (the person id is no name) a
// placeholder.
export function conversationTitle(conv) {
  const ids = conv.identities || [];
  if (conv.title && (conv.title !== conv.id || ids.length)) return addressValue(conv.title);
  return ids.length ? addressValue(ids[0]) : 'Unknown contact';
}

// conversationKinds lists the identity kinds a contact uses, the kind they
// were found by first.
export function conversationKinds(conv) {
  const kinds = [];
  if (conv.kind) kinds.push(conv.kind);
  for (const id of conv.identities || []) {
    const k = addressKind(id);
    if ((k === 'phone' || k === 'account') && !kinds.includes(k)) kinds.push(k);
  }
  return kinds;
}

// kindBadges builds the badges that say which kind of identity a contact
// uses. Compact badges (in the list) show the icon and keep the word for
// screen readers.
export function kindBadges(conv, compact = false) {
  return conversationKinds(conv).map((k) => h('span', {
    class: `badge badge-${k}${compact ? ' compact' : ''}`, testid: 'kind-badge', dataset: { kind: k },
    title: k === 'phone' ? 'Uses a phone number' : 'Uses an account ID',
  }, icon(k === 'phone' ? 'phone' : 'at'), h('span', { class: compact ? 'sr-only' : 'badge-label' }, kindLabel(k))));
}

// AVATAR_COLOURS all hold white text at a contrast above 4.5:1.
const AVATAR_COLOURS = 6;

function avatarClass(id) {
  let n = 0;
  for (const c of String(id)) n = (n * 31 + c.codePointAt(0)) >>> 0;
  return `avatar avatar-${n % AVATAR_COLOURS}`;
}

// avatar shows the first letter of a name, or a silhouette for a phone
// number or a contact with no known address.
export function avatar(conv) {
  const title = conversationTitle(conv);
  const letter = [...title][0] || '';
  const named = /\p{L}/u.test(letter) && (conv.identities || []).length > 0;
  return h('span', { class: avatarClass(conv.id), 'aria-hidden': 'true' }, named ? letter.toUpperCase() : icon('user'));
}

// renderList replaces the items of ul. Focus stays on the same conversation.
export function renderList(ul, convs, { currentId, isTyping, onOpen }) {
  const focused = ul.contains(document.activeElement) ? document.activeElement.dataset.conversationId : null;
  clear(ul);
  if (!convs.length) {
    ul.append(h('li', { class: 'empty', testid: 'conversation-empty' }, 'No conversations yet. Start one with “New chat”.'));
    return;
  }
  for (const conv of convs) {
    const last = conv.last;
    const typing = isTyping(conv.id);
    const preview = typing
      ? h('span', { class: 'preview typing-preview' }, 'typing…')
      : h('span', { class: 'preview', testid: 'conversation-preview' },
        last && last.outgoing ? tickElement(last.status) : null,
        last ? (last.call ? callLabel(last) : previewText(last)) : 'No messages yet');
    const unread = conv.unread > 0
      ? h('span', { class: 'unread', testid: 'unread-badge' }, String(conv.unread),
        h('span', { class: 'sr-only' }, conv.unread === 1 ? ' unread message' : ' unread messages'))
      : null;
    const button = h('button', {
      type: 'button', class: 'conv', testid: 'conversation-item',
      dataset: { conversationId: conv.id, unread: String(conv.unread || 0) },
      'aria-current': conv.id === currentId ? 'true' : null,
      onclick: () => onOpen(conv.id),
    },
    avatar(conv),
    h('span', { class: 'conv-main' },
      h('span', { class: 'conv-top' },
        h('span', { class: 'conv-title', testid: 'conversation-title' }, conversationTitle(conv)),
        kindBadges(conv, true),
        last ? h('time', { class: 'conv-time', datetime: isoTime(last.sentAt) }, listTime(last.sentAt)) : null),
      h('span', { class: 'conv-bottom' }, preview, unread,
        conv.identityChanged ? h('span', { class: 'warn-dot', title: 'Safety number changed' }, icon('alert'),
          h('span', { class: 'sr-only' }, 'Safety number changed')) : null)));
    ul.append(h('li', null, button));
    if (conv.id === focused) button.focus();
  }
}
