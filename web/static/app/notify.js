// Desktop notifications while the tab is hidden, and the unread count in the
// page title.

const APP_NAME = 'Sambung';

// setUnreadTitle shows the total unread count in the title: "(3) Sambung".
export function setUnreadTitle(unread) {
  const title = unread > 0 ? `(${unread}) ${APP_NAME}` : APP_NAME;
  if (document.title !== title) document.title = title;
}

export function notificationsSupported() {
  return typeof Notification !== 'undefined';
}

// canAskPermission tells whether the "turn on notifications" button is useful.
export function canAskPermission() {
  return notificationsSupported() && Notification.permission === 'default';
}

// askPermission must run from a user gesture: browsers ignore it otherwise.
export async function askPermission() {
  if (!notificationsSupported()) return 'denied';
  return Notification.requestPermission();
}

// notifyMessage shows a notification for an incoming message when the tab is
// hidden. One notification per conversation replaces the previous one.
export function notifyMessage(conversationId, title, text, onClick) {
  if (!notificationsSupported() || Notification.permission !== 'granted') return;
  if (document.visibilityState === 'visible') return;
  try {
    const n = new Notification(title, { body: text, tag: `sambung-${conversationId}`, renotify: true });
    n.addEventListener('click', () => {
      window.focus();
      onClick();
      n.close();
    });
  } catch {
    // Some platforms allow notifications only from a service worker; the
    // title count still tells the user.
  }
}
