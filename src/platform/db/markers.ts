import type { Kysely } from 'kysely';
import type { Executor } from './database.js';

interface MarkersTables {
  markers: { key: string; created_at: string };
}

/**
 * Claims a one-time marker: true for the one caller (in any process) that set it first, false for
 * everyone after. For work that must happen once, such as loading the demo story.
 */
export async function claimOnce(ex: Executor, key: string, now: Date): Promise<boolean> {
  const row = await (ex as Kysely<MarkersTables>)
    .insertInto('markers')
    .values({ key, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}
