import type { Kysely } from 'kysely';
import type { Executor } from '../db/database.js';

interface RateLimitTables {
  rate_limits: { key: string; window_start: string; window_end: string; hits: number };
}
const q = (ex: Executor) => ex as Kysely<RateLimitTables>;

export const rateLimitRepository = {
  /** Adds `by` hits to a window and returns the new count, atomically on both backends. */
  async add(ex: Executor, key: string, windowStart: string, windowEnd: string, by: number): Promise<number> {
    const row = await q(ex)
      .insertInto('rate_limits')
      .values({ key, window_start: windowStart, window_end: windowEnd, hits: by })
      .onConflict((oc) => oc.columns(['key', 'window_start']).doUpdateSet((eb) => ({ hits: eb('rate_limits.hits', '+', by) })))
      .returning('hits')
      .executeTakeFirstOrThrow();
    return Number(row.hits);
  },

  async count(ex: Executor, key: string, windowStart: string): Promise<number> {
    const row = await q(ex)
      .selectFrom('rate_limits')
      .select('hits')
      .where('key', '=', key)
      .where('window_start', '=', windowStart)
      .executeTakeFirst();
    return row ? Number(row.hits) : 0;
  },

  /** Forgets windows that ended before `time`. */
  async deleteEndedBefore(ex: Executor, time: string): Promise<void> {
    await q(ex).deleteFrom('rate_limits').where('window_end', '<', time).execute();
  },
};
