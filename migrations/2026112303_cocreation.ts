import { type Kysely, sql } from 'kysely';
import { dialectOf } from '../src/platform/db/dialect.js';

/** Communities, scenes, needs with supports, solutions with versions and votes, comments; search indexes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';

  await db.schema
    .createTable('communities')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('milestones', 'text', (c) => c.notNull())
    .addColumn('member_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('community_members')
    .addColumn('community_id', 'text', (c) => c.notNull().references('communities.id').onDelete('cascade'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('community_members_pk', ['community_id', 'member_id'])
    .execute();
  await db.schema.createIndex('community_members_member').on('community_members').column('member_id').execute();

  await db.schema
    .createTable('scenes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('persona', 'text', (c) => c.notNull())
    .addColumn('goal', 'text', (c) => c.notNull())
    .addColumn('pain', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('need_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('scenes_community').on('scenes').columns(['community_id', 'id']).execute();
  await db.schema.createIndex('scenes_author').on('scenes').columns(['author_id', 'id']).execute();

  await db.schema
    .createTable('needs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scene_id', 'text', (c) => c.notNull())
    .addColumn('community_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('support_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('intent_supporters', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('intent_quantity', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('milestones', 'text', (c) => c.notNull())
    .addColumn('milestone_index', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('milestone_deadline', 'text')
    .addColumn('merged_into', 'text')
    .addColumn('chosen_solution_id', 'text')
    .addColumn('review_decision', 'text')
    .addColumn('review_reason', 'text')
    .addColumn('reviewed_at', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('solution_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('comment_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_epoch', 'bigint', (c) => c.notNull())
    .addColumn('stage_changed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('needs_community_new').on('needs').columns(['community_id', 'id']).execute();
  await db.schema.createIndex('needs_scene').on('needs').columns(['scene_id', 'id']).execute();
  await db.schema.createIndex('needs_author').on('needs').columns(['author_id', 'id']).execute();
  await db.schema.createIndex('needs_top').on('needs').columns(['support_count', 'id']).execute();
  await db.schema.createIndex('needs_stage_deadline').on('needs').columns(['stage', 'milestone_deadline']).execute();

  await db.schema
    .createTable('need_supports')
    .addColumn('need_id', 'text', (c) => c.notNull())
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('intent_quantity', 'integer')
    .addColumn('intent_max_unit_price', 'bigint')
    .addColumn('intent_currency', 'text')
    .addPrimaryKeyConstraint('need_supports_pk', ['need_id', 'member_id'])
    .execute();
  await db.schema
    .createIndex('need_supports_order')
    .on('need_supports')
    .columns(['need_id', 'created_at', 'member_id'])
    .execute();
  await db.schema.createIndex('need_supports_member').on('need_supports').columns(['member_id', 'created_at']).execute();

  await db.schema
    .createTable('solutions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('need_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('organisation_id', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('vote_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('solutions_need').on('solutions').columns(['need_id', 'vote_count', 'id']).execute();
  await db.schema.createIndex('solutions_author').on('solutions').columns(['author_id', 'id']).execute();

  await db.schema
    .createTable('solution_versions')
    .addColumn('solution_id', 'text', (c) => c.notNull().references('solutions.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('solution_versions_pk', ['solution_id', 'version'])
    .execute();

  await db.schema
    .createTable('solution_votes')
    .addColumn('solution_id', 'text', (c) => c.notNull().references('solutions.id').onDelete('cascade'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('solution_votes_pk', ['solution_id', 'member_id'])
    .execute();

  await db.schema
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('need_id', 'text')
    .addColumn('solution_id', 'text')
    .addColumn('parent_id', 'text')
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('mentions', 'text', (c) => c.notNull())
    .addColumn('hidden', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('edited_at', 'text')
    .execute();
  await db.schema.createIndex('comments_need').on('comments').columns(['need_id', 'parent_id', 'id']).execute();
  await db.schema.createIndex('comments_solution').on('comments').columns(['solution_id', 'parent_id', 'id']).execute();
  await db.schema.createIndex('comments_parent').on('comments').columns(['parent_id', 'id']).execute();

  // Full-text indexes over n-gram terms (see platform/search/ngrams.ts): FTS5 on SQLite, tsvector on PostgreSQL.
  for (const table of ['scenes_search', 'needs_search']) {
    if (pg) {
      await db.schema
        .createTable(table)
        .addColumn('ref_id', 'text', (c) => c.primaryKey())
        .addColumn('terms', 'text', (c) => c.notNull())
        .addColumn('tsv', sql`tsvector`, (c) => c.generatedAlwaysAs(sql`to_tsvector('simple', terms)`).stored())
        .execute();
      await sql`CREATE INDEX ${sql.id(`${table}_tsv`)} ON ${sql.table(table)} USING gin (tsv)`.execute(db);
    } else {
      await sql`CREATE VIRTUAL TABLE ${sql.table(table)} USING fts5(ref_id UNINDEXED, terms, tokenize = 'unicode61')`.execute(db);
    }
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'needs_search',
    'scenes_search',
    'comments',
    'solution_votes',
    'solution_versions',
    'solutions',
    'need_supports',
    'needs',
    'scenes',
    'community_members',
    'communities',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
