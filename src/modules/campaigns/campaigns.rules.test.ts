import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  checkTiers,
  draw,
  effectiveState,
  heldForSupporters,
  publicStartsAt,
  release,
  type StoredTier,
  supportersOnly,
  tierCapacities,
  tierInForce,
} from './campaigns.rules.js';

const early: StoredTier[] = [
  { upTo: 100, unitPrice: 4_900 },
  { upTo: null, unitPrice: 5_900 },
];

describe('price tiers', () => {
  it('prices the first N units at the early price and the rest at the next', () => {
    expect(tierCapacities(early, 300)).toEqual([100, 200]);
    const first = allocate(early, [98, 0], 300, 5)!;
    expect(first.lines).toEqual([
      { tier: 0, unitPrice: 4_900, quantity: 2 },
      { tier: 1, unitPrice: 5_900, quantity: 3 },
    ]);
    expect(first.total).toBe(2 * 4_900 + 3 * 5_900);
    expect(first.tierSold).toEqual([100, 3]);
    expect(tierInForce(early, first.tierSold, 300)).toEqual({ index: 1, unitPrice: 5_900, unitsLeft: 197 });
  });

  it('sells a returned early unit at the early price again', () => {
    const after = release([100, 3], [{ tier: 0, unitPrice: 4_900, quantity: 1 }]);
    expect(after).toEqual([99, 3]);
    expect(allocate(early, after, 300, 1)!.lines).toEqual([{ tier: 0, unitPrice: 4_900, quantity: 1 }]);
  });

  it('refuses more units than are left, taking nothing', () => {
    expect(allocate(early, [100, 199], 300, 2)).toBeNull();
    expect(tierInForce(early, [100, 200], 300)).toBeNull();
  });

  it('checks tiers: one currency, increasing, reaching the quantity, free only for trials', () => {
    const t = (upTo: number | null, amount: number, currency = 'CNY') => ({ upTo, unitPrice: { amount, currency } });
    expect(checkTiers([t(100, 4900), t(null, 5900)], 300, 'flash')).toEqual([]);
    expect(checkTiers([t(100, 4900), t(80, 5900, 'USD')], 300, 'flash').map((p) => p.path)).toEqual([
      'priceTiers.1.unitPrice.currency',
      'priceTiers.1.upTo',
    ]);
    expect(checkTiers([t(null, 4900), t(300, 5900)], 300, 'presale')[0]!.path).toBe('priceTiers.0.upTo');
    expect(checkTiers([t(300, 4900), t(null, 5900)], 300, 'presale')[0]!.message).toMatch(/never sell/);
    expect(checkTiers([t(200, 4900)], 300, 'presale')[0]!.message).toMatch(/reach the quantity/);
    expect(checkTiers([t(null, 0)], 10, 'presale')[0]!.message).toMatch(/more than 0/);
    expect(checkTiers([t(null, 100)], 10, 'trial')[0]!.message).toMatch(/free/);
  });

  it('never allocates more than the capacity and keeps the totals exact over any sequence of takes and returns', () => {
    const tiers = fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 4 }).map((steps) => {
      const tops = steps.map((_, i) => steps.slice(0, i + 1).reduce((a, b) => a + b, 0));
      return steps.map((_, i) => ({ upTo: i === steps.length - 1 ? null : tops[i]!, unitPrice: 100 * (i + 1) }));
    });
    fc.assert(
      fc.property(
        tiers,
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: -10, max: 10 }), { maxLength: 40 }),
        (ts, quantity, ops) => {
          let sold = ts.map(() => 0);
          const orders: ReturnType<typeof allocate>[] = [];
          for (const op of ops) {
            if (op > 0) {
              const a = allocate(ts, sold, quantity, op);
              const left = quantity - sold.reduce((x, y) => x + y, 0);
              expect(a === null).toBe(op > left);
              if (a) {
                expect(a.lines.reduce((s, l) => s + l.quantity, 0)).toBe(op);
                expect(a.total).toBe(a.lines.reduce((s, l) => s + l.quantity * l.unitPrice, 0));
                sold = a.tierSold;
                orders.push(a);
              }
            } else if (orders.length > 0) {
              sold = release(sold, orders.shift()!.lines);
            }
            const caps = tierCapacities(ts, quantity);
            sold.forEach((s, i) => {
              expect(s).toBeGreaterThanOrEqual(0);
              expect(s).toBeLessThanOrEqual(caps[i]!);
            });
            expect(caps.reduce((x, y) => x + y, 0)).toBe(quantity);
          }
        },
      ),
    );
  });
});

describe('the clock', () => {
  const row = {
    state: 'scheduled',
    starts_at: '2026-05-01T12:00:00.000Z',
    ends_at: '2026-05-02T12:00:00.000Z',
    sold: 0,
    quantity: 10,
  };

  it('is live from the exact start and ended from the exact end, whatever was recorded', () => {
    expect(effectiveState(row, '2026-05-01T11:59:59.999Z')).toBe('scheduled');
    expect(effectiveState(row, '2026-05-01T12:00:00.000Z')).toBe('live');
    expect(effectiveState({ ...row, state: 'live' }, '2026-05-02T12:00:00.000Z')).toBe('ended');
    expect(effectiveState({ ...row, state: 'sold_out' }, '2026-05-02T11:00:00.000Z')).toBe('sold_out');
    expect(effectiveState({ ...row, sold: 10 }, '2026-05-01T12:00:00.000Z')).toBe('sold_out');
    expect(effectiveState({ ...row, state: 'draft' }, '2026-06-01T00:00:00.000Z')).toBe('draft');
  });

  it('opens the first claim to supporters, then to everyone, and holds reserved units for its time', () => {
    const fc1 = {
      starts_at: row.starts_at,
      ends_at: row.ends_at,
      first_claim_minutes: 30,
      first_claim_units: 5,
      first_claim_units_minutes: 60,
      first_claim_sold: 2,
    };
    expect(publicStartsAt(fc1)).toBe('2026-05-01T12:30:00.000Z');
    expect(supportersOnly(fc1, '2026-05-01T12:29:59.999Z')).toBe(true);
    expect(supportersOnly(fc1, '2026-05-01T12:30:00.000Z')).toBe(false);
    expect(heldForSupporters(fc1, '2026-05-01T12:45:00.000Z')).toBe(3);
    expect(heldForSupporters(fc1, '2026-05-01T13:00:00.000Z')).toBe(0);
    expect(heldForSupporters({ ...fc1, first_claim_units_minutes: null }, '2026-05-02T11:00:00.000Z')).toBe(3);
  });
});

describe('the seeded trial draw', () => {
  it('draws the same winners from the same seed and applications, in any order given, and others from another seed', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^tapp_[0-9A-Z]{8}$/), { minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1 }),
        fc.nat(),
        (ids, seed, n) => {
          const apps = ids.map((id) => ({ id }));
          const count = (n % apps.length) + 1;
          const once = draw(seed, apps, count).map((w) => w.application.id);
          const again = draw(seed, [...apps].reverse(), count).map((w) => w.application.id);
          expect(again).toEqual(once);
          expect(new Set(once).size).toBe(count);
        },
      ),
    );
    const apps = Array.from({ length: 50 }, (_, i) => ({ id: `tapp_${i}` }));
    expect(draw('seed-a', apps, 10)).not.toEqual(draw('seed-b', apps, 10));
  });

  it('gives the published ticket: SHA-256 of seed ":" application id', () => {
    // sha256("s:a") computed independently (printf 's:a' | sha256sum).
    expect(draw('s', [{ id: 'a' }], 1)[0]!.ticket).toBe('d4315d83a95dfaeb79ecc9d4f5b2d61804e88aaaacb41d855977b993286435c4');
  });
});
