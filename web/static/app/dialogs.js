// Modal dialogs: new chat, safety number and profile. Each is a <dialog>
// opened with showModal, so Escape closes it and focus stays inside; focus
// returns to the control that opened it.

import { h, clear, icon } from './dom.js';
import { addressKind, addressValue, errorText, groupSafetyNumber, kindLabel } from './format.js';

// modal shows a dialog built by build(close) and removes it when it closes.
function modal(testid, labelId, build) {
  const opener = document.activeElement;
  const dialog = h('dialog', { class: 'dialog', testid, 'aria-labelledby': labelId });
  const close = () => dialog.close();
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener && opener.isConnected && typeof opener.focus === 'function') opener.focus();
  });
  // A click on the backdrop (the dialog element itself, outside its box) closes it.
  dialog.addEventListener('click', (e) => { if (e.target === dialog) close(); });
  dialog.append(build(close));
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

function closeButton(close, testid) {
  return h('button', { type: 'button', class: 'icon-button close', 'aria-label': 'Close', testid, onclick: close }, icon('close'));
}

// newChatDialog asks for a phone number or an account ID and looks it up.
// onFound gets the Contact and the address that found it.
export function newChatDialog(api, me, onFound) {
  return modal('newchat-dialog', 'newchat-title', (close) => {
    const error = h('p', { class: 'error', role: 'alert', testid: 'newchat-error', hidden: true });
    const input = h('input', { id: 'newchat-address', type: 'tel', autocomplete: 'off', required: true, testid: 'newchat-input', placeholder: '+62 812 3456 7890', autofocus: true });
    const label = h('label', { for: 'newchat-address' }, 'Phone number');
    const kinds = ['phone', 'account'].map((k, i) => h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'newchat-kind', value: k, checked: i === 0, testid: `newchat-kind-${k}`, onchange: () => {
        label.textContent = k === 'phone' ? 'Phone number' : 'Account ID';
        input.type = k === 'phone' ? 'tel' : 'text';
        input.placeholder = k === 'phone' ? '+62 812 3456 7890' : 'alice';
        input.focus();
      } }), k === 'phone' ? 'Phone number' : 'Account ID'));
    const submit = h('button', { type: 'submit', class: 'primary', testid: 'newchat-submit' }, 'Start chat');
    const form = h('form', { novalidate: true, onsubmit: async (e) => {
      e.preventDefault();
      const kind = form.querySelector('input[name="newchat-kind"]:checked').value;
      const value = input.value.trim();
      const show = (err) => { error.textContent = err ? errorText(err) : ''; error.hidden = !err; };
      if (!value) {
        show({ code: kind === 'phone' ? 'bad_phone' : 'bad_account_id' });
        input.focus();
        return;
      }
      const address = `${kind}:${kind === 'account' ? value.replace(/^@/, '') : value}`;
      submit.disabled = true;
      show(null);
      try {
        const contact = await api.lookup(address);
        if (me && contact.personId === me.personId) {
          show({ message: 'That is you. Enter someone else’s address.' });
          return;
        }
        close();
        onFound(contact, address);
      } catch (err) {
        show(err);
        input.focus();
      } finally {
        submit.disabled = false;
      }
    } },
    h('header', { class: 'dialog-header' }, h('h2', { id: 'newchat-title' }, 'New chat'), closeButton(close, 'newchat-close')),
    h('fieldset', { class: 'kinds' }, h('legend', null, 'Find them by'), kinds),
    label, input, error,
    h('div', { class: 'actions' }, submit,
      h('button', { type: 'button', class: 'secondary', onclick: close }, 'Cancel')));
    return form;
  });
}

// safetyDialog shows the 60-digit safety number of a conversation in 12
// groups of 5, to compare with the contact in person or over a call.
export function safetyDialog(api, conv, title, onAccept) {
  return modal('safety-dialog', 'safety-title', (close) => {
    const grid = h('div', { class: 'safety-number', testid: 'safety-number', role: 'group', 'aria-label': 'Safety number' },
      h('span', { class: 'loading' }, 'Computing…'));
    const error = h('p', { class: 'error', role: 'alert', hidden: true });
    const accept = conv.identityChanged
      ? h('button', { type: 'button', class: 'primary', testid: 'safety-accept', onclick: async () => {
        try {
          await api.acceptIdentity(conv.id);
          close();
          onAccept(conv);
        } catch (err) {
          error.textContent = errorText(err);
          error.hidden = false;
        }
      } }, 'Accept new safety number')
      : null;
    api.safetyNumber(conv.id).then((sn) => {
      const groups = groupSafetyNumber(sn.displayable);
      clear(grid).append(...groups.map((g) => h('span', { class: 'group' }, g)));
      grid.dataset.digits = groups.join('');
    }, (err) => {
      clear(grid);
      error.textContent = errorText(err);
      error.hidden = false;
    });
    return h('div', null,
      h('header', { class: 'dialog-header' }, h('h2', { id: 'safety-title' }, `Safety number with ${title}`), closeButton(close, 'safety-close')),
      grid,
      error,
      h('p', { class: 'help' },
        `To check that nobody is intercepting your messages, compare these 60 digits with the ones ${title} sees for you, ` +
        'in person or on a call you trust. If they match, your conversation is end-to-end encrypted with the right person. ' +
        'The number changes when either of you reinstalls Sambung or signs in on a new device.'),
      h('div', { class: 'actions' }, accept,
        h('button', { type: 'button', class: accept ? 'secondary' : 'primary', onclick: close, autofocus: true }, 'Done')));
  });
}

// profileDialog shows this person's identities and devices, links a second
// identity and signs out.
export function profileDialog(api, me, { onChanged, onSignOut }) {
  return modal('profile-dialog', 'profile-title', (close) => {
    const error = h('p', { class: 'error', role: 'alert', testid: 'profile-error', hidden: true });
    const show = (err) => { error.textContent = err ? errorText(err) : ''; error.hidden = !err; };
    const kinds = new Set(me.identities.map(addressKind));
    const identities = h('ul', { class: 'identities', testid: 'my-identities' },
      me.identities.map((a) => h('li', null,
        h('span', { class: `badge badge-${addressKind(a)}` }, icon(addressKind(a) === 'phone' ? 'phone' : 'at'), kindLabel(addressKind(a))),
        ' ', addressValue(a))));
    const devices = h('ul', { class: 'devices', testid: 'devices' }, h('li', { class: 'loading' }, 'Loading devices…'));
    api.devices().then((list) => {
      clear(devices).append(...list.map((d) => {
        const id = d.id ?? d.deviceId;
        const current = d.current ?? id === me.deviceId;
        return h('li', null,
          h('span', null, d.name || `Device ${id}`, current ? ' (this browser)' : ''),
          current ? null : h('button', { type: 'button', class: 'link', onclick: async () => {
            try {
              await api.removeDevice(id);
              close();
            } catch (err) { show(err); }
          } }, 'Remove'));
      }));
    }, (err) => { clear(devices); show(err); });

    let link = null;
    if (!kinds.has('account')) {
      const account = h('input', { id: 'link-account', type: 'text', autocomplete: 'username', autocapitalize: 'none', required: true });
      const password = h('input', { id: 'link-password', type: 'password', autocomplete: 'new-password', required: true });
      link = h('form', { class: 'link-form', novalidate: true, onsubmit: async (e) => {
        e.preventDefault();
        show(null);
        try {
          await api.linkAccount({ account: account.value.trim(), password: password.value });
          close();
          onChanged();
        } catch (err) { show(err); }
      } },
      h('h3', null, 'Add an account ID'),
      h('label', { for: 'link-account' }, 'Account ID'), account,
      h('label', { for: 'link-password' }, 'Password'), password,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Add account ID')));
    } else if (!kinds.has('phone')) {
      const phone = h('input', { id: 'link-phone', type: 'tel', autocomplete: 'tel', required: true });
      const code = h('input', { id: 'link-code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '6' });
      const codeRow = h('div', { hidden: true }, h('label', { for: 'link-code' }, 'Code (in development mode, in the relay log)'), code);
      link = h('form', { class: 'link-form', novalidate: true, onsubmit: async (e) => {
        e.preventDefault();
        show(null);
        try {
          if (codeRow.hidden) {
            await api.linkPhoneCode(phone.value.trim());
            codeRow.hidden = false;
            code.focus();
          } else {
            await api.linkPhone(phone.value.trim(), code.value.trim());
            close();
            onChanged();
          }
        } catch (err) { show(err); }
      } },
      h('h3', null, 'Add a phone number'),
      h('label', { for: 'link-phone' }, 'Phone number'), phone, codeRow,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Continue')));
    }

    return h('div', null,
      h('header', { class: 'dialog-header' }, h('h2', { id: 'profile-title' }, 'You'), closeButton(close, 'profile-close')),
      h('h3', null, 'Your identities'), identities,
      link,
      h('h3', null, 'Devices'), devices,
      error,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'danger', testid: 'signout', onclick: async () => {
          try {
            await api.signOut();
            close();
            onSignOut();
          } catch (err) { show(err); }
        } }, 'Sign out'),
        h('button', { type: 'button', class: 'secondary', onclick: close, autofocus: true }, 'Close')));
  });
}
