import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Persona, TestApp } from './harness.js';

/** Factories for the co-creation core; each goes through the public API and checks it succeeded. */
export async function newCommunity(
  op: Persona,
  overrides: { milestones?: { goal: number; days: number }[]; name?: string; slug?: string } = {},
) {
  const slug = overrides.slug ?? `c-${randomBytes(4).toString('hex')}`;
  const res = await op.post('/api/v1/communities', {
    slug,
    name: overrides.name ?? `社群 ${slug}`,
    ...(overrides.milestones ? { milestones: overrides.milestones } : {}),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; slug: string; milestones: { goal: number; days: number }[] };
}

export async function newScene(member: Persona, communityId: string, overrides: Record<string, unknown> = {}) {
  const res = await member.post('/api/v1/scenes', {
    communityId,
    title: '开瓶的红酒一次喝不完',
    persona: '爱喝红酒的上班族',
    goal: '一个人的晚上喝一杯',
    pain: '开瓶后第二天就氧化了',
    ...overrides,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; communityId: string };
}

export async function newNeed(member: Persona, sceneId: string, overrides: Record<string, unknown> = {}) {
  const res = await member.post('/api/v1/needs', {
    sceneId,
    title: '小瓶装红酒',
    body: '希望有一次能喝完的小瓶装',
    ...overrides,
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; stage: string; supportCount: number; milestone: { goal: number; deadline: string } | null };
}

/** Signs up `n` members, a few at a time. */
export async function members(t: TestApp, n: number, prefix = 'm'): Promise<Persona[]> {
  const out: Persona[] = [];
  for (let i = 0; i < n; i += 20) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, (_, j) => t.signUp(`${prefix}${i + j}`)))));
  }
  return out;
}
