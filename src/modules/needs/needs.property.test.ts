import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { members, newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { createTestApp, forEachBackend, type Persona, type TestApp } from '../../../test/harness.js';

const command = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('support' as const), member: fc.nat(5), need: fc.nat(2) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('unsupport' as const), member: fc.nat(5), need: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), from: fc.nat(2), into: fc.nat(2) }) },
);

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let crowd: Persona[];
  let author: Persona;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator();
    author = await t.signUp('author');
    crowd = await members(t, 6, 'prop');
  });
  afterAll(() => t.close());

  it('keeps every need’s count equal to its distinct supporters under any interleaving of support, unsupport and merge', async () => {
    const community = await newCommunity(op, { milestones: [{ goal: 1000, days: 365 }] });
    const scene = await newScene(author, community.id);
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        // Three needs, two by the same author; the third by a crowd member, so merges cross authors.
        const needs = [
          (await newNeed(author, scene.id)).id,
          (await newNeed(author, scene.id)).id,
          (await newNeed(crowd[5]!, scene.id)).id,
        ];
        // Batches of commands run concurrently, as real members would.
        for (let i = 0; i < commands.length; i += 3) {
          await Promise.all(
            commands.slice(i, i + 3).map((c) => {
              if (c.kind === 'merge') return op.post(`/api/v1/needs/${needs[c.from]}/merge`, { intoNeedId: needs[c.into] });
              const who = crowd[c.member]!;
              const url = `/api/v1/needs/${needs[c.need]}/support`;
              return c.kind === 'support'
                ? who.put(url, { intent: { quantity: 1 + c.member, maxUnitPrice: { amount: 5000, currency: 'CNY' } } })
                : who.delete(url);
            }),
          );
        }
        for (const id of needs) {
          const need = (await t.visitor.get(`/api/v1/needs/${id}`)).json();
          const rows = await t.db.kysely
            .selectFrom('need_supports')
            .select(['member_id', 'intent_quantity'])
            .where('need_id', '=', id)
            .execute();
          const distinct = new Set(rows.map((r) => r.member_id));
          expect(distinct.size).toBe(rows.length);
          expect(need.supportCount).toBe(distinct.size);
          expect(need.intent.supporters).toBe(rows.filter((r) => r.intent_quantity !== null).length);
          expect(need.intent.quantity).toBe(rows.reduce((s, r) => s + (r.intent_quantity ?? 0), 0));
          expect(distinct.has(need.author.id)).toBe(false);
        }
      }),
      { numRuns: 25 },
    );
  });
});
