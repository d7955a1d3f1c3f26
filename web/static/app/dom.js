// DOM helpers for the app. Everything the app shows is built here with
// createElement and textContent: no string of markup is ever parsed, so text
// from the network can never become HTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

// FRAME_FALLBACK_MS runs a frame's work when no animation frame comes (a
// hidden tab): soon enough that the page is current when shown.
const FRAME_FALLBACK_MS = 100;

// inNextFrame returns a function that runs fn once in the next animation
// frame, however often it is called before then: one redraw for a burst of
// changes.
export function inNextFrame(fn) {
  let scheduled = false;
  const run = () => {
    if (!scheduled) return;
    scheduled = false;
    fn();
  };
  return () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(run);
    setTimeout(run, FRAME_FALLBACK_MS);
  };
}

// h builds an element. props: class, text, testid, dataset, on<event>
// (functions only), true for boolean attributes; any other key is set as an
// attribute value (attributes are never parsed as markup).
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  appendAll(el, children);
  return el;
}

function setProps(el, props) {
  if (!props) return;
  for (const [key, value] of Object.entries(props)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.setAttribute('class', value);
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'testid') el.dataset.testid = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) {
      if (typeof value !== 'function') throw new TypeError(`h: ${key} must be a function`);
      el.addEventListener(key.slice(2), value);
    } else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
}

function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// clear removes all children of el.
export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// ICONS are SVG path data drawn on a 24×24 grid, stroked with currentColor.
const ICONS = {
  tick: 'M4 12.5l5 5L20 6.5',
  ticks: 'M1.5 12.5l5 5L17.5 6.5M10 16l1.5 1.5L22.5 6.5',
  clock: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 7v5l3.5 2',
  alert: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M12 7.5v6M12 16.5v.5',
  back: 'M15 5l-7 7l7 7',
  plus: 'M12 5v14M5 12h14',
  send: 'M4 12l16-8l-6 16l-2.5-6.5z',
  shield: 'M12 3l8 3v6c0 5-3.5 8-8 9c-4.5-1-8-4-8-9V6z',
  phone: 'M7 3h10v18H7zM11 18h2',
  at: 'M16 12a4 4 0 1 1-8 0a4 4 0 1 1 8 0M16 12v1.5a2.5 2.5 0 0 0 5 0V12a9 9 0 1 0-3.5 7.1',
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20.5a2 2 0 0 0 4 0',
  user: 'M12 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8M4 21c0-4 3.5-6.5 8-6.5s8 2.5 8 6.5',
  close: 'M6 6l12 12M18 6L6 18',
  clip: 'M20 11.5l-8 8a5 5 0 0 1-7-7l8.5-8.5a3.3 3.3 0 0 1 4.7 4.7L9.7 17.2a1.7 1.7 0 0 1-2.4-2.4L15 7',
  mic: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21',
  file: 'M6 3h8l4 4v14H6zM14 3v4h4',
  download: 'M12 4v11M7 10.5l5 5l5-5M5 20h14',
  stop: 'M7 7h10v10H7z',
};

// icon returns an inline SVG icon, hidden from assistive technology: the
// control or element that holds it carries the label.
export function icon(name, cls) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'icon' + (cls ? ' ' + cls : ''));
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(path);
  return svg;
}
