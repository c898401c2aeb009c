import { type Kysely, sql } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import { forUpdate, lockAggregates } from '../../platform/db/dialect.js';
import type { PollBallotsTable, PollsTable, PollsTables } from './polls.tables.js';

const q = (ex: Executor) => ex as Kysely<PollsTables>;

export interface PollListFilter {
  needId?: string;
  solutionId?: string;
  state?: 'upcoming' | 'open' | 'closed';
}

export const pollsRepository = {
  async insert(ex: Executor, row: PollsTable): Promise<void> {
    await q(ex).insertInto('polls').values(row).execute();
  },

  find(ex: Executor, id: string) {
    return q(ex).selectFrom('polls').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async findForUpdate(ex: Executor, id: string) {
    await lockAggregates(ex, 'polls', [id]);
    return forUpdate(ex, q(ex).selectFrom('polls').selectAll().where('id', '=', id)).executeTakeFirst();
  },

  /** Newest first, keyset before an id; `state` is judged at `now`. */
  list(ex: Executor, filter: PollListFilter, now: string, limit: number, beforeId?: string) {
    let query = q(ex).selectFrom('polls').selectAll();
    if (filter.needId) query = query.where('need_id', '=', filter.needId);
    if (filter.solutionId) query = query.where('solution_id', '=', filter.solutionId);
    if (filter.state === 'upcoming') query = query.where('opens_at', '>', now);
    if (filter.state === 'open') query = query.where('opens_at', '<=', now).where('closes_at', '>', now);
    if (filter.state === 'closed') query = query.where('closes_at', '<=', now);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  async decide(ex: Executor, id: string, optionId: string, by: string, now: string): Promise<void> {
    await q(ex)
      .updateTable('polls')
      .set({ decided_option_id: optionId, decided_by: by, decided_at: now })
      .where('id', '=', id)
      .execute();
  },

  findBallot(ex: Executor, pollId: string, memberId: string) {
    return q(ex)
      .selectFrom('poll_ballots')
      .selectAll()
      .where('poll_id', '=', pollId)
      .where('member_id', '=', memberId)
      .executeTakeFirst();
  },

  /** The option ids a member's ballot chooses, in option order of insertion. */
  async choicesOf(ex: Executor, pollId: string, memberId: string): Promise<string[]> {
    const rows = await q(ex)
      .selectFrom('poll_choices')
      .select('option_id')
      .where('poll_id', '=', pollId)
      .where('member_id', '=', memberId)
      .execute();
    return rows.map((r) => r.option_id);
  },

  async insertBallot(ex: Executor, row: PollBallotsTable, choices: readonly string[]): Promise<void> {
    await q(ex).insertInto('poll_ballots').values(row).execute();
    await this.insertChoices(ex, row.poll_id, row.member_id, choices);
  },

  /** Replaces a ballot's choices. */
  async replaceChoices(ex: Executor, pollId: string, memberId: string, choices: readonly string[], now: string): Promise<void> {
    await q(ex).deleteFrom('poll_choices').where('poll_id', '=', pollId).where('member_id', '=', memberId).execute();
    await this.insertChoices(ex, pollId, memberId, choices);
    await q(ex)
      .updateTable('poll_ballots')
      .set({ updated_at: now })
      .where('poll_id', '=', pollId)
      .where('member_id', '=', memberId)
      .execute();
  },

  async insertChoices(ex: Executor, pollId: string, memberId: string, choices: readonly string[]): Promise<void> {
    await q(ex)
      .insertInto('poll_choices')
      .values(choices.map((option_id) => ({ poll_id: pollId, member_id: memberId, option_id })))
      .execute();
  },

  /** Deletes a ballot and its choices; false when there was none. */
  async deleteBallot(ex: Executor, pollId: string, memberId: string): Promise<boolean> {
    await q(ex).deleteFrom('poll_choices').where('poll_id', '=', pollId).where('member_id', '=', memberId).execute();
    const r = await q(ex)
      .deleteFrom('poll_ballots')
      .where('poll_id', '=', pollId)
      .where('member_id', '=', memberId)
      .returning('member_id')
      .executeTakeFirst();
    return r !== undefined;
  },

  /**
   * Ballots per option, counted from the choice rows, and the number of voters — in one statement,
   * so the two come from one snapshot and agree.
   */
  async tally(ex: Executor, pollId: string): Promise<{ counts: Map<string, number>; voters: number }> {
    const rows = await q(ex)
      .selectFrom('poll_choices')
      .select((eb) => [eb.ref('option_id').as('option_id'), eb.fn.countAll().as('n')])
      .where('poll_id', '=', pollId)
      .groupBy('option_id')
      .unionAll(
        q(ex)
          .selectFrom('poll_ballots')
          .select((eb) => [sql<string>`''`.as('option_id'), eb.fn.countAll().as('n')])
          .where('poll_id', '=', pollId),
      )
      .execute();
    const counts = new Map<string, number>();
    let voters = 0;
    for (const r of rows) {
      if (r.option_id === '') voters = Number(r.n);
      else counts.set(r.option_id, Number(r.n));
    }
    return { counts, voters };
  },

  /** Every (member, option) pair of a poll's ballots, for breakdowns. */
  allChoices(ex: Executor, pollId: string) {
    return q(ex).selectFrom('poll_choices').select(['member_id', 'option_id']).where('poll_id', '=', pollId).execute();
  },

  /** The caller's ballots among the given polls. */
  async ballotsAmong(ex: Executor, memberId: string, pollIds: readonly string[]) {
    if (pollIds.length === 0) return new Map<string, { choices: string[]; castAt: string; updatedAt: string }>();
    const ballots = await q(ex)
      .selectFrom('poll_ballots')
      .selectAll()
      .where('member_id', '=', memberId)
      .where('poll_id', 'in', pollIds)
      .execute();
    const choices = await q(ex)
      .selectFrom('poll_choices')
      .select(['poll_id', 'option_id'])
      .where('member_id', '=', memberId)
      .where('poll_id', 'in', pollIds)
      .execute();
    const out = new Map<string, { choices: string[]; castAt: string; updatedAt: string }>();
    for (const b of ballots) out.set(b.poll_id, { choices: [], castAt: b.cast_at, updatedAt: b.updated_at });
    for (const c of choices) out.get(c.poll_id)?.choices.push(c.option_id);
    return out;
  },
};
