import { type Kysely, sql } from 'kysely';

/** Members' inboxes: what happened to their orders, pledges and trial applications. Owned by the notifications module. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull())
    // e.g. `order.cancelled`, `trial.selected`: the web app words each kind in the reader's language.
    .addColumn('kind', 'text', (c) => c.notNull())
    // JSON: the ids and figures the message names (order, campaign, reason, amounts).
    .addColumn('payload', 'text', (c) => c.notNull())
    // The outbox event it came from: one notification per event and member.
    .addColumn('event_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema.createIndex('notifications_member').on('notifications').columns(['member_id', 'id']).execute();
  await db.schema
    .createIndex('notifications_event_member')
    .on('notifications')
    .columns(['event_id', 'member_id'])
    .unique()
    .execute();
  await db.schema
    .createIndex('notifications_unread')
    .on('notifications')
    .column('member_id')
    .where(sql.ref('read_at'), 'is', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notifications').execute();
}
