// Test page for bridgetest's smoke test: it only exposes sambung.js and two
// helpers to the Go side, which drives everything with chromedp.
import * as sambung from './sambung.js';

window.sambung = sambung;
// seen collects every event, by name, of every Sambung this page opens.
window.seen = { message: [], receipt: [], status: [], conversations: [] };
window.watch = (s) => {
  for (const name of Object.keys(window.seen)) s.on(name, (d) => window.seen[name].push(d));
  return s;
};
// waitFor resolves with the first truthy value of fn(), polling every 20
// ms, and rejects after ms milliseconds with what it waited for.
window.waitFor = (fn, what, ms = 15000) => new Promise((resolve, reject) => {
  const end = Date.now() + ms;
  const tick = () => {
    const v = fn();
    if (v) resolve(v);
    else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
    else setTimeout(tick, 20);
  };
  tick();
});
window.ready = true;
