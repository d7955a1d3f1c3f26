// Sambung's web app: the first embedder of sambung.js. It uses only the
// public API; the core (crypto, sync, storage) runs in a worker.
//
// This module starts the core before anything else: fetching and compiling
// the wasm is the long pole of a cold start, and the UI's modules load
// meanwhile (index.html preloads them all).

import { open } from './sambung.js';

performance.mark('sambung-app');
const core = open({ base: location.origin }).then((api) => {
  performance.mark('sambung-open');
  return api;
});

import('./app/shell.js').then((shell) => shell.start(core), (err) => {
  // Without the UI's modules there is no UI to explain; say it plainly.
  const p = document.createElement('p');
  p.className = 'fatal';
  p.textContent = `Sambung could not load its page: ${err.message}`;
  document.getElementById('app').replaceChildren(p);
});
