import { AppError } from '../errors.js';

/**
 * Cursors are opaque to clients: the sort key of the last item, base64url-encoded JSON.
 * Keyset pagination (`WHERE (key, id) < (cursor)`) never skips or repeats rows under inserts.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` with the given shape, or throws a validation error. */
export function decodeCursor<T extends readonly ('string' | 'number')[]>(
  cursor: string,
  shape: T,
): { [K in keyof T]: T[K] extends 'string' ? string : number } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === shape.length && value.every((v, i) => typeof v === shape[i])) {
      return value as never;
    }
  } catch {
    // fall through to the validation error
  }
  throw AppError.invalid('cursor', 'is not a cursor from this list');
}

/** Splits a `limit + 1` fetch into the page and the cursor of the next one. */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => readonly (string | number)[]) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}
