/** Names of the cookies Covalue sets. */
export const SESSION_COOKIE = 'covalue_session';
/** Readable by the web app, which echoes it in the `x-csrf-token` header on writes. */
export const CSRF_COOKIE = 'covalue_csrf';
export const CSRF_HEADER = 'x-csrf-token';
