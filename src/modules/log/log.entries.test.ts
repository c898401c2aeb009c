import { describe, expect, it } from 'vitest';
import { LOG_ENTRY_KINDS } from '../../contracts/log.js';
import type { DomainEvent } from '../../platform/events/event-bus.js';
import { entryFor, LOGGED_EVENTS } from './log.entries.js';

const ports = { solutionAuthor: async () => 'mem_author' };
const event = (type: string, payload: Record<string, unknown>, actorId = 'mem_actor'): DomainEvent => ({
  id: 1,
  type,
  aggregateType: 'x',
  aggregateId: 'x_1',
  actorId,
  payload,
  occurredAt: '2026-03-01T08:00:00.000Z',
});

describe('log entries from events', () => {
  it('writes exactly the kinds the contract lists', () => {
    const kinds = [...LOGGED_EVENTS.filter((t) => t !== 'need.intent-changed'), 'need.intent-given', 'need.intent-withdrawn'];
    expect([...kinds].sort()).toEqual([...LOG_ENTRY_KINDS].sort());
  });

  it('keeps ids and counts, and leaves out what a member paid or would pay, free text and destinations', async () => {
    const paid = await entryFor(
      event('order.paid', {
        orderId: 'ord_1',
        memberId: 'mem_b',
        productId: 'prod_1',
        quantity: 2,
        total: { amount: 9800, currency: 'CNY' },
        paymentId: 'pay_1',
      }),
      {} as never,
      ports,
    );
    expect(paid).toEqual({
      v: 1,
      kind: 'order.paid',
      at: '2026-03-01T08:00:00.000Z',
      actor: 'mem_b',
      credits: [],
      subjects: { orderId: 'ord_1', productId: 'prod_1' },
      data: { quantity: 2 },
    });
    const support = await entryFor(
      event('need.supported', {
        needId: 'need_1',
        memberId: 'mem_b',
        rank: 3,
        intent: { quantity: 2, maxUnitPrice: { amount: 7000, currency: 'CNY' } },
      }),
      {} as never,
      ports,
    );
    expect(support?.data).toEqual({ rank: 3, intent: { quantity: 2 } });
    const shipped = await entryFor(
      event('lot.shipped', {
        lotId: 'lot_1',
        lotNumber: 'A',
        productId: 'prod_1',
        organisationId: 'org_1',
        shipmentId: 'shp_1',
        quantity: 5,
        destination: '上海市某路 1 号 张三',
      }),
      {} as never,
      ports,
    );
    expect(JSON.stringify(shipped)).not.toContain('张三');
    const feedback = await entryFor(
      event('trial.feedback-given', { orderId: 'ord_2', memberId: 'mem_c', rating: 4, wouldBuy: 'yes' }),
      {} as never,
      ports,
    );
    expect(feedback?.data).toEqual({ rating: 4 });
  });

  it('credits both authors of a merge and the author of a chosen solution, never the actor twice', async () => {
    const merged = await entryFor(
      event('need.merged', { needId: 'need_2', intoNeedId: 'need_1', fromAuthorId: 'mem_z', intoAuthorId: 'mem_actor' }),
      {} as never,
      ports,
    );
    expect(merged).toMatchObject({ actor: 'mem_actor', credits: ['mem_z'] });
    const chosen = await entryFor(
      event('need.solution-chosen', { needId: 'need_1', solutionId: 'sol_1' }, 'mem_op'),
      {} as never,
      ports,
    );
    expect(chosen).toMatchObject({
      actor: 'mem_op',
      credits: ['mem_author'],
      subjects: { needId: 'need_1', solutionId: 'sol_1' },
    });
    expect(await entryFor(event('member.registered', { memberId: 'mem_q' }), {} as never, ports)).toBeNull();
  });
});
