// Sambung's web app: the first embedder of sambung.js. It uses only the
// public API; the core (crypto, sync, storage) runs in a worker.

import { open } from './sambung.js';
import { h } from './app/dom.js';
import { errorText } from './app/format.js';
import { signInScreen } from './app/signin.js';
import { MainScreen } from './app/main.js';

const root = document.getElementById('app');
let api = null;
let screen = null;

function show(el) {
  if (screen && screen.destroy) screen.destroy();
  root.replaceChildren(el.el || el);
  screen = el;
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

function showFatal(err) {
  document.body.dataset.screen = 'error';
  root.replaceChildren(h('main', { class: 'fatal', testid: 'fatal', role: 'alert' },
    h('h1', null, 'Sambung could not start'),
    h('p', null, errorText(err)),
    h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, 'Try again')));
}

async function boot() {
  try {
    performance.mark('sambung-app');
    api = await open({ base: location.origin });
    performance.mark('sambung-open');
    const me = await api.me();
    if (me) showMain(me);
    else showSignIn();
    // Tests and the cold-start benchmark wait for these marks.
    document.body.dataset.ready = '1';
    performance.mark('sambung-ready');
  } catch (err) {
    showFatal(err);
  }
}

boot();
