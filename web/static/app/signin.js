// The sign-in screen: a phone number with a one-time code, or an account ID
// with a password. Both sign up a new person or sign in an existing one.

import { h, icon } from './dom.js';
import { errorText } from './format.js';

// CODE_LENGTH is the length of the relay's one-time codes.
const CODE_LENGTH = 6;

// signInScreen builds the screen. api is the sambung.js instance; onSignedIn
// gets the Profile.
export function signInScreen(api, onSignedIn) {
  const error = h('p', { class: 'error', role: 'alert', testid: 'signin-error', hidden: true });
  const showError = (err) => {
    error.textContent = err ? errorText(err) : '';
    error.hidden = !err;
  };

  // busy disables a form while a request runs, so a double press sends once.
  const busy = async (form, fn) => {
    const controls = form.querySelectorAll('input, button');
    controls.forEach((c) => { c.disabled = true; });
    showError(null);
    try {
      return await fn();
    } catch (err) {
      showError(err);
      return undefined;
    } finally {
      controls.forEach((c) => { c.disabled = false; });
    }
  };

  // Phone: two steps on one form.
  const phoneInput = h('input', {
    id: 'phone', type: 'tel', name: 'phone', autocomplete: 'tel', required: true,
    placeholder: '+62 812 3456 7890', testid: 'phone-input', 'aria-describedby': 'phone-help',
  });
  const codeInput = h('input', {
    id: 'code', type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: String(CODE_LENGTH), required: true, testid: 'code-input',
    'aria-describedby': 'code-help',
  });
  const codeStep = h('div', { class: 'step', hidden: true },
    h('label', { for: 'code' }, 'Code'),
    codeInput,
    h('p', { id: 'code-help', class: 'help', testid: 'code-help' },
      `We sent a ${CODE_LENGTH}-digit code to your phone. In development mode the relay prints it in its log.`),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', testid: 'code-verify' }, 'Verify'),
      h('button', { type: 'button', class: 'link', testid: 'code-again', onclick: () => {
        codeStep.hidden = true;
        sendButton.hidden = false;
        phoneInput.readOnly = false;
        phoneInput.focus();
      } }, 'Use another number')));
  const sendButton = h('button', { type: 'submit', class: 'primary', testid: 'phone-send-code' }, 'Send code');
  let sentTo = '';
  const phoneForm = h('form', { class: 'panel', id: 'panel-phone', role: 'tabpanel', 'aria-labelledby': 'tab-phone', novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    busy(phoneForm, async () => {
      if (codeStep.hidden) {
        const phone = phoneInput.value.trim();
        if (!phone) throw { code: 'bad_phone' };
        await api.requestPhoneCode(phone);
        sentTo = phone;
        phoneInput.readOnly = true;
        sendButton.hidden = true;
        codeStep.hidden = false;
        codeInput.value = '';
        queueMicrotask(() => codeInput.focus());
      } else {
        const code = codeInput.value.replace(/\D/g, '');
        if (code.length !== CODE_LENGTH) throw { code: 'bad_code' };
        onSignedIn(await api.verifyPhone(sentTo, code));
      }
    });
  } },
  h('label', { for: 'phone' }, 'Phone number'),
  phoneInput,
  h('p', { id: 'phone-help', class: 'help' }, 'In international form, with the country code. New numbers get a new Sambung account.'),
  h('div', { class: 'actions' }, sendButton),
  codeStep);

  // Account: one form, two buttons.
  const accountInput = h('input', {
    id: 'account', type: 'text', name: 'username', autocomplete: 'username', required: true,
    autocapitalize: 'none', spellcheck: 'false', testid: 'account-input', 'aria-describedby': 'account-help',
  });
  const passwordInput = h('input', {
    id: 'password', type: 'password', name: 'password', autocomplete: 'current-password', required: true,
    testid: 'password-input',
  });
  const accountForm = h('form', { class: 'panel', id: 'panel-account', role: 'tabpanel', 'aria-labelledby': 'tab-account', hidden: true, novalidate: true, onsubmit: (e) => {
    e.preventDefault();
    // Enter in a field submits with the first button, Sign in.
    const action = (e.submitter && e.submitter.dataset.action) || 'signin';
    busy(accountForm, async () => {
      const creds = { account: accountInput.value.trim(), password: passwordInput.value };
      if (!creds.account) throw { code: 'bad_account_id' };
      const profile = action === 'signup' ? await api.signUp(creds) : await api.signIn(creds);
      onSignedIn(profile);
    });
  } },
  h('label', { for: 'account' }, 'Account ID'),
  accountInput,
  h('p', { id: 'account-help', class: 'help' }, '3 to 32 letters, digits, dots, dashes or underscores.'),
  h('label', { for: 'password' }, 'Password'),
  passwordInput,
  h('div', { class: 'actions' },
    h('button', { type: 'submit', class: 'primary', testid: 'account-signin', dataset: { action: 'signin' } }, 'Sign in'),
    h('button', { type: 'submit', class: 'secondary', testid: 'account-signup', dataset: { action: 'signup' } }, 'Create account')));

  // Tabs between the two kinds (WAI-ARIA tabs pattern: arrows move between tabs).
  const tabs = [
    h('button', { type: 'button', role: 'tab', id: 'tab-phone', 'aria-controls': 'panel-phone', 'aria-selected': 'true', testid: 'tab-phone' }, icon('phone'), 'Phone number'),
    h('button', { type: 'button', role: 'tab', id: 'tab-account', 'aria-controls': 'panel-account', 'aria-selected': 'false', tabindex: '-1', testid: 'tab-account' }, icon('at'), 'Account ID'),
  ];
  const panels = [phoneForm, accountForm];
  const select = (i, focus) => {
    tabs.forEach((t, j) => {
      t.setAttribute('aria-selected', String(i === j));
      t.tabIndex = i === j ? 0 : -1;
      panels[j].hidden = i !== j;
    });
    showError(null);
    if (focus) tabs[i].focus();
  };
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => select(i, false));
    t.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
        e.preventDefault();
        select((i + 1) % tabs.length, true);
      }
    });
  });

  const screen = h('main', { class: 'signin', testid: 'signin' },
    h('div', { class: 'card' },
      h('h1', null, h('span', { class: 'logo', 'aria-hidden': 'true' }), 'Sambung'),
      h('p', { class: 'lead' }, 'End-to-end encrypted messages. Sign up or sign in with a phone number or an account ID.'),
      h('div', { role: 'tablist', 'aria-label': 'How to sign in', class: 'tabs' }, tabs),
      phoneForm,
      accountForm,
      error));
  screen.focusFirst = () => phoneInput.focus();
  return screen;
}
