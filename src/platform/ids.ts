import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

/**
 * Random bytes for ids, drawn from the OS's CSPRNG 4 KiB at a time. ulid's default draws one byte
 * per call (16 calls for each new millisecond), and on this project's machine those calls were 5 %
 * of a busy server's CPU (docs/benchmarks.md, flash).
 */
const pool = Buffer.alloc(4096);
let next = pool.length;
function randomByte(): number {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++]!;
}

/** ulid wants a number in [0, 1); a byte / 256 gives each of its 32 characters the same chance. */
const ulid = monotonicFactory(() => randomByte() / 256);

/**
 * A new time-ordered id with a kind prefix, e.g. `need_01JD3…`.
 * Sorting ids sorts by creation time (to the millisecond; monotonic within a process).
 */
export function newId(kind: string, at?: Date): string {
  return `${kind}_${ulid(at?.getTime())}`;
}
