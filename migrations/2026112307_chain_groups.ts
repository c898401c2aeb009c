import { type Kysely, sql } from 'kysely';

/**
 * Chain groups (链群): their member and organisation participants, and the versions of their
 * value-sharing agreement with each party's acceptance. Owned by the chain-groups module: no
 * foreign keys into other modules' tables (needs, members and organisations are checked by their
 * services).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chain_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('need_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('formed_by', 'text', (c) => c.notNull())
    .addColumn('agreement_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('party_revision', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('chain_groups_need').on('chain_groups').columns(['need_id', 'id']).execute();
  // One active chain group per need (partial unique indexes work alike on both backends).
  await db.schema
    .createIndex('chain_groups_one_active_per_need')
    .on('chain_groups')
    .column('need_id')
    .unique()
    .where(sql.ref('status'), '=', 'active')
    .execute();

  await db.schema
    .createTable('chain_group_members')
    .addColumn('chain_group_id', 'text', (c) => c.notNull().references('chain_groups.id').onDelete('cascade'))
    .addColumn('member_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('chain_group_members_pk', ['chain_group_id', 'member_id'])
    .execute();
  await db.schema.createIndex('chain_group_members_member').on('chain_group_members').column('member_id').execute();

  await db.schema
    .createTable('chain_group_organisations')
    .addColumn('chain_group_id', 'text', (c) => c.notNull().references('chain_groups.id').onDelete('cascade'))
    .addColumn('organisation_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('chain_group_organisations_pk', ['chain_group_id', 'organisation_id'])
    .execute();

  await db.schema
    .createTable('agreement_versions')
    .addColumn('chain_group_id', 'text', (c) => c.notNull().references('chain_groups.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('terms', 'text', (c) => c.notNull())
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agreement_versions_pk', ['chain_group_id', 'version'])
    .execute();

  // An acceptance counts while the version is current and the parties have not changed since
  // (`party_revision` of the chain group when it was given).
  await db.schema
    .createTable('agreement_acceptances')
    .addColumn('chain_group_id', 'text', (c) => c.notNull().references('chain_groups.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('party_revision', 'integer', (c) => c.notNull())
    .addColumn('party_kind', 'text', (c) => c.notNull())
    .addColumn('party_id', 'text', (c) => c.notNull())
    .addColumn('accepted_by', 'text', (c) => c.notNull())
    .addColumn('accepted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('agreement_acceptances_pk', [
      'chain_group_id',
      'version',
      'party_revision',
      'party_kind',
      'party_id',
    ])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'agreement_acceptances',
    'agreement_versions',
    'chain_group_organisations',
    'chain_group_members',
    'chain_groups',
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
