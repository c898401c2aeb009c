import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { CampaignsTables, TrialApplicationsTable, TrialFeedbackTable } from './campaigns.tables.js';

const q = (ex: Executor) => ex as Kysely<CampaignsTables>;

export const trialsRepository = {
  /** Inserts an application; false when the member already applied to this campaign. */
  async insertApplication(ex: Executor, row: TrialApplicationsTable): Promise<boolean> {
    const r = await q(ex)
      .insertInto('trial_applications')
      .values(row)
      .onConflict((oc) => oc.columns(['campaign_id', 'member_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return r !== undefined;
  },

  findApplication(ex: Executor, campaignId: string, memberId: string) {
    return q(ex)
      .selectFrom('trial_applications')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
  },

  /** A campaign's applications, oldest first, optionally in some states. */
  listApplications(
    ex: Executor,
    campaignId: string,
    states: readonly TrialApplicationsTable['state'][] | undefined,
    limit: number,
    afterId?: string,
  ) {
    let query = q(ex).selectFrom('trial_applications').selectAll().where('campaign_id', '=', campaignId);
    if (states) query = query.where('state', 'in', [...states]);
    if (afterId) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  },

  applicationsByIds(ex: Executor, campaignId: string, ids: readonly string[]) {
    if (ids.length === 0) return Promise.resolve([]);
    return q(ex)
      .selectFrom('trial_applications')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .where('id', 'in', [...ids])
      .execute();
  },

  async markSelected(ex: Executor, id: string, orderId: string, nowIso: string): Promise<void> {
    await q(ex)
      .updateTable('trial_applications')
      .set({ state: 'selected', order_id: orderId, decided_at: nowIso })
      .where('id', '=', id)
      .execute();
  },

  /** Marks every application still applying as not selected; returns their members. */
  async closeApplying(ex: Executor, campaignId: string, nowIso: string): Promise<string[]> {
    const rows = await q(ex)
      .updateTable('trial_applications')
      .set({ state: 'not_selected', decided_at: nowIso })
      .where('campaign_id', '=', campaignId)
      .where('state', '=', 'applied')
      .returning('member_id')
      .execute();
    return rows.map((r) => r.member_id);
  },

  async setApplicationState(ex: Executor, id: string, state: TrialApplicationsTable['state'], nowIso: string): Promise<void> {
    await q(ex).updateTable('trial_applications').set({ state, decided_at: nowIso }).where('id', '=', id).execute();
  },

  async countsByState(ex: Executor, campaignId: string): Promise<Map<string, number>> {
    const rows = await q(ex)
      .selectFrom('trial_applications')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('campaign_id', '=', campaignId)
      .groupBy('state')
      .execute();
    return new Map(rows.map((r) => [r.state, Number(r.n)]));
  },

  /** Inserts feedback; false when the order already has some. */
  async insertFeedback(ex: Executor, row: TrialFeedbackTable): Promise<boolean> {
    const r = await q(ex)
      .insertInto('trial_feedback')
      .values(row)
      .onConflict((oc) => oc.column('order_id').doNothing())
      .returning('order_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  /** Which of these orders have feedback. */
  async withFeedback(ex: Executor, orderIds: readonly string[]): Promise<Set<string>> {
    if (orderIds.length === 0) return new Set();
    const rows = await q(ex)
      .selectFrom('trial_feedback')
      .select('order_id')
      .where('order_id', 'in', [...orderIds])
      .execute();
    return new Set(rows.map((r) => r.order_id));
  },

  listFeedback(ex: Executor, campaignId: string, limit: number, afterOrderId?: string): Promise<TrialFeedbackTable[]> {
    let query = q(ex).selectFrom('trial_feedback').selectAll().where('campaign_id', '=', campaignId);
    if (afterOrderId) query = query.where('order_id', '>', afterOrderId);
    return query.orderBy('order_id').limit(limit).execute();
  },

  /** Every rating and would-buy answer of a campaign (small: one per sample). */
  allFeedback(ex: Executor, campaignId: string) {
    return q(ex).selectFrom('trial_feedback').select(['rating', 'would_buy']).where('campaign_id', '=', campaignId).execute();
  },

  /** Selected applications with when they were decided. */
  selected(ex: Executor, campaignId: string) {
    return q(ex)
      .selectFrom('trial_applications')
      .select(['member_id', 'decided_at'])
      .where('campaign_id', '=', campaignId)
      .where('state', '=', 'selected')
      .execute();
  },
};
