import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { members } from '../../../test/factories.js';
import { createTestApp, forEachBackend, type Persona, type TestApp } from '../../../test/harness.js';

/**
 * Any sequence of casts, changes and withdrawals by a few members keeps every option's count equal
 * to the number of ballots that choose it, and the voters equal to the ballots — checked against a
 * model after every sequence, with some invalid ballots mixed in (they must change nothing).
 */

const MEMBERS = 4;
const OPTIONS = ['opt1', 'opt2', 'opt3', 'opt4'];
const MAX_CHOICES = 3;

type Command = { kind: 'cast'; member: number; choices: string[] } | { kind: 'withdraw'; member: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('cast' as const),
      member: fc.nat(MEMBERS - 1),
      // Up to 4 distinct ids (4 is over maxChoices) and now and then one that is not an option.
      choices: fc.subarray([...OPTIONS, 'opt9'], { minLength: 0, maxLength: 4 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), member: fc.nat(MEMBERS - 1) }) },
);

/** The status the service must answer, applying a valid command to the model. */
function apply(model: Map<number, string[]>, c: Command): number {
  if (c.kind === 'withdraw') {
    model.delete(c.member);
    return 204;
  }
  const valid = c.choices.length >= 1 && c.choices.length <= MAX_CHOICES && c.choices.every((x) => OPTIONS.includes(x));
  if (!valid) return 422;
  model.set(c.member, [...c.choices].sort());
  return 200;
}

forEachBackend((backend) => {
  let t: TestApp;
  let op: Persona;
  let voters: Persona[];
  let needId: string;

  beforeAll(async () => {
    t = await createTestApp(backend);
    op = await t.operator();
    voters = await members(t, MEMBERS, 'prop');
    const c = await op.post('/api/v1/communities', { slug: `prop-${backend}`, name: '属性' });
    const scene = await voters[0]!.post('/api/v1/scenes', {
      communityId: c.json().id,
      title: '开瓶的红酒一次喝不完',
      persona: '上班族',
      goal: '喝一杯',
      pain: '氧化',
    });
    const need = await voters[0]!.post('/api/v1/needs', { sceneId: scene.json().id, title: '小瓶装', body: '一次喝完' });
    needId = need.json().id;
  });
  afterAll(() => t.close());

  it('keeps per-option counts equal to the ballots’ choices under any cast/change/withdraw sequence', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        const created = await op.post('/api/v1/polls', {
          needId,
          question: '选哪些?',
          options: OPTIONS.map((o) => ({ text: o })),
          mode: 'multiple',
          maxChoices: MAX_CHOICES,
          opensAt: t.clock.now().toISOString(),
          closesAt: new Date(t.clock.now().getTime() + 86_400_000).toISOString(),
        });
        expect(created.statusCode, created.body).toBe(201);
        const pollId = created.json().id as string;
        const model = new Map<number, string[]>();
        for (const c of commands) {
          const url = `/api/v1/polls/${pollId}/ballot`;
          const who = voters[c.member]!;
          const res = c.kind === 'cast' ? await who.put(url, { choices: c.choices }) : await who.delete(url);
          expect(res.statusCode, `${JSON.stringify(c)} ${res.body}`).toBe(apply(model, c));
        }
        const body = (await op.get(`/api/v1/polls/${pollId}/results`, { query: { by: 'community' } })).json();
        const expected = Object.fromEntries(OPTIONS.map((o) => [o, [...model.values()].filter((cs) => cs.includes(o)).length]));
        const actual = Object.fromEntries(
          body.results.options.map((o: { optionId: string; count: number }) => [o.optionId, o.count]),
        );
        expect(actual).toEqual(expected);
        expect(body.results.voters).toBe(model.size);
        expect(body.results.breakdown.voters.all).toBe(model.size);
        for (let m = 0; m < MEMBERS; m++) {
          const mine = (await voters[m]!.get(`/api/v1/polls/${pollId}`)).json().myBallot;
          expect(mine?.choices ?? null).toEqual(model.get(m) ?? null);
        }
      }),
      { numRuns: 25 },
    );
  });
});
