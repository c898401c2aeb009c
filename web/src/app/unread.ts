/** The header's unread-notifications badge hears from the page that read them. */
const EVENT = 'covalue:unread';

/** Tells the header how many notifications are unread now. */
export function announceUnread(unread: number): void {
  window.dispatchEvent(new CustomEvent<number>(EVENT, { detail: unread }));
}

/** Calls `fn` whenever a page announces the unread count; returns the unsubscribe. */
export function onUnread(fn: (unread: number) => void): () => void {
  const listener = (e: Event) => fn((e as CustomEvent<number>).detail);
  window.addEventListener(EVENT, listener);
  return () => window.removeEventListener(EVENT, listener);
}
