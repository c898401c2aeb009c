import type { CreateCampaignBody, UpdateCampaignBody } from '../../contracts/campaigns.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError, type FieldProblem } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { ChainGroupsService } from '../chain-groups/index.js';
import type { ProductsService } from '../products/index.js';
import { campaignsRepository as repo } from './campaigns.repository.js';
import {
  type CampaignMode,
  type CampaignState,
  checkTiers,
  effectiveState,
  publicStartsAt,
  type StoredTier,
  tierInForce,
} from './campaigns.rules.js';
import type { CampaignsTable } from './campaigns.tables.js';
import { ordersRepository } from './orders.repository.js';
import type { OrdersService } from './orders.service.js';
import { trialsRepository } from './trials.repository.js';

export interface CampaignsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  products: Pick<ProductsService, 'getProduct' | 'listProducts' | 'namesOf'>;
  chainGroups: Pick<ChainGroupsService, 'agreementForLaunch'>;
  orders: OrdersService;
  config: { paymentTimeoutMinutes: number };
}

const invalid = (problems: FieldProblem[]) =>
  new AppError('validation', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { errors: problems });

type Terms = Required<Omit<CreateCampaignBody, 'needId' | 'productId' | 'title' | 'description'>>;

/** The columns a campaign's terms are stored in, after checking them together (422 naming each field). */
function termColumns(t: Terms) {
  const problems: FieldProblem[] = [];
  const tiers = t.priceTiers;
  problems.push(...checkTiers(tiers, t.quantity, t.mode));
  const starts = new Date(t.startsAt).getTime();
  const ends = new Date(t.endsAt).getTime();
  if (ends <= starts) problems.push({ path: 'endsAt', message: 'must be after startsAt' });
  if (t.perMemberLimit !== null && t.perMemberLimit > t.quantity) {
    problems.push({ path: 'perMemberLimit', message: `must be at most the quantity (${t.quantity})` });
  }
  const currency = tiers[0]?.unitPrice.currency ?? 'CNY';
  if (t.mode === 'crowdfunding') {
    if (!t.goal) problems.push({ path: 'goal', message: 'a crowdfunding campaign needs a goal: { units } or { amount }' });
    else if ('units' in t.goal && t.goal.units > t.quantity) {
      problems.push({ path: 'goal.units', message: `must be at most the quantity (${t.quantity})` });
    } else if ('amount' in t.goal && t.goal.amount.currency !== currency) {
      problems.push({ path: 'goal.amount.currency', message: `must be the price tiers’ currency (${currency})` });
    }
  } else if (t.goal) {
    problems.push({ path: 'goal', message: 'only a crowdfunding campaign has a goal' });
  }
  if (t.firstClaim) {
    if (t.mode === 'trial') problems.push({ path: 'firstClaim', message: 'a trial selects its applicants instead' });
    if (t.firstClaim.reservedUnits > t.quantity) {
      problems.push({ path: 'firstClaim.reservedUnits', message: `must be at most the quantity (${t.quantity})` });
    }
    if (t.firstClaim.minutes * 60_000 >= ends - starts) {
      problems.push({ path: 'firstClaim.minutes', message: 'the supporters’ window must end before the campaign does' });
    }
  }
  if (problems.length > 0) throw invalid(problems);
  const stored: StoredTier[] = tiers.map((x) => ({ upTo: x.upTo, unitPrice: x.unitPrice.amount }));
  return {
    mode: t.mode,
    quantity: t.quantity,
    price_tiers: JSON.stringify(stored),
    tier_sold: JSON.stringify(stored.map(() => 0)),
    currency,
    per_member_limit: t.perMemberLimit,
    starts_at: new Date(t.startsAt).toISOString(),
    ends_at: new Date(t.endsAt).toISOString(),
    goal_units: t.goal && 'units' in t.goal ? t.goal.units : null,
    goal_amount: t.goal && 'amount' in t.goal ? t.goal.amount.amount : null,
    first_claim_minutes: t.firstClaim?.minutes ?? 0,
    first_claim_units: t.firstClaim?.reservedUnits ?? 0,
    first_claim_units_minutes: t.firstClaim?.reservedMinutes ?? null,
    payment_timeout_minutes: t.paymentTimeoutMinutes,
  };
}

/** The terms of a stored campaign, in the shape of a create body (to merge an update into). */
function termsOf(c: CampaignsTable): Terms {
  const tiers = JSON.parse(c.price_tiers) as StoredTier[];
  return {
    mode: c.mode as CampaignMode,
    quantity: c.quantity,
    priceTiers: tiers.map((t) => ({ upTo: t.upTo, unitPrice: { amount: t.unitPrice, currency: c.currency } })),
    perMemberLimit: c.per_member_limit,
    startsAt: c.starts_at,
    endsAt: c.ends_at,
    goal:
      c.goal_units !== null
        ? { units: c.goal_units }
        : c.goal_amount !== null
          ? { amount: { amount: Number(c.goal_amount), currency: c.currency } }
          : null,
    firstClaim:
      c.first_claim_minutes > 0 || c.first_claim_units > 0
        ? { minutes: c.first_claim_minutes, reservedUnits: c.first_claim_units, reservedMinutes: c.first_claim_units_minutes }
        : null,
    paymentTimeoutMinutes: c.payment_timeout_minutes,
  };
}

/** Whether a crowdfunding campaign's orders reach its goal. */
function goalReached(c: CampaignsTable): boolean {
  if (c.goal_units !== null) return c.sold >= c.goal_units;
  if (c.goal_amount !== null) return Number(c.sold_amount) >= Number(c.goal_amount);
  return false;
}

/** Campaigns (产消款): a product's limited run — presale, all-or-nothing crowdfunding, flash sale or free trial. */
export class CampaignsService {
  constructor(private readonly deps: CampaignsDeps) {}

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  private publish(trx: Executor, type: string, c: CampaignsTable, actorId: string | null, payload: Record<string, unknown> = {}) {
    return this.deps.events.publish(trx, {
      type,
      aggregateType: 'campaign',
      aggregateId: c.id,
      actorId,
      payload: { campaignId: c.id, productId: c.product_id, mode: c.mode, ...payload },
    });
  }

  /** The cheap part of a campaign, for pages that poll it during a sale: state, stock, tier in force. */
  stockView(c: CampaignsTable, nowIso = this.nowIso()) {
    const tiers = JSON.parse(c.price_tiers) as StoredTier[];
    const tier = tierInForce(tiers, JSON.parse(c.tier_sold), c.quantity);
    return {
      id: c.id,
      state: effectiveState(c, nowIso),
      quantity: c.quantity,
      sold: c.sold,
      remaining: c.quantity - c.sold,
      tier: tier
        ? { index: tier.index, unitPrice: { amount: tier.unitPrice, currency: c.currency }, unitsLeft: tier.unitsLeft }
        : null,
      startsAt: c.starts_at,
      endsAt: c.ends_at,
      now: nowIso,
    };
  }

  private async views(rows: readonly CampaignsTable[]) {
    const nowIso = this.nowIso();
    const names = await this.deps.products.namesOf(
      this.deps.db.kysely,
      rows.map((r) => r.product_id),
    );
    return rows.map((c) => {
      const t = termsOf(c);
      return {
        ...this.stockView(c, nowIso),
        productId: c.product_id,
        productName: names.get(c.product_id) ?? '',
        needId: c.need_id,
        chainGroupId: c.chain_group_id,
        title: c.title,
        description: c.description,
        mode: t.mode,
        priceTiers: t.priceTiers,
        perMemberLimit: c.per_member_limit,
        goal:
          c.mode === 'crowdfunding'
            ? {
                units: c.goal_units,
                amount: c.goal_amount !== null ? { amount: Number(c.goal_amount), currency: c.currency } : null,
              }
            : null,
        progress: {
          units: c.sold,
          amount: { amount: Number(c.sold_amount), currency: c.currency },
          reached: c.mode === 'crowdfunding' ? goalReached(c) : c.sold >= c.quantity,
        },
        firstClaim: t.firstClaim ? { ...t.firstClaim, publicStartsAt: publicStartsAt(c) } : null,
        paymentTimeoutMinutes: c.payment_timeout_minutes,
        agreementVersion: c.agreement_version,
        outcome: c.outcome as 'goal-met' | 'goal-missed' | null,
        createdBy: c.created_by,
        createdAt: c.created_at,
        updatedAt: c.updated_at,
        launchedAt: c.launched_at,
        endedAt: c.ended_at,
        settledAt: c.settled_at,
      };
    });
  }

  private async view(row: CampaignsTable) {
    return (await this.views([row]))[0]!;
  }

  private async require(ex: Executor, id: string): Promise<CampaignsTable> {
    const row = await repo.find(ex, id);
    if (!row) throw AppError.notFound('Campaign');
    return row;
  }

  private async lock(trx: Executor, id: string): Promise<CampaignsTable> {
    const row = await repo.findForUpdate(trx, id);
    if (!row) throw AppError.notFound('Campaign');
    return row;
  }

  /** The product a new campaign sells: the one named, or the need's only product. */
  private async productFor(input: { needId?: string; productId?: string }) {
    if (input.productId) {
      const product = await this.deps.products.getProduct(input.productId).catch((err: unknown) => {
        if (err instanceof AppError && err.kind === 'not_found') throw AppError.invalid('productId', 'no such product');
        throw err;
      });
      if (input.needId && product.needId !== input.needId) throw AppError.invalid('needId', 'is not the product’s need');
      return product;
    }
    if (!input.needId) throw AppError.invalid('productId', 'give productId or needId');
    const products = await this.deps.products.listProducts({ needId: input.needId }, 2);
    if (products.items.length === 0) throw AppError.invalid('needId', 'the need has no product yet');
    if (products.items.length > 1) throw AppError.invalid('productId', 'the need has several products: name one');
    return products.items[0]!;
  }

  /**
   * An operator drafts a campaign for a product (named, or the need's only one): mode, quantity,
   * price tiers, per-member limit, start and end, a crowdfunding goal, the supporters' first claim.
   * The terms are checked together; each problem is a 422 naming its field.
   */
  async createCampaign(actor: Actor, input: CreateCampaignBody) {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const product = await this.productFor(input);
    const tiers =
      input.priceTiers ?? (input.mode === 'trial' ? [{ upTo: null, unitPrice: { amount: 0, currency: 'CNY' } }] : undefined);
    if (!tiers) throw AppError.invalid('priceTiers', 'give at least one price tier');
    const columns = termColumns({
      mode: input.mode,
      quantity: input.quantity,
      priceTiers: tiers,
      perMemberLimit: input.perMemberLimit ?? null,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      goal: input.goal ?? null,
      firstClaim: input.firstClaim ?? null,
      paymentTimeoutMinutes: input.paymentTimeoutMinutes ?? this.deps.config.paymentTimeoutMinutes,
    });
    const row: CampaignsTable = {
      id: newId('camp', now),
      product_id: product.id,
      need_id: product.needId,
      chain_group_id: product.chainGroupId,
      title: input.title,
      description: input.description,
      state: 'draft',
      sold: 0,
      sold_amount: 0,
      first_claim_sold: 0,
      agreement_version: null,
      outcome: null,
      trial_draw: null,
      created_by: actor.memberId,
      created_at: nowIso,
      updated_at: nowIso,
      launched_at: null,
      ended_at: null,
      settled_at: null,
      ...columns,
    };
    await this.deps.db.transaction(async (trx) => {
      await repo.insert(trx, row);
      await this.publish(trx, 'campaign.created', row, actor.memberId, { title: row.title, quantity: row.quantity });
    });
    return this.view(row);
  }

  /** An operator changes a draft's title, description or terms (checked together again). */
  async updateCampaign(actor: Actor, id: string, input: UpdateCampaignBody) {
    const nowIso = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const c = await this.lock(trx, id);
      if (c.state !== 'draft') {
        throw new AppError('conflict', `Only a draft changes; this campaign is ${effectiveState(c, nowIso)}`, {
          extra: { state: effectiveState(c, nowIso) },
        });
      }
      const { title, description, ...terms } = input;
      const merged: Terms = { ...termsOf(c), ...Object.fromEntries(Object.entries(terms).filter(([, v]) => v !== undefined)) };
      const set = { ...termColumns(merged), ...(title ? { title } : {}), ...(description !== undefined ? { description } : {}) };
      await repo.update(trx, id, { ...set, updated_at: nowIso });
      await this.publish(trx, 'campaign.updated', c, actor.memberId, { fields: Object.keys(input) });
    });
    return this.getCampaign(id);
  }

  /**
   * An operator launches a draft on the value-sharing agreement its product's chain group has
   * accepted by every party (409 otherwise, naming who has not): scheduled until it starts, live
   * from then. The agreement version is kept with the campaign for the ledger. Launching a
   * launched campaign changes nothing.
   */
  async launchCampaign(actor: Actor, id: string) {
    const nowIso = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const c = await this.lock(trx, id);
      if (c.state !== 'draft') return;
      if (c.ends_at <= nowIso) {
        throw new AppError('conflict', `The campaign would end in the past (${c.ends_at}): change its end first`, {
          extra: { reason: 'ends-in-past', endsAt: c.ends_at },
        });
      }
      const agreement = await this.deps.chainGroups.agreementForLaunch(trx, c.chain_group_id);
      // Every sale is shared by the agreement's terms, stated in one currency: the campaign sells in it.
      const currency = agreement.terms.referenceUnitPrice.currency;
      if (c.currency !== currency) {
        throw new AppError('conflict', `The campaign sells in ${c.currency}, but its agreement shares sales in ${currency}`, {
          extra: { reason: 'currency-mismatch', currency: c.currency, agreementCurrency: currency },
        });
      }
      const state: CampaignState = c.starts_at <= nowIso ? 'live' : 'scheduled';
      await repo.update(trx, id, { state, agreement_version: agreement.version, launched_at: nowIso, updated_at: nowIso });
      await this.publish(trx, 'campaign.launched', c, actor.memberId, {
        state,
        agreementVersion: agreement.version,
        chainGroupId: c.chain_group_id,
        startsAt: c.starts_at,
        endsAt: c.ends_at,
      });
      if (state === 'live') await this.publish(trx, 'campaign.live', c, null, { startsAt: c.starts_at });
    });
    return this.getCampaign(id);
  }

  /** One campaign with its stock, tier in force, goal progress and first claim. */
  async getCampaign(id: string) {
    return this.view(await this.require(this.deps.db.kysely, id));
  }

  /** State, stock and the tier in force only: cheap enough to poll during a sale. Drafts for operators only. */
  async getStock(actor: Actor | null, id: string) {
    return this.stockView(await this.requireVisible(actor, id));
  }

  private async requireVisible(actor: Actor | null, id: string): Promise<CampaignsTable> {
    const c = await this.require(this.deps.db.kysely, id);
    if (c.state === 'draft' && !actor?.roles.includes('operator')) throw AppError.notFound('Campaign');
    return c;
  }

  /** Campaigns newest first, by product, state (as of now) and mode; drafts only for operators. */
  async listCampaigns(
    actor: Actor | null,
    filter: { productId?: string; state?: string; mode?: string },
    limit: number,
    cursor?: string,
  ) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    // Drafts are the operators' own work.
    const withDrafts = actor?.roles.includes('operator') ?? false;
    const rows = await repo.list(ex, { ...filter, withDrafts }, this.nowIso(), limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(page.items), nextCursor: page.nextCursor };
  }

  /** Drafts are seen by operators only. */
  async getVisibleCampaign(actor: Actor | null, id: string) {
    return this.view(await this.requireVisible(actor, id));
  }

  /**
   * Units placed and paid over time (for the operator's live chart) and the orders by state.
   */
  async sales(id: string, interval: 'second' | 'minute' | 'hour' | 'day') {
    const ex = this.deps.db.kysely;
    const c = await this.require(ex, id);
    const length = { second: 19, minute: 16, hour: 13, day: 10 }[interval];
    const pad = { second: 'Z', minute: ':00Z', hour: ':00:00Z', day: 'T00:00:00Z' }[interval];
    const series = await ordersRepository.series(ex, id, length);
    const points = new Map<
      string,
      { at: string; placedUnits: number; paidUnits: number; paidAmount: { amount: number; currency: string } }
    >();
    const point = (at: string) => {
      let p = points.get(at);
      if (!p) {
        p = {
          at: new Date(`${at}${pad}`).toISOString(),
          placedUnits: 0,
          paidUnits: 0,
          paidAmount: { amount: 0, currency: c.currency },
        };
        points.set(at, p);
      }
      return p;
    };
    for (const s of series.placed) point(s.at).placedUnits += s.units;
    for (const s of series.paid) {
      const p = point(s.at);
      p.paidUnits += s.units;
      p.paidAmount.amount += s.amount;
    }
    return {
      campaignId: id,
      interval,
      points: [...points.values()].sort((a, b) => a.at.localeCompare(b.at)),
      byState: await this.deps.orders.countByState(ex, id),
    };
  }

  /** An operator ends a live or scheduled campaign now (a crowdfunding goal is decided at once). */
  async endCampaign(actor: Actor, id: string) {
    const nowIso = this.nowIso();
    await this.deps.db.transaction(async (trx) => {
      const c = await this.lock(trx, id);
      const state = effectiveState(c, nowIso);
      if (state === 'ended' || state === 'settled') return;
      if (state === 'draft') {
        throw new AppError('conflict', 'A draft has not started: launch it, or leave it as a draft', {
          extra: { reason: 'draft-not-started' },
        });
      }
      await repo.update(trx, id, { ends_at: nowIso });
      c.ends_at = nowIso;
      await this.recordEnd(trx, c, actor.memberId);
    });
    return this.getCampaign(id);
  }

  /**
   * Records that a campaign ended: a crowdfunding campaign cancels the pledges not authorised by the
   * deadline and decides its goal on the rest (`goal-met`: the payments module captures them;
   * `goal-missed`: it voids or refunds them).
   */
  private async recordEnd(trx: Executor, c: CampaignsTable, actorId: string | null): Promise<void> {
    const nowIso = this.nowIso();
    let outcome: string | null = null;
    if (c.mode === 'crowdfunding') {
      await this.deps.orders.cancelPendingIn(trx, c, 'campaign-ended');
      outcome = goalReached(c) ? 'goal-met' : 'goal-missed';
    }
    await repo.update(trx, c.id, { state: 'ended', outcome, ended_at: nowIso, updated_at: nowIso });
    Object.assign(c, { state: 'ended', outcome, ended_at: nowIso });
    await this.publish(trx, 'campaign.ended', c, actorId, {
      outcome,
      sold: c.sold,
      soldAmount: { amount: Number(c.sold_amount), currency: c.currency },
      goal: { units: c.goal_units, amount: c.goal_amount },
    });
  }

  /** Why an ended campaign cannot settle yet (with how many orders it waits on), or null when it can. */
  private async unsettled(ex: Executor, c: CampaignsTable): Promise<{ why: string; waiting: number } | null> {
    const byState = await this.deps.orders.countByState(ex, c.id);
    const n = (...states: string[]) => states.reduce((sum, s) => sum + (byState[s]?.orders ?? 0), 0);
    if (c.mode === 'crowdfunding' && c.outcome === 'goal-missed') {
      const open = n('pending_payment', 'authorised', 'paid', 'fulfilled', 'delivered', 'completed');
      return open > 0 ? { why: `${open} pledges are still being voided or refunded`, waiting: open } : null;
    }
    const pending = n('pending_payment', 'authorised');
    return pending > 0 ? { why: `${pending} orders are still awaiting payment or capture`, waiting: pending } : null;
  }

  /**
   * Settles an ended campaign once no order waits on money any more (every payment captured, voided
   * or refunded). The worker settles presale, flash and crowdfunding campaigns on its own; an
   * operator settles a trial once its samples are given out (the applicants left are told).
   */
  async settleCampaign(actor: Actor, id: string) {
    const nowIso = this.nowIso();
    // The end is recorded (and a crowdfunding goal decided) even when settling must wait.
    const why = await this.deps.db.transaction(async (trx) => {
      const c = await this.lock(trx, id);
      const state = effectiveState(c, nowIso);
      if (state === 'settled') return null;
      if (state !== 'ended') {
        throw new AppError('conflict', `Only an ended campaign settles; this one is ${state} until ${c.ends_at}`, {
          extra: { reason: 'not-ended', state, endsAt: c.ends_at },
        });
      }
      if (c.state !== 'ended') await this.recordEnd(trx, c, actor.memberId);
      const why = await this.unsettled(trx, c);
      if (!why) await this.recordSettled(trx, c, actor.memberId);
      return why;
    });
    if (why)
      throw new AppError('conflict', `Not yet: ${why.why}`, { extra: { reason: 'waiting-on-money', waiting: why.waiting } });
    return this.getCampaign(id);
  }

  private async recordSettled(trx: Executor, c: CampaignsTable, actorId: string | null): Promise<void> {
    const nowIso = this.nowIso();
    // A settled trial gives out no more samples: the applicants still waiting are told.
    const notSelected = c.mode === 'trial' ? await trialsRepository.closeApplying(trx, c.id, nowIso) : [];
    await this.deps.events.publishMany(
      trx,
      notSelected.map((memberId) => ({
        type: 'trial.not-selected',
        aggregateType: 'campaign',
        aggregateId: c.id,
        actorId,
        payload: { campaignId: c.id, productId: c.product_id, memberId },
      })),
    );
    await repo.update(trx, c.id, { state: 'settled', settled_at: nowIso, updated_at: nowIso });
    await this.publish(trx, 'campaign.settled', c, actorId, {
      outcome: c.outcome,
      sold: c.sold,
      soldAmount: { amount: Number(c.sold_amount), currency: c.currency },
    });
  }

  /**
   * Brings recorded states up to the clock: scheduled campaigns whose start passed become live,
   * live ones whose end passed end (deciding crowdfunding goals), ended ones with nothing left
   * to wait for settle. Safe in several processes at once (each campaign under its row lock).
   */
  async advance(limit = 100): Promise<number> {
    const nowIso = this.nowIso();
    const due = await repo.due(this.deps.db.kysely, nowIso, limit);
    let changed = 0;
    for (const id of due) {
      changed += await this.deps.db.transaction(async (trx) => {
        const c = await repo.findForUpdate(trx, id);
        if (!c) return 0;
        let moved = 0;
        if (c.state === 'scheduled' && c.starts_at <= nowIso) {
          const state = c.sold >= c.quantity ? 'sold_out' : 'live';
          await repo.update(trx, id, { state, updated_at: nowIso });
          c.state = state;
          await this.publish(trx, 'campaign.live', c, null, { startsAt: c.starts_at });
          moved++;
        }
        if ((c.state === 'live' || c.state === 'sold_out') && c.ends_at <= nowIso) {
          await this.recordEnd(trx, c, null);
          moved++;
        }
        if (c.state === 'ended' && c.mode !== 'trial' && !(await this.unsettled(trx, c))) {
          await this.recordSettled(trx, c, null);
          moved++;
        }
        return moved;
      });
    }
    return changed;
  }
}
