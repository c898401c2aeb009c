import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { members, newCommunity, newNeed, newScene } from '../../../test/factories.js';
import { createTestApp, forEachBackend, type Persona, type TestApp } from '../../../test/harness.js';

/**
 * Any interleaving of support, unsupport and merge over three needs keeps every count equal to the
 * support rows behind it. The sequential property runs each command against an in-test model of
 * NeedsService (exact statuses, exact supporters and intents); the concurrent one checks the
 * invariants that hold whatever the order.
 */

/** Members 0–4 are plain members, 5 authored need 2, 6 authored needs 0 and 1. */
const MEMBERS = 7;
const NEEDS = 3;

type Command =
  | { kind: 'support'; member: number; need: number; quantity: number | null }
  | { kind: 'unsupport'; member: number; need: number }
  | { kind: 'merge'; from: number; into: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('support' as const),
      member: fc.nat(MEMBERS - 1),
      need: fc.nat(NEEDS - 1),
      // null: a PUT without a body (keeps the intent an existing support has).
      quantity: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('unsupport' as const), member: fc.nat(MEMBERS - 1), need: fc.nat(NEEDS - 1) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), from: fc.nat(NEEDS - 1), into: fc.nat(NEEDS - 1) }) },
);

/** The statuses each command may answer with, in any order of execution. */
const allowed: Record<Command['kind'], number[]> = {
  support: [200, 409, 422],
  unsupport: [200, 409],
  merge: [200, 409, 422],
};

interface ModelNeed {
  id: string;
  authorId: string;
  /** member id → intent quantity (null: supports without purchase intent). */
  supporters: Map<string, number | null>;
  mergedInto: number | null;
}

/** NeedsService's rules, applied to the model: returns the status the request must get. */
function apply(model: ModelNeed[], memberIds: string[], c: Command): number {
  if (c.kind === 'merge') {
    if (c.from === c.into) return 422;
    const from = model[c.from]!;
    const into = model[c.into]!;
    if (from.mergedInto !== null) return 409;
    if (into.mergedInto !== null) return 422;
    for (const [member, quantity] of from.supporters) {
      if (member !== into.authorId && !into.supporters.has(member)) into.supporters.set(member, quantity);
    }
    if (from.authorId !== into.authorId && !into.supporters.has(from.authorId)) into.supporters.set(from.authorId, null);
    from.mergedInto = c.into;
    return 200;
  }
  const need = model[c.need]!;
  const member = memberIds[c.member]!;
  if (c.kind === 'support') {
    if (member === need.authorId) return 422;
    if (need.mergedInto !== null) return 409;
    if (c.quantity !== null) need.supporters.set(member, c.quantity);
    else if (!need.supporters.has(member)) need.supporters.set(member, null);
    return 200;
  }
  if (need.mergedInto !== null) return 409;
  need.supporters.delete(member);
  return 200;
}

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let people: Persona[];
  let sceneId: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator();
    people = [...(await members(t, MEMBERS - 1, 'prop')), await t.signUp('author')];
    // One goal out of reach, and a clock that never moves: every need stays open until merged.
    const community = await newCommunity(op, { milestones: [{ goal: 1000, days: 365 }] });
    sceneId = (await newScene(people[6]!, community.id)).id;
  });
  afterAll(() => t.close());

  /** Three fresh needs: two by member 6, one by member 5, so merges cross authors and share them. */
  async function raiseNeeds(): Promise<ModelNeed[]> {
    const authors = [people[6]!, people[6]!, people[5]!];
    const out: ModelNeed[] = [];
    for (const author of authors) {
      out.push({ id: (await newNeed(author, sceneId)).id, authorId: author.id, supporters: new Map(), mergedInto: null });
    }
    return out;
  }

  function send(needs: { id: string }[], c: Command): Promise<LightMyRequestResponse> {
    if (c.kind === 'merge') return op.post(`/api/v1/needs/${needs[c.from]!.id}/merge`, { intoNeedId: needs[c.into]!.id });
    const who = people[c.member]!;
    const url = `/api/v1/needs/${needs[c.need]!.id}/support`;
    if (c.kind === 'unsupport') return who.delete(url);
    return c.quantity === null
      ? who.put(url)
      : who.put(url, { intent: { quantity: c.quantity, maxUnitPrice: { amount: 5000, currency: 'CNY' } } });
  }

  async function supportRows(needId: string) {
    return t.db.kysely
      .selectFrom('need_supports')
      .select(['member_id', 'intent_quantity'])
      .where('need_id', '=', needId)
      .execute();
  }

  it('answers every command as the model says and ends with exactly the model’s supporters, intents and merges', async () => {
    const memberIds = people.map((p) => p.id);
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 30 }), async (commands) => {
        const model = await raiseNeeds();
        for (const c of commands) {
          const res = await send(model, c);
          const status = apply(model, memberIds, c);
          expect(res.statusCode, `${JSON.stringify(c)}: ${res.body}`).toBe(status);
          if (status !== 200) continue;
          if (c.kind === 'merge') {
            expect(res.json()).toMatchObject({ id: model[c.into]!.id, supportCount: model[c.into]!.supporters.size });
          } else {
            expect(res.json()).toEqual({ supported: c.kind === 'support', supportCount: model[c.need]!.supporters.size });
          }
        }
        for (const m of model) {
          const need = (await t.visitor.get(`/api/v1/needs/${m.id}`)).json();
          const quantities = [...m.supporters.values()].filter((q): q is number => q !== null);
          expect(need).toMatchObject({
            stage: m.mergedInto === null ? 'open' : 'merged',
            mergedInto: m.mergedInto === null ? null : model[m.mergedInto]!.id,
            supportCount: m.supporters.size,
            intent: { supporters: quantities.length, quantity: quantities.reduce((s, q) => s + q, 0) },
          });
          const rows = (await supportRows(m.id)).map((r) => [
            r.member_id,
            r.intent_quantity === null ? null : Number(r.intent_quantity),
          ]);
          expect(rows.sort()).toEqual([...m.supporters.entries()].sort());
          expect(m.supporters.has(m.authorId)).toBe(false);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('keeps counts equal to rows, intent totals equal to their sums and authors out, when commands run concurrently', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 30 }), async (commands) => {
        const needs = await raiseNeeds();
        // Batches of commands run concurrently, as real members would.
        for (let i = 0; i < commands.length; i += 5) {
          const batch = commands.slice(i, i + 5);
          const answers = await Promise.all(batch.map((c) => send(needs, c)));
          answers.forEach((res, k) => {
            const c = batch[k]!;
            expect(allowed[c.kind], `${JSON.stringify(c)}: ${res.statusCode} ${res.body}`).toContain(res.statusCode);
            // Whatever ran before: one's own need and a merge into itself are refused the same way.
            if (c.kind === 'support' && people[c.member]!.id === needs[c.need]!.authorId) expect(res.statusCode).toBe(422);
            if (c.kind === 'merge' && c.from === c.into) expect(res.statusCode).toBe(422);
          });
        }
        for (const m of needs) {
          const need = (await t.visitor.get(`/api/v1/needs/${m.id}`)).json();
          const rows = await supportRows(m.id);
          const quantities = rows.filter((r) => r.intent_quantity !== null).map((r) => Number(r.intent_quantity));
          expect(need.supportCount).toBe(rows.length);
          expect(need.intent).toEqual({ supporters: quantities.length, quantity: quantities.reduce((s, q) => s + q, 0) });
          expect(rows.map((r) => r.member_id)).not.toContain(m.authorId);
        }
      }),
      { numRuns: 20 },
    );
  });
});
