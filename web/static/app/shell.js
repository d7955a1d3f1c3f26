// The app's shell: which screen shows (starting, sign-in, signed in, or a
// fatal error) and the "ready" mark tests and the benchmark wait for.

import { h } from './dom.js';
import { errorText } from './format.js';
import { signInScreen } from './signin.js';
import { MainScreen } from './main.js';

const root = document.getElementById('app');
let api = null;
let screen = null;

function show(next) {
  if (screen && screen.destroy) screen.destroy();
  root.replaceChildren(next.el || next);
  screen = next;
}

function showSignIn() {
  document.body.dataset.screen = 'signin';
  const s = signInScreen(api, (profile) => showMain(profile));
  show(s);
  s.focusFirst();
}

function showMain(profile) {
  document.body.dataset.screen = 'main';
  show(new MainScreen(api, profile, { onSignOut: () => showSignIn() }));
}

// showFatal replaces everything with the error and a way to try again.
export function showFatal(err) {
  document.body.dataset.screen = 'error';
  root.replaceChildren(h('main', { class: 'fatal', testid: 'fatal', role: 'alert' },
    h('h1', null, 'Sambung could not start'),
    h('p', null, errorText(err)),
    h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'Try again')));
}

// start shows the first screen once the core (a Promise of the API) is up.
export async function start(core) {
  try {
    api = await core;
    const me = await api.me();
    if (me) showMain(me);
    else showSignIn();
    // Tests and the cold-start benchmark wait for these.
    document.body.dataset.ready = '1';
    performance.mark('sambung-ready');
  } catch (err) {
    showFatal(err);
  }
}
