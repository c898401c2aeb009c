import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { AccountsService } from '../accounts/index.js';
import { campaignsRepository as campaigns } from './campaigns.repository.js';
import { DRAW_METHOD, draw, effectiveState } from './campaigns.rules.js';
import type { CampaignsTable, TrialApplicationsTable, TrialFeedbackTable } from './campaigns.tables.js';
import { ordersRepository } from './orders.repository.js';
import type { OrdersService } from './orders.service.js';
import { trialsRepository as repo } from './trials.repository.js';

export interface TrialsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  accounts: Pick<AccountsService, 'displayNames'>;
  orders: OrdersService;
}

/** One seeded draw as stored with the campaign: enough for anyone to redo it. */
interface StoredDraw {
  seed: string;
  count: number;
  applicationIds: string[];
  winners: { applicationId: string; memberId: string; ticket: string }[];
  drawnAt: string;
  drawnBy: string;
}

const feedbackView = (f: TrialFeedbackTable) => ({
  orderId: f.order_id,
  campaignId: f.campaign_id,
  memberId: f.member_id,
  rating: f.rating,
  wouldBuy: f.would_buy,
  liked: f.liked,
  improve: f.improve,
  createdAt: f.created_at,
});

/** Trials (试用): members apply for free samples; winners are chosen by an operator or a seeded draw and leave feedback. */
export class TrialsService {
  constructor(private readonly deps: TrialsDeps) {}

  private async views(ex: Executor, rows: readonly TrialApplicationsTable[]) {
    const names = await this.deps.accounts.displayNames(
      ex,
      rows.map((r) => r.member_id),
    );
    return rows.map((r) => ({
      id: r.id,
      campaignId: r.campaign_id,
      memberId: r.member_id,
      displayName: names.get(r.member_id) ?? '',
      motivation: r.motivation,
      usage: r.usage,
      householdSize: r.household_size,
      state: r.state,
      orderId: r.order_id,
      createdAt: r.created_at,
      decidedAt: r.decided_at,
    }));
  }

  private async trial(ex: Executor, campaignId: string, lock = false): Promise<CampaignsTable> {
    const c = lock ? await campaigns.findForUpdate(ex, campaignId) : await campaigns.find(ex, campaignId);
    if (!c || c.state === 'draft') throw AppError.notFound('Campaign');
    if (c.mode !== 'trial') throw new AppError('conflict', 'This campaign sells; it is not a trial');
    return c;
  }

  /** A member applies for a sample while the trial is live (once per trial) with a short form. */
  async apply(actor: Actor, campaignId: string, input: { motivation: string; usage: string; householdSize?: number }) {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const row = await this.deps.db.transaction(async (trx) => {
      // Under the trial's lock: an application cannot slip in while the trial settles and tells the rest.
      const c = await this.trial(trx, campaignId, true);
      const state = effectiveState(c, nowIso);
      if (state !== 'live' && state !== 'sold_out') {
        throw new AppError(
          'not_live',
          state === 'scheduled' ? `Applications open at ${c.starts_at}` : 'Applications are closed',
          {
            extra: { state, startsAt: c.starts_at, endsAt: c.ends_at },
          },
        );
      }
      const row: TrialApplicationsTable = {
        id: newId('tapp', now),
        campaign_id: campaignId,
        member_id: actor.memberId,
        motivation: input.motivation,
        usage: input.usage,
        household_size: input.householdSize ?? null,
        state: 'applied',
        order_id: null,
        created_at: nowIso,
        decided_at: null,
      };
      if (!(await repo.insertApplication(trx, row))) {
        throw new AppError('conflict', 'You have already applied for this trial', { extra: { reason: 'already-applied' } });
      }
      await this.deps.events.publish(trx, {
        type: 'trial.applied',
        aggregateType: 'campaign',
        aggregateId: campaignId,
        actorId: actor.memberId,
        payload: { campaignId, productId: c.product_id, applicationId: row.id, memberId: actor.memberId },
      });
      return row;
    });
    return (await this.views(this.deps.db.kysely, [row]))[0]!;
  }

  /** The caller's application to a trial, or not_found. */
  async myApplication(actor: Actor, campaignId: string) {
    const ex = this.deps.db.kysely;
    const row = await repo.findApplication(ex, campaignId, actor.memberId);
    if (!row) throw AppError.notFound('Application');
    return (await this.views(ex, [row]))[0]!;
  }

  /** A member withdraws an application not decided yet. */
  async withdraw(actor: Actor, campaignId: string): Promise<void> {
    const nowIso = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      await this.trial(trx, campaignId, true);
      const row = await repo.findApplication(trx, campaignId, actor.memberId);
      if (!row) throw AppError.notFound('Application');
      if (row.state === 'withdrawn') return;
      if (row.state !== 'applied') throw new AppError('conflict', `The application was already decided: ${row.state}`);
      await repo.setApplicationState(trx, row.id, 'withdrawn', nowIso);
    });
  }

  /** A trial's applications, oldest first, for operators. */
  async listApplications(campaignId: string, state: TrialApplicationsTable['state'] | undefined, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    await this.trial(ex, campaignId);
    const after = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listApplications(ex, campaignId, state ? [state] : undefined, limit + 1, after);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items), nextCursor: page.nextCursor };
  }

  /** Gives samples to these applications in a locked live or ended trial: free orders, one each. */
  private async give(trx: Executor, c: CampaignsTable, chosen: readonly TrialApplicationsTable[], actor: Actor) {
    const nowIso = this.deps.clock.now().toISOString();
    const state = effectiveState(c, nowIso);
    if (state !== 'live' && state !== 'sold_out' && state !== 'ended') {
      throw new AppError('conflict', `Samples are given out while the trial runs or after it ends; it is ${state}`, {
        extra: { state },
      });
    }
    const orders = await this.deps.orders.createTrialOrders(
      trx,
      c,
      chosen.map((a) => ({ memberId: a.member_id, applicationId: a.id })),
      actor.memberId,
    );
    for (const [i, a] of chosen.entries()) await repo.markSelected(trx, a.id, orders[i]!.id, nowIso);
    await this.deps.events.publishMany(
      trx,
      chosen.map((a, i) => ({
        type: 'trial.selected',
        aggregateType: 'campaign',
        aggregateId: c.id,
        actorId: actor.memberId,
        payload: {
          campaignId: c.id,
          productId: c.product_id,
          applicationId: a.id,
          memberId: a.member_id,
          orderId: orders[i]!.id,
        },
      })),
    );
    return orders;
  }

  /** An operator selects applicants by hand: each gets a free order (409 when fewer samples are left). */
  async select(actor: Actor, campaignId: string, applicationIds: readonly string[]) {
    await this.deps.db.transaction(async (trx) => {
      const c = await this.trial(trx, campaignId, true);
      const found = await repo.applicationsByIds(trx, campaignId, [...new Set(applicationIds)]);
      const byId = new Map(found.map((a) => [a.id, a]));
      const problems = applicationIds.flatMap((id, i) => {
        const a = byId.get(id);
        if (!a) return [{ path: `applicationIds.${i}`, message: 'no such application to this trial' }];
        if (a.state !== 'applied') return [{ path: `applicationIds.${i}`, message: `is already ${a.state}` }];
        return [];
      });
      if (problems.length > 0) {
        throw new AppError('validation', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { errors: problems });
      }
      await this.give(trx, c, [...byId.values()], actor);
    });
    return this.listApplications(campaignId, 'selected', 100);
  }

  /**
   * An operator draws winners with a seed: every application still applying gets a ticket,
   * SHA-256(seed ":" applicationId), and the smallest `count` tickets win (default: every sample
   * left). The seed, the applications and the tickets are kept and published, so anyone can redo it.
   */
  async draw(actor: Actor, campaignId: string, input: { seed: string; count?: number }) {
    const nowIso = this.deps.clock.now().toISOString();
    const record = await this.deps.db.transaction(async (trx) => {
      const c = await this.trial(trx, campaignId, true);
      const applying = await repo.listApplications(trx, campaignId, ['applied'], 1_000_000);
      const left = c.quantity - c.sold;
      const count = Math.min(input.count ?? left, applying.length);
      if (count > left) {
        throw new AppError('sold_out', `Only ${left} samples are left`, { extra: { remaining: left } });
      }
      if (count === 0)
        throw new AppError('conflict', applying.length === 0 ? 'Nobody is waiting to be drawn' : 'No samples are left');
      const winners = draw(input.seed, applying, count);
      await this.give(
        trx,
        c,
        winners.map((w) => w.application),
        actor,
      );
      const stored: StoredDraw = {
        seed: input.seed,
        count,
        applicationIds: applying.map((a) => a.id),
        winners: winners.map((w) => ({ applicationId: w.application.id, memberId: w.application.member_id, ticket: w.ticket })),
        drawnAt: nowIso,
        drawnBy: actor.memberId,
      };
      const draws = [...(c.trial_draw ? (JSON.parse(c.trial_draw) as StoredDraw[]) : []), stored];
      await campaigns.update(trx, campaignId, { trial_draw: JSON.stringify(draws), updated_at: nowIso });
      return stored;
    });
    return this.drawView(campaignId, record);
  }

  private drawView(campaignId: string, d: StoredDraw) {
    return {
      campaignId,
      seed: d.seed,
      count: d.count,
      applicants: d.applicationIds.length,
      applicationIds: d.applicationIds,
      winners: d.winners,
      drawnAt: d.drawnAt,
      method: DRAW_METHOD,
    };
  }

  /** The draws of a trial, oldest first, each with its seed, entrants and tickets. */
  async listDraws(campaignId: string) {
    const c = await this.trial(this.deps.db.kysely, campaignId);
    const draws = c.trial_draw ? (JSON.parse(c.trial_draw) as StoredDraw[]) : [];
    return { items: draws.map((d) => this.drawView(campaignId, d)) };
  }

  /**
   * A winner leaves structured feedback on the sample once it has shipped: a rating, would they buy
   * it, what they liked and what to improve. Once per sample; the order is completed with it.
   */
  async giveFeedback(
    actor: Actor,
    orderId: string,
    input: { rating: number; wouldBuy: 'yes' | 'maybe' | 'no'; liked: string; improve: string },
  ) {
    const nowIso = this.deps.clock.now().toISOString();
    const row = await this.deps.db.transaction(async (trx) => {
      const order = await ordersRepository.findForUpdate(trx, orderId);
      if (!order) throw AppError.notFound('Order');
      if (order.member_id !== actor.memberId)
        throw new AppError('forbidden', 'Only the member who received the sample gives its feedback');
      if (order.trial !== 1) throw new AppError('conflict', 'Feedback is for trial samples; review a bought product instead');
      if (!['fulfilled', 'delivered', 'completed'].includes(order.state)) {
        throw new AppError('conflict', `The sample has not shipped yet (the order is ${order.state})`, {
          extra: { state: order.state },
        });
      }
      const row: TrialFeedbackTable = {
        order_id: orderId,
        campaign_id: order.campaign_id,
        member_id: actor.memberId,
        rating: input.rating,
        would_buy: input.wouldBuy,
        liked: input.liked,
        improve: input.improve,
        created_at: nowIso,
      };
      if (!(await repo.insertFeedback(trx, row))) throw new AppError('conflict', 'Feedback on this sample was already given');
      await this.deps.orders.completeForFeedback(trx, orderId, actor.memberId);
      await this.deps.events.publish(trx, {
        type: 'trial.feedback-given',
        aggregateType: 'order',
        aggregateId: orderId,
        actorId: actor.memberId,
        payload: {
          orderId,
          campaignId: order.campaign_id,
          productId: order.product_id,
          memberId: actor.memberId,
          rating: input.rating,
          wouldBuy: input.wouldBuy,
        },
      });
      return row;
    });
    return feedbackView(row);
  }

  /** A trial's feedback, in the order given. */
  async listFeedback(campaignId: string, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    await this.trial(ex, campaignId);
    const after = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listFeedback(ex, campaignId, limit + 1, after);
    const page = pageOf(rows, limit, (r) => [r.order_id]);
    return { items: page.items.map(feedbackView), nextCursor: page.nextCursor };
  }

  /**
   * Applications, samples given, feedback (mean rating, would-buy answers) and conversion: the
   * selected members who later paid for the same product in another campaign.
   */
  async stats(campaignId: string) {
    const ex = this.deps.db.kysely;
    const c = await this.trial(ex, campaignId);
    const counts = await repo.countsByState(ex, campaignId);
    const feedback = await repo.allFeedback(ex, campaignId);
    const selected = await repo.selected(ex, campaignId);
    const converted = await ordersRepository.boughtAfter(
      ex,
      c.product_id,
      campaignId,
      selected.map((s) => ({ id: s.member_id, after: s.decided_at ?? '' })),
    );
    const wouldBuy = { yes: 0, maybe: 0, no: 0 };
    for (const f of feedback) wouldBuy[f.would_buy]++;
    const applications = [...counts.values()].reduce((a, b) => a + b, 0);
    return {
      campaignId,
      applications,
      selected: selected.length,
      feedback: feedback.length,
      averageRating: feedback.length ? feedback.reduce((a, f) => a + f.rating, 0) / feedback.length : null,
      wouldBuy,
      converted: converted.size,
      conversionRate: selected.length ? converted.size / selected.length : null,
    };
  }
}
