import { monotonicFactory } from 'ulid';

const ulid = monotonicFactory();

/**
 * A new time-ordered id with a kind prefix, e.g. `need_01JD3…`.
 * Sorting ids sorts by creation time (to the millisecond; monotonic within a process).
 */
export function newId(kind: string, at?: Date): string {
  return `${kind}_${ulid(at?.getTime())}`;
}
