import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/db/database.js';
import type { NotificationsTable, NotificationsTables } from './notifications.tables.js';

const q = (ex: Executor) => ex as Kysely<NotificationsTables>;

export const notificationsRepository = {
  /** Inserts notifications, one per (event, member); a redelivered event adds nothing. */
  async insertMany(ex: Executor, rows: readonly NotificationsTable[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) {
      await q(ex)
        .insertInto('notifications')
        .values(rows.slice(i, i + 500))
        .onConflict((oc) => oc.columns(['event_id', 'member_id']).doNothing())
        .execute();
    }
  },

  list(ex: Executor, memberId: string, unread: boolean | undefined, limit: number, beforeId?: string) {
    let query = q(ex).selectFrom('notifications').selectAll().where('member_id', '=', memberId);
    if (unread === true) query = query.where('read_at', 'is', null);
    if (unread === false) query = query.where('read_at', 'is not', null);
    if (beforeId) query = query.where('id', '<', beforeId);
    return query.orderBy('id', 'desc').limit(limit).execute();
  },

  async unread(ex: Executor, memberId: string): Promise<number> {
    const r = await q(ex)
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('member_id', '=', memberId)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  async markRead(ex: Executor, memberId: string, upToId: string | undefined, nowIso: string): Promise<void> {
    let query = q(ex)
      .updateTable('notifications')
      .set({ read_at: nowIso })
      .where('member_id', '=', memberId)
      .where('read_at', 'is', null);
    if (upToId) query = query.where('id', '<=', upToId);
    await query.execute();
  },
};
