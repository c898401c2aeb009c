import type { Kysely } from 'kysely';

/** Polls (征集) on needs and solutions, with one ballot per member and its chosen options. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('polls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('need_id', 'text')
    .addColumn('solution_id', 'text')
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('options', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('max_choices', 'integer', (c) => c.notNull())
    .addColumn('opens_at', 'text', (c) => c.notNull())
    .addColumn('closes_at', 'text', (c) => c.notNull())
    .addColumn('results_visibility', 'text', (c) => c.notNull())
    .addColumn('decided_option_id', 'text')
    .addColumn('decided_at', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('polls_need').on('polls').columns(['need_id', 'id']).execute();
  await db.schema.createIndex('polls_solution').on('polls').columns(['solution_id', 'id']).execute();

  await db.schema
    .createTable('poll_ballots')
    .addColumn('poll_id', 'text', (c) => c.notNull().references('polls.id').onDelete('cascade'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('cast_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('poll_ballots_pk', ['poll_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('poll_choices')
    .addColumn('poll_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('option_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('poll_choices_pk', ['poll_id', 'member_id', 'option_id'])
    .addForeignKeyConstraint('poll_choices_ballot', ['poll_id', 'member_id'], 'poll_ballots', ['poll_id', 'member_id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('poll_choices_option').on('poll_choices').columns(['poll_id', 'option_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['poll_choices', 'poll_ballots', 'polls']) await db.schema.dropTable(t).execute();
}
