import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

describe('newId', () => {
  it('is the kind, an underscore and a 26-character ULID', () => {
    expect(newId('ord')).toMatch(/^ord_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sorts by creation, also within one millisecond, and never repeats', () => {
    const at = new Date('2026-12-02T06:00:00.000Z');
    const ids = Array.from({ length: 20_000 }, () => newId('x', at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    const later = newId('x', new Date(at.getTime() + 1));
    expect(later > ids.at(-1)!).toBe(true);
  });

  it('draws every random character evenly from the 32 (across pool refills)', () => {
    const counts = new Map<string, number>();
    // A new millisecond each time, so each id's 16 random characters are fresh draws.
    const t0 = Date.parse('2030-01-01T00:00:00Z');
    for (let i = 0; i < 4_000; i++) {
      for (const ch of newId('x', new Date(t0 + i)).slice(12)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...CROCKFORD].sort());
    const expected = (4_000 * 16) / 32;
    const chiSquare = [...counts.values()].reduce((s, n) => s + (n - expected) ** 2 / expected, 0);
    // 31 degrees of freedom: above 88 happens by chance about once in 3 million runs.
    expect(chiSquare).toBeLessThan(88);
  });
});
