import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, forEachBackend, type TestDatabase } from '../../../../test/harness.js';
import { simulatedRepository as repo } from './simulated.repository.js';

forEachBackend((backend) => {
  describe('simulated provider: webhook claims', () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase(backend);
    });
    afterAll(() => t.drop());

    it('claims due webhooks earliest due first, skips the claimed, the delivered and the not yet due', async () => {
      const webhook = (n: number, dueAt: string) => ({
        event_id: `evt_claim_${n}`,
        payload: `{"n":${n}}`,
        due_at: dueAt,
        claimed_until: null,
        attempts: 0,
        delivered_at: null,
        last_status: null,
        last_error: null,
      });
      // Queued in this order (ids ascending), due in another.
      await repo.queueWebhooks(t.db.kysely, [
        webhook(1, '2026-12-02T10:00:03.000Z'),
        webhook(2, '2026-12-02T10:00:01.000Z'),
        webhook(3, '2026-12-02T10:00:09.000Z'),
        webhook(4, '2026-12-02T10:00:02.000Z'),
        webhook(5, '2026-12-02T10:00:01.000Z'),
      ]);
      const now = '2026-12-02T10:00:05.000Z';
      const lease = '2026-12-02T10:00:35.000Z';
      const claim = async (limit: number) =>
        (await t.db.transaction((trx) => repo.claimDue(trx, now, lease, limit))).map((w) => w.event_id).sort();

      // The two earliest due (2 and 5, due at the same instant), not the two lowest ids.
      expect(await claim(2)).toEqual(['evt_claim_2', 'evt_claim_5']);
      // Those are leased now; 3 is not due yet.
      expect(await claim(10)).toEqual(['evt_claim_1', 'evt_claim_4']);
      expect(await claim(10)).toEqual([]);

      const [first] = await t.db.transaction((trx) => repo.claimDue(trx, lease, '2026-12-02T10:01:05.000Z', 1));
      expect(first?.event_id).toBe('evt_claim_2');
      expect(first?.attempts).toBe(2);
      await t.db.transaction((trx) => repo.markDelivered(trx, [first!.id], 200, lease));
      expect(await repo.undelivered(t.db.kysely)).toBe(4);
    });
  });
});
