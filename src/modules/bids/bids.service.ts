import { SCORE_FORMULA } from '../../contracts/bids.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { AppError, type FieldProblem } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { ChainGroupsService } from '../chain-groups/index.js';
import type { NeedsService } from '../needs/index.js';
import type { OrganisationsService } from '../organisations/index.js';
import { type CallState, bidsRepository as repo } from './bids.repository.js';
import { checkAwards, compareBids } from './bids.scoring.js';
import type { BidCallsTable, BidsTable } from './bids.tables.js';

export interface BidsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  needs: NeedsService;
  organisations: OrganisationsService;
  chainGroups: ChainGroupsService;
}

/** Need stages on which a call for production may open. */
const CALLS_ON = new Set(['accepted', 'in_development', 'launched', 'delivered']);

export interface OpenCallInput {
  needId: string;
  quantity: number;
  targetUnitPrice: { amount: number; currency: string };
  deadline: string;
  requirements: string;
}

export interface BidInput {
  unitCost: { amount: number; currency: string };
  minQuantity: number;
  maxQuantity: number;
  leadTimeDays: number;
  capacityPerWeek: number;
  sampleOffered: boolean;
  notes: string;
}

/** A call's state at `now`: open to bids until its deadline, then closed until awarded. */
export function callState(row: Pick<BidCallsTable, 'status' | 'deadline'>, nowIso: string): CallState {
  if (row.status === 'awarded') return 'awarded';
  return row.deadline <= nowIso ? 'closed' : 'open';
}

function callView(row: BidCallsTable, nowIso: string) {
  return {
    id: row.id,
    needId: row.need_id,
    quantity: row.quantity,
    targetUnitPrice: { amount: Number(row.target_unit_price), currency: row.currency },
    deadline: row.deadline,
    requirements: row.requirements,
    state: callState(row, nowIso),
    createdBy: row.created_by,
    createdAt: row.created_at,
    awardedAt: row.awarded_at,
    awardedQuantity: row.awarded_quantity,
  };
}
export type CallView = ReturnType<typeof callView>;

function bidView(row: BidsTable, organisationName: string) {
  return {
    id: row.id,
    callId: row.call_id,
    organisationId: row.organisation_id,
    organisationName,
    unitCost: { amount: Number(row.unit_cost), currency: row.currency },
    minQuantity: row.min_quantity,
    maxQuantity: row.max_quantity,
    leadTimeDays: row.lead_time_days,
    capacityPerWeek: row.capacity_per_week,
    sampleOffered: row.sample_offered === 1,
    notes: row.notes,
    status: row.status,
    awardedQuantity: row.awarded_quantity,
    submittedBy: row.submitted_by,
    submittedAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type BidView = ReturnType<typeof bidView>;

const sameBid = (row: BidsTable, input: BidInput) =>
  row.status === 'live' &&
  Number(row.unit_cost) === input.unitCost.amount &&
  row.currency === input.unitCost.currency &&
  row.min_quantity === input.minQuantity &&
  row.max_quantity === input.maxQuantity &&
  row.lead_time_days === input.leadTimeDays &&
  row.capacity_per_week === input.capacityPerWeek &&
  row.sample_offered === (input.sampleOffered ? 1 : 0) &&
  row.notes === input.notes;

const invalid = (problems: FieldProblem[]) =>
  new AppError('validation', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { errors: problems });

/** Calls for production (抢单) on accepted needs, partners' bids on them, comparison and award. */
export class BidsService {
  constructor(private readonly deps: BidsDeps) {}

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  private publish(trx: Executor, type: string, callId: string, actorId: string, payload: Record<string, unknown>) {
    return this.deps.events.publish(trx, {
      type,
      aggregateType: 'bid-call',
      aggregateId: callId,
      actorId,
      payload: { callId, ...payload },
    });
  }

  /** Locks a call's row for the transaction (the aggregate's lock, taken first), or not_found. */
  private async lockCall(trx: Executor, id: string): Promise<BidCallsTable> {
    const row = await repo.findCallForUpdate(trx, id);
    if (!row) throw AppError.notFound('Call for production');
    return row;
  }

  private async requireCall(ex: Executor, id: string): Promise<BidCallsTable> {
    const row = await repo.findCall(ex, id);
    if (!row) throw AppError.notFound('Call for production');
    return row;
  }

  private async bidViews(rows: readonly BidsTable[]): Promise<BidView[]> {
    const names = await this.deps.organisations.namesOf(
      this.deps.db.kysely,
      rows.map((r) => r.organisation_id),
    );
    return rows.map((r) => bidView(r, names.get(r.organisation_id) ?? ''));
  }

  private async requirePartner(ex: Executor, actor: Actor, organisationId: string): Promise<void> {
    if (!(await this.deps.organisations.isPartnerOf(ex, organisationId, actor.memberId))) {
      throw new AppError('forbidden', 'Only the organisation’s partners bid for it');
    }
  }

  private requireOpen(call: BidCallsTable, nowIso: string): void {
    const state = callState(call, nowIso);
    if (state !== 'open') {
      throw new AppError('conflict', `The call is ${state}: bids are taken until its deadline (${call.deadline})`, {
        extra: { state, deadline: call.deadline },
      });
    }
  }

  /**
   * An operator opens a call for production on an accepted need (or one further along): quantity
   * wanted, target unit price, a future deadline, requirements. One call per need until it is awarded.
   */
  async openCall(actor: Actor, input: OpenCallInput): Promise<CallView> {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const deadline = new Date(input.deadline).toISOString();
    if (deadline <= nowIso) throw AppError.invalid('deadline', 'must be in the future');
    const row = await this.deps.db
      .transaction(async (trx) => {
        // The need's lock serialises two operators opening calls on it at once.
        const need = await this.deps.needs.requireNeed(trx, input.needId, { lock: true });
        if (!CALLS_ON.has(need.stage)) {
          throw new AppError('conflict', `A call for production opens on an accepted need; this one is ${need.stage}`, {
            extra: { stage: need.stage },
          });
        }
        const existing = await repo.findOpenCallForNeed(trx, input.needId);
        if (existing) {
          throw new AppError('conflict', 'This need already has a call for production that is not awarded', {
            extra: { callId: existing.id },
          });
        }
        const row: BidCallsTable = {
          id: newId('call', now),
          need_id: input.needId,
          quantity: input.quantity,
          target_unit_price: input.targetUnitPrice.amount,
          currency: input.targetUnitPrice.currency,
          deadline,
          requirements: input.requirements,
          status: 'open',
          created_by: actor.memberId,
          created_at: nowIso,
          awarded_by: null,
          awarded_at: null,
          awarded_quantity: null,
        };
        await repo.insertCall(trx, row);
        await this.publish(trx, 'bid.call-opened', row.id, actor.memberId, {
          needId: row.need_id,
          quantity: row.quantity,
          targetUnitPrice: input.targetUnitPrice,
          deadline,
        });
        return row;
      })
      .catch((err) => {
        if (isUniqueViolation(err))
          throw new AppError('conflict', 'This need already has a call for production that is not awarded');
        throw err;
      });
    return callView(row, nowIso);
  }

  /** One call (without its bids), or not_found. */
  async getCall(id: string): Promise<CallView> {
    return callView(await this.requireCall(this.deps.db.kysely, id), this.nowIso());
  }

  /** Calls newest first, by need and by state (judged now). */
  async listCalls(filter: { needId?: string; state?: CallState }, limit: number, cursor?: string) {
    const nowIso = this.nowIso();
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listCalls(this.deps.db.kysely, limit + 1, nowIso, filter, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: page.items.map((r) => callView(r, nowIso)), nextCursor: page.nextCursor };
  }

  /**
   * A partner submits their organisation's bid on an open call, or replaces it (the same bid again
   * changes nothing). 403 for anyone not a partner of the organisation, 409 once the deadline passed.
   */
  async submitBid(actor: Actor, callId: string, organisationId: string, input: BidInput): Promise<BidView> {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const row = await this.deps.db.transaction(async (trx) => {
      const call = await this.lockCall(trx, callId);
      await this.requirePartner(trx, actor, organisationId);
      this.requireOpen(call, nowIso);
      const problems: FieldProblem[] = [];
      if (input.unitCost.currency !== call.currency) {
        problems.push({ path: 'unitCost.currency', message: `must be ${call.currency}, the currency of the target price` });
      }
      if (input.maxQuantity < input.minQuantity) problems.push({ path: 'maxQuantity', message: 'must be at least minQuantity' });
      if (input.minQuantity > call.quantity) {
        problems.push({ path: 'minQuantity', message: `is more than the ${call.quantity} wanted` });
      }
      if (problems.length > 0) throw invalid(problems);

      const before = await repo.findBid(trx, callId, organisationId);
      if (before && sameBid(before, input)) return before;
      const fields = {
        unit_cost: input.unitCost.amount,
        currency: input.unitCost.currency,
        min_quantity: input.minQuantity,
        max_quantity: input.maxQuantity,
        lead_time_days: input.leadTimeDays,
        capacity_per_week: input.capacityPerWeek,
        sample_offered: input.sampleOffered ? 1 : 0,
        notes: input.notes,
        status: 'live' as const,
        awarded_quantity: null,
        submitted_by: actor.memberId,
        updated_at: nowIso,
      };
      let row: BidsTable;
      if (before) {
        await repo.updateBid(trx, before.id, fields);
        row = { ...before, ...fields };
      } else {
        row = { id: newId('bid', now), call_id: callId, organisation_id: organisationId, created_at: nowIso, ...fields };
        await repo.insertBid(trx, row);
      }
      await this.publish(trx, 'bid.submitted', callId, actor.memberId, {
        bidId: row.id,
        organisationId,
        replaced: before?.status === 'live',
        unitCost: input.unitCost,
        minQuantity: input.minQuantity,
        maxQuantity: input.maxQuantity,
        leadTimeDays: input.leadTimeDays,
      });
      return row;
    });
    return (await this.bidViews([row]))[0]!;
  }

  /** A partner withdraws their organisation's bid before the deadline (idempotent); 409 after it. */
  async withdrawBid(actor: Actor, callId: string, organisationId: string): Promise<void> {
    const nowIso = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const call = await this.lockCall(trx, callId);
      await this.requirePartner(trx, actor, organisationId);
      this.requireOpen(call, nowIso);
      const bid = await repo.findBid(trx, callId, organisationId);
      if (bid?.status !== 'live') return;
      await repo.updateBid(trx, bid.id, { status: 'withdrawn', updated_at: nowIso });
      await this.publish(trx, 'bid.withdrawn', callId, actor.memberId, { bidId: bid.id, organisationId });
    });
  }

  /**
   * A call's bids: operators see all; a partner sees only the bids of their own organisations —
   * with their outcome (awarded with a quantity, or lost) once the call is awarded.
   */
  async listCallBids(actor: Actor, callId: string): Promise<BidView[]> {
    const ex = this.deps.db.kysely;
    await this.requireCall(ex, callId);
    if (actor.roles.includes('operator')) return this.bidViews(await repo.listBids(ex, callId));
    const mine = (await this.deps.organisations.listMine(actor.memberId)).map((o) => o.id);
    return this.bidViews(await repo.listBids(ex, callId, mine));
  }

  /** Operators' comparison of a call's live bids: cheapest and fastest marked, scored and ranked (see SCORE_FORMULA). */
  async compare(callId: string) {
    const ex = this.deps.db.kysely;
    const call = await this.requireCall(ex, callId);
    // Withdrawn bids are out; after the award, the awarded and lost ones stay compared.
    const decided = (await repo.listBids(ex, callId)).filter((b) => b.status !== 'withdrawn');
    const items = compareBids(await this.bidViews(decided));
    return { call: callView(call, this.nowIso()), formula: SCORE_FORMULA, items };
  }

  /**
   * An operator awards one or several live bids with quantities (each within the bid's minimum and
   * maximum, together the quantity wanted — or less with `allowUndercover`, never more). The awarded
   * organisations join the need's chain group as makers in the same transaction; the other live
   * bids are lost; the call is awarded. 409 when the need has no chain group yet.
   * @example await bids.award(operator, callId, { awards: [{ bidId: a, quantity: 1500 }, { bidId: b, quantity: 1500 }] });
   */
  async award(actor: Actor, callId: string, input: { awards: { bidId: string; quantity: number }[]; allowUndercover: boolean }) {
    const nowIso = this.nowIso();
    const chainGroupId = await this.deps.db.transaction(async (trx) => {
      const call = await this.lockCall(trx, callId);
      if (call.status === 'awarded')
        throw new AppError('conflict', 'This call is awarded already', { extra: { state: 'awarded' } });
      const live = (await repo.listBids(trx, callId)).filter((b) => b.status === 'live');
      const problems = checkAwards(
        call.quantity,
        new Map(live.map((b) => [b.id, { minQuantity: b.min_quantity, maxQuantity: b.max_quantity }])),
        input.awards,
        input.allowUndercover,
      );
      if (problems.length > 0) throw invalid(problems);
      const group = await this.deps.chainGroups.findForNeed(trx, call.need_id);
      if (!group) {
        throw new AppError('conflict', 'The need has no chain group: form one first, then award', {
          extra: { needId: call.need_id },
        });
      }
      const quantities = new Map(input.awards.map((a) => [a.bidId, a.quantity]));
      const total = input.awards.reduce((sum, a) => sum + a.quantity, 0);
      await repo.updateCall(trx, callId, {
        status: 'awarded',
        awarded_by: actor.memberId,
        awarded_at: nowIso,
        awarded_quantity: total,
      });
      for (const bid of live) {
        const quantity = quantities.get(bid.id);
        if (quantity === undefined) {
          await repo.updateBid(trx, bid.id, { status: 'lost', updated_at: nowIso });
          await this.publish(trx, 'bid.lost', callId, actor.memberId, { bidId: bid.id, organisationId: bid.organisation_id });
          continue;
        }
        await repo.updateBid(trx, bid.id, { status: 'awarded', awarded_quantity: quantity, updated_at: nowIso });
        await this.publish(trx, 'bid.awarded', callId, actor.memberId, {
          bidId: bid.id,
          organisationId: bid.organisation_id,
          quantity,
          unitCost: { amount: Number(bid.unit_cost), currency: bid.currency },
          chainGroupId: group.id,
        });
      }
      // The call's lock is held; the chain group's is taken inside, in that order.
      for (const a of input.awards) {
        const bid = live.find((b) => b.id === a.bidId)!;
        await this.deps.chainGroups.addOrganisationIn(trx, actor.memberId, group.id, bid.organisation_id, 'maker');
      }
      // The agreement's maker unit cost becomes the awarded cost per unit (weighted by quantity).
      const awarded = input.awards.map((a) => ({ quantity: a.quantity, bid: live.find((b) => b.id === a.bidId)! }));
      const units = awarded.reduce((sum, a) => sum + a.quantity, 0);
      if (units > 0) {
        const cost = Math.round(awarded.reduce((sum, a) => sum + a.quantity * Number(a.bid.unit_cost), 0) / units);
        await this.deps.chainGroups.setMakerCostIn(trx, actor.memberId, group.id, { amount: cost, currency: call.currency });
      }
      await this.publish(trx, 'bid.call-awarded', callId, actor.memberId, {
        needId: call.need_id,
        chainGroupId: group.id,
        quantity: call.quantity,
        awardedQuantity: total,
        awards: input.awards,
      });
      return group.id;
    });
    const ex = this.deps.db.kysely;
    return {
      call: callView(await this.requireCall(ex, callId), nowIso),
      chainGroupId,
      bids: await this.bidViews(await repo.listBids(ex, callId)),
    };
  }

  /**
   * A bid with its call's need, read through the caller's executor (the lots module records lots
   * against awarded bids); with `lock`, the bid's row is locked for the caller's transaction, so
   * that what is recorded against it is decided one transaction at a time. Undefined when unknown.
   */
  async findBid(
    ex: Executor,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<
    | {
        id: string;
        callId: string;
        needId: string;
        organisationId: string;
        status: BidsTable['status'];
        awardedQuantity: number | null;
      }
    | undefined
  > {
    const bid = await repo.findBidById(ex, id, options.lock);
    if (!bid) return undefined;
    const call = (await repo.findCall(ex, bid.call_id))!;
    return {
      id: bid.id,
      callId: bid.call_id,
      needId: call.need_id,
      organisationId: bid.organisation_id,
      status: bid.status,
      awardedQuantity: bid.awarded_quantity,
    };
  }

  /** The bids of every organisation the caller is a partner of, newest first, each with its call. */
  async listMyBids(actor: Actor, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    const nowIso = this.nowIso();
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const mine = (await this.deps.organisations.listMine(actor.memberId)).map((o) => o.id);
    const rows = await repo.listBidsOf(ex, mine, limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    const calls = new Map((await repo.findCalls(ex, [...new Set(page.items.map((r) => r.call_id))])).map((c) => [c.id, c]));
    const views = await this.bidViews(page.items);
    return {
      items: views.map((v) => ({ ...v, call: callView(calls.get(v.callId)!, nowIso) })),
      nextCursor: page.nextCursor,
    };
  }
}
