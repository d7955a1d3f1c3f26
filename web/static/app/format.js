// Formatting of times, addresses and errors for display.

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long' });
const dateFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
const shortDateFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });

const DAY_MS = 24 * 60 * 60 * 1000;

// dayKey names the local calendar day of a time in ms, for day separators.
export function dayKey(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

function startOfDay(ms) {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

// daysAgo counts calendar days between ms and now (0 = today).
function daysAgo(ms, now) {
  return Math.round((startOfDay(now) - startOfDay(ms)) / DAY_MS);
}

// dayLabel is the text of a day separator.
export function dayLabel(ms, now = Date.now()) {
  const n = daysAgo(ms, now);
  if (n === 0) return 'Today';
  if (n === 1) return 'Yesterday';
  if (n > 1 && n < 7) return weekdayFmt.format(ms);
  return dateFmt.format(ms);
}

// clock is the time of day of a message.
export function clock(ms) {
  return timeFmt.format(ms);
}

// listTime is the short time shown in the conversation list.
export function listTime(ms, now = Date.now()) {
  const n = daysAgo(ms, now);
  if (n === 0) return timeFmt.format(ms);
  if (n === 1) return 'Yesterday';
  if (n > 1 && n < 7) return weekdayFmt.format(ms);
  return new Date(ms).getFullYear() === new Date(now).getFullYear() ? shortDateFmt.format(ms) : dateFmt.format(ms);
}

// isoTime is the machine-readable form for datetime attributes.
export function isoTime(ms) {
  return new Date(ms).toISOString();
}

// fullTime is the complete date and time, for tooltips.
export function fullTime(ms) {
  return `${dateFmt.format(ms)} ${timeFmt.format(ms)}`;
}

// addressKind returns 'phone' or 'account' for an address string.
export function addressKind(address) {
  const i = String(address).indexOf(':');
  return i > 0 ? address.slice(0, i) : '';
}

// addressValue returns the part a person reads: '+62…' or 'alice'.
export function addressValue(address) {
  const s = String(address);
  const i = s.indexOf(':');
  return i > 0 && (s.startsWith('phone:') || s.startsWith('account:')) ? s.slice(i + 1) : s;
}

// kindLabel is the badge text of an identity kind.
export function kindLabel(kind) {
  return kind === 'phone' ? 'Phone' : kind === 'account' ? 'Account' : kind;
}

// groupSafetyNumber splits the 60-digit safety number into 12 groups of 5.
export function groupSafetyNumber(digits) {
  const clean = String(digits).replace(/\D/g, '');
  const groups = [];
  for (let i = 0; i < clean.length; i += 5) groups.push(clean.slice(i, i + 5));
  return groups;
}

// ERRORS turns the API's stable error codes into sentences for people.
const ERRORS = {
  unknown_address: 'Nobody on Sambung uses that address yet. Check it and try again.',
  unknown_person: 'That person is no longer on Sambung.',
  rate_limited: 'Too many attempts. Wait a minute, then try again.',
  code_throttled: 'A code was sent a moment ago. Wait a minute before asking for another.',
  bad_code: 'That code is not right. Check the 6 digits and try again.',
  wrong_code: 'That code is not right. Check the 6 digits and try again.',
  code_expired: 'That code has expired. Ask for a new one.',
  code_tries: 'Too many wrong codes. Ask for a new one.',
  no_code: 'Ask for a code first.',
  code_send_failed: 'The code could not be sent. Try again later.',
  bad_phone: "That is not a phone number Sambung understands. Use the international form, e.g. +62 812 3456 7890.",
  bad_account_id: 'An account ID is 3 to 32 letters, digits, dots, dashes or underscores.',
  bad_address: 'Enter a phone number or an account ID.',
  bad_password: 'Choose a longer password.',
  bad_credentials: 'That account ID and password do not match.',
  account_taken: 'That account ID is taken. Choose another, or sign in.',
  phone_taken: 'That phone number already belongs to another person.',
  already_linked: 'That identity is already linked.',
  identity_changed: 'The safety number changed. Check it and accept before sending.',
  too_many_devices: 'You are signed in on too many devices. Remove one first.',
  network: 'Cannot reach the relay. Check your connection; Sambung keeps trying.',
  unavailable: 'The relay is busy. Try again in a moment.',
  file_too_large: 'That file is too big: Sambung sends files up to 2 GB.',
  blob_too_large: 'That file is bigger than this relay accepts.',
  quota_exceeded: 'Your storage on the relay is full. Files you sent expire after 30 days.',
  blob_expired: 'This file has expired: the relay keeps files for 30 days. Ask for it again.',
  unknown_blob: 'This file is no longer on the relay. Ask for it again.',
  file_tampered: 'This file was altered or damaged on the way, so it was not opened.',
  file_incomplete: 'The download ended early. Try again.',
  cancelled: 'Cancelled.',
};

// fileSize says n bytes as people read it: 900 B, 12.3 KB, 4.5 MB.
export function fileSize(n) {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

// waitText says how long retryAfter seconds is, roughly.
function waitText(seconds) {
  if (seconds < 90) return `${Math.max(1, Math.ceil(seconds))} seconds`;
  if (seconds < 90 * 60) return `${Math.ceil(seconds / 60)} minutes`;
  return `${Math.ceil(seconds / 3600)} hours`;
}

// errorText returns a sentence for an error from the API.
export function errorText(err) {
  if (err && err.code === 'rate_limited' && typeof err.retryAfter === 'number' && err.retryAfter > 0) {
    return `Too many attempts. Try again in ${waitText(err.retryAfter)}.`;
  }
  if (err && ERRORS[err.code]) return ERRORS[err.code];
  return (err && err.message) || String(err);
}

// BIDI_CONTROLS are the bidirectional controls that embed, override or
// isolate a run of text (U+202A to U+202E, U+2066 to U+2069). In a message
// they let a sender show text in an order other than the one it was written
// in ("evil" U+202E "gpj.exe" reads as "evilexe.jpg"), so displayText drops
// them; the marks U+200E, U+200F and U+061C, which move no run, stay. Each
// message is also its own isolated paragraph (style.css: .msg-text,
// .preview), so what is left cannot reorder the page around it.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

// displayText is message text as the page shows it.
export function displayText(s) {
  return typeof s === 'string' ? s.replace(BIDI_CONTROLS, '') : s;
}

// previewText is a message as one line: its text, or for a file its kind
// and name (and caption).
export function previewText(m) {
  if (!m.file) return displayText(m.text);
  const f = m.file;
  const what = /^image\//.test(f.mime) ? '📷 Photo' : /^audio\//.test(f.mime) ? '🎤 Voice note' : `📎 ${f.name || 'File'}`;
  return m.text ? `${what}: ${displayText(m.text)}` : what;
}
