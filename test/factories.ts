import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { NewLogEntry } from '../src/modules/log/log.entries.js';
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

let orgSlugs = 0;

/** The value-sharing terms the factories' chain groups accept: a lead, a creator and a maker. */
export const agreementTerms = {
  referenceUnitPrice: { amount: 5_900, currency: 'CNY' },
  makerUnitCost: { amount: 3_300, currency: 'CNY' },
  platformFeeBps: 1_000,
  referralCommissionBps: 500,
  pool: { mode: 'rest' },
  roleShares: { lead: 5_000, creator: 5_000 },
  contributionWeights: {
    needAuthor: 3,
    chosenSolutionAuthors: 3,
    earlySupporters: { first: 100, weight: 1 },
    pollVoters: 1,
    trialReviewers: 1,
  },
};

/**
 * A product whose chain group's agreement every party accepted, so campaigns can launch on it: an
 * accepted need (its author and a supporter), the chosen solution, a lead, the solution's author as
 * creator and a winery as maker with its partner.
 */
export async function newLaunchableProduct(
  t: TestApp,
  op: Persona,
  options: {
    accepted?: boolean;
    /** Supports more members give the need first (declare how many in `extraSupports`: the need qualifies on the last). */
    beforeAccept?: (needId: string) => Promise<void>;
    extraSupports?: number;
  } = {},
) {
  const author = await t.signUp('需求作者');
  const supporter = await t.signUp('支持者');
  const community = await newCommunity(op, { milestones: [{ goal: 1 + (options.extraSupports ?? 0), days: 30 }] });
  const need = await newNeed(author, (await newScene(author, community.id)).id);
  await options.beforeAccept?.(need.id);
  expect((await supporter.put(`/api/v1/needs/${need.id}/support`)).statusCode).toBe(200);
  expect((await op.post(`/api/v1/needs/${need.id}/review`, { decision: 'accept', reason: 'ok' })).statusCode).toBe(200);
  const solution = await supporter.post(`/api/v1/needs/${need.id}/solutions`, { title: '375ml 小瓶', body: '一次喝完' });
  expect(solution.statusCode, solution.body).toBe(201);
  expect((await op.post(`/api/v1/needs/${need.id}/choose-solution`, { solutionId: solution.json().id })).statusCode).toBe(200);
  const lead = await t.signUp('链群主');
  const maker = await t.signUp('酒庄伙伴');
  const org = await op.post('/api/v1/organisations', {
    slug: `winery-${randomBytes(4).toString('hex')}-${++orgSlugs}`,
    name: '贺兰山酒庄',
  });
  expect(org.statusCode, org.body).toBe(201);
  const wineryId = org.json().id as string;
  expect((await op.put(`/api/v1/organisations/${wineryId}/members/${maker.id}`)).statusCode).toBe(204);
  const group = await op.post('/api/v1/chain-groups', { needId: need.id, name: '小支红酒链群', leads: [lead.id] });
  expect(group.statusCode, group.body).toBe(201);
  const chainGroupId = group.json().id as string;
  expect((await op.put(`/api/v1/chain-groups/${chainGroupId}/members/${supporter.id}`, { role: 'creator' })).statusCode).toBe(
    200,
  );
  expect((await op.put(`/api/v1/chain-groups/${chainGroupId}/organisations/${wineryId}`, { role: 'maker' })).statusCode).toBe(
    200,
  );
  const proposed = await lead.post(`/api/v1/chain-groups/${chainGroupId}/agreement/versions`, agreementTerms);
  expect(proposed.statusCode, proposed.body).toBe(201);
  if (options.accepted !== false) {
    for (const who of [lead, supporter, maker]) {
      const res = await who.post(`/api/v1/chain-groups/${chainGroupId}/agreement/versions/1/accept`);
      expect(res.statusCode, res.body).toBe(200);
    }
  }
  const product = await op.post('/api/v1/products', {
    needId: need.id,
    name: '小支红酒 375ml',
    skus: [{ code: 'RW375', name: '375ml' }],
  });
  expect(product.statusCode, product.body).toBe(201);
  return { productId: product.json().id as string, needId: need.id, chainGroupId, wineryId, author, supporter, lead, maker };
}

/**
 * An awarded bid of a product's maker: the operator opens a call for production of `quantity` on the
 * product's need, the winery bids at the agreement's maker cost (so the award leaves the agreement as
 * it is) and is awarded all of it. Returns the bid's id.
 */
export async function newAwardedBid(
  t: TestApp,
  op: Persona,
  product: { needId: string; wineryId: string; maker: Persona },
  quantity = 1_000,
): Promise<string> {
  const call = await op.post('/api/v1/calls', {
    needId: product.needId,
    quantity,
    targetUnitPrice: { amount: 3_500, currency: 'CNY' },
    deadline: new Date(t.clock.now().getTime() + 7 * 86_400_000).toISOString(),
    requirements: '375ml 螺旋盖',
  });
  expect(call.statusCode, call.body).toBe(201);
  const callId = call.json().id as string;
  const bid = await product.maker.put(`/api/v1/calls/${callId}/bids/${product.wineryId}`, {
    unitCost: agreementTerms.makerUnitCost,
    minQuantity: 1,
    maxQuantity: quantity,
    leadTimeDays: 10,
    capacityPerWeek: quantity,
    sampleOffered: false,
  });
  expect(bid.statusCode, bid.body).toBe(200);
  const bidId = bid.json().id as string;
  const award = await op.post(`/api/v1/calls/${callId}/award`, { awards: [{ bidId, quantity }] });
  expect(award.statusCode, award.body).toBe(200);
  return bidId;
}

let lotNumbers = 0;

/**
 * A lot the product's maker records against an awarded bid, with its QA result recorded (passed by
 * default; `pending` records none). Returns the lot as the API shows it.
 */
export async function newLot(
  t: TestApp,
  product: { productId: string; maker: Persona },
  bidId: string,
  options: { quantity?: number; lotNumber?: string; qa?: 'passed' | 'failed' | 'pending'; by?: Persona } = {},
) {
  const by = options.by ?? product.maker;
  const res = await by.post(`/api/v1/products/${product.productId}/lots`, {
    bidId,
    lotNumber: options.lotNumber ?? `LOT-${++lotNumbers}-${randomBytes(2).toString('hex')}`,
    quantity: options.quantity ?? 100,
    producedOn: t.clock.now().toISOString().slice(0, 10),
  });
  expect(res.statusCode, res.body).toBe(201);
  const lot = res.json() as { id: string; lotNumber: string; quantity: number; unitsFulfilled: number };
  const qa = options.qa ?? 'passed';
  if (qa !== 'pending') {
    const recorded = await by.post(`/api/v1/lots/${lot.id}/qa`, { result: qa });
    expect(recorded.statusCode, recorded.body).toBe(200);
  }
  return lot;
}

/** A bid awarded to the product's maker and one lot of all its units, QA passed: orders can be fulfilled from it. */
export async function newLotToShipFrom(
  t: TestApp,
  op: Persona,
  product: { productId: string; needId: string; wineryId: string; maker: Persona },
  options: { quantity?: number; lotNumber?: string } = {},
) {
  const quantity = options.quantity ?? 1_000;
  const bidId = await newAwardedBid(t, op, product, quantity);
  return newLot(t, product, bidId, { quantity, ...(options.lotNumber ? { lotNumber: options.lotNumber } : {}) });
}

/** A campaign body: a flash sale of `quantity` units at 59.00, starting now and lasting a day. */
export function campaignBody(t: TestApp, productId: string, overrides: Record<string, unknown> = {}) {
  const now = t.clock.now().getTime();
  return {
    productId,
    title: '小支红酒 限量首发',
    mode: 'flash',
    quantity: 100,
    priceTiers: [{ upTo: null, unitPrice: { amount: 5_900, currency: 'CNY' } }],
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + 86_400_000).toISOString(),
    ...overrides,
  };
}

/** Creates and launches a campaign; returns it as the API shows it. */
export async function newLiveCampaign(t: TestApp, op: Persona, productId: string, overrides: Record<string, unknown> = {}) {
  const created = await op.post('/api/v1/campaigns', campaignBody(t, productId, overrides));
  expect(created.statusCode, created.body).toBe(201);
  const launched = await op.post(`/api/v1/campaigns/${created.json().id}/launch`);
  expect(launched.statusCode, launched.body).toBe(200);
  return launched.json() as { id: string; state: string; quantity: number; sold: number; remaining: number };
}

let keys = 0;
/** A fresh Idempotency-Key header. */
export const idem = () => ({ headers: { 'idempotency-key': `k-${Date.now()}-${++keys}-${randomBytes(4).toString('hex')}` } });

/** A contribution log entry for tests that append to the log directly: the (i+1)-th support of need_1 by mem_i. */
export function logEntry(i: number, extra: Partial<NewLogEntry> = {}): NewLogEntry {
  return {
    v: 1,
    kind: 'need.supported',
    at: '2026-03-01T08:00:00.000Z',
    actor: `mem_${i}`,
    credits: [],
    subjects: { needId: 'need_1' },
    data: { rank: i + 1 },
    ...extra,
  };
}
