/**
 * The server's clock as seen from this browser. Countdowns (a flash sale's start, a reservation's
 * expiry) run on the server's time, not the visitor's, which may be minutes off. Answers that carry
 * the server's time (a campaign's stock `now`, to the millisecond) set the offset; the `Date` header
 * of any answer (to the second) stands in until one does.
 */
let offset = 0;
let precise = false;

/**
 * Records the server's time `serverMs` as read by a request sent at `sentAt` and answered at
 * `receivedAt` (local epoch ms): the server read its clock about halfway through.
 */
export function syncServerClock(serverMs: number, sentAt: number, receivedAt: number, exact: boolean): void {
  if (!Number.isFinite(serverMs) || (precise && !exact)) return;
  // A slow round trip says little about when the server read its clock; keep an earlier exact sample.
  if (precise && receivedAt - sentAt > 2_000) return;
  offset = serverMs - (sentAt + receivedAt) / 2;
  if (exact) precise = true;
}

/** Now on the server's clock (epoch ms). */
export function serverNow(): number {
  return Date.now() + offset;
}
