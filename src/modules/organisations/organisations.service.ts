import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { uniquely } from '../../platform/db/dialect.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { AccountsService } from '../accounts/index.js';
import { organisationsRepository as repo } from './organisations.repository.js';
import type { OrganisationsTable } from './organisations.tables.js';

export interface OrganisationsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  accounts: AccountsService;
}

export type OrganisationKind = 'maker' | 'retailer' | 'service' | 'brand' | 'other';

function toView(row: OrganisationsTable) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    kind: row.kind as OrganisationKind,
    description: row.description,
    createdAt: row.created_at,
  };
}
export type OrganisationView = ReturnType<typeof toView>;

/** Partner organisations (wineries, makers, retailers) and the members who act for them. */
export class OrganisationsService {
  constructor(private readonly deps: OrganisationsDeps) {}

  /** Creates an organisation (operators only, checked by the route). */
  async createOrganisation(
    actor: Actor,
    input: { slug: string; name: string; kind: OrganisationKind; description?: string },
  ): Promise<OrganisationView> {
    const now = this.deps.clock.now();
    const row: OrganisationsTable = {
      id: newId('org', now),
      slug: input.slug,
      name: input.name,
      kind: input.kind,
      description: input.description ?? '',
      created_at: now.toISOString(),
    };
    await uniquely(
      () =>
        this.deps.db.transaction(async (trx) => {
          await repo.insert(trx, row);
          await this.deps.events.publish(trx, {
            type: 'organisation.created',
            aggregateType: 'organisation',
            aggregateId: row.id,
            actorId: actor.memberId,
            payload: { organisationId: row.id, kind: row.kind },
          });
        }),
      { path: 'slug', message: 'is taken', detail: 'This slug is taken' },
    );
    return toView(row);
  }

  /** An organisation or not_found. */
  async getOrganisation(id: string): Promise<OrganisationView> {
    const row = await repo.find(this.deps.db.kysely, id);
    if (!row) throw AppError.notFound('Organisation');
    return toView(row);
  }

  /** Names by organisation id, in one query, for modules that show who is involved. */
  async namesOf(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    const rows = await repo.listNames(ex, [...new Set(ids)]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Organisations by name, paged. */
  async listOrganisations(limit: number, cursor?: string) {
    const after = cursor ? decodeCursor(cursor, ['string', 'string'] as const) : undefined;
    const rows = await repo.list(this.deps.db.kysely, limit + 1, after);
    const page = pageOf(rows, limit, (r) => [r.name, r.id]);
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }

  /** The organisations a member acts for. */
  async listMine(memberId: string): Promise<OrganisationView[]> {
    return (await repo.listOfMember(this.deps.db.kysely, memberId)).map(toView);
  }

  /** Members acting for an organisation: visible to operators and to its own partners. */
  async listMembers(actor: Actor, organisationId: string) {
    await this.getOrganisation(organisationId);
    if (!actor.roles.includes('operator') && !(await repo.isMember(this.deps.db.kysely, organisationId, actor.memberId))) {
      throw new AppError('forbidden', 'Only operators and the organisation’s partners see its members');
    }
    const rows = await repo.listMembers(this.deps.db.kysely, organisationId);
    const names = await this.deps.accounts.displayNames(
      this.deps.db.kysely,
      rows.map((r) => r.member_id),
    );
    return rows.map((r) => ({ memberId: r.member_id, displayName: names.get(r.member_id) ?? '', addedAt: r.added_at }));
  }

  /** Adds a member as a partner of the organisation (idempotent); grants the `partner` role. */
  async addPartner(actor: Actor, organisationId: string, memberId: string): Promise<void> {
    await this.getOrganisation(organisationId);
    await this.deps.db.transaction(async (trx) => {
      await repo.lockMemberships(trx, memberId);
      await this.deps.accounts.getMember(trx, memberId);
      // Idempotent: adding a partner again changes nothing and announces nothing.
      if (!(await repo.addMember(trx, organisationId, memberId, this.deps.clock.now().toISOString()))) return;
      await this.deps.accounts.grantRole(trx, memberId, 'partner');
      await this.deps.events.publish(trx, {
        type: 'organisation.partner-added',
        aggregateType: 'organisation',
        aggregateId: organisationId,
        actorId: actor.memberId,
        payload: { organisationId, memberId },
      });
    });
  }

  /** Removes a partner (idempotent); the `partner` role goes with the last organisation. */
  async removePartner(actor: Actor, organisationId: string, memberId: string): Promise<void> {
    await this.getOrganisation(organisationId);
    await this.deps.db.transaction(async (trx) => {
      await repo.lockMemberships(trx, memberId);
      if (!(await repo.removeMember(trx, organisationId, memberId))) return;
      if ((await repo.countMemberships(trx, memberId)) === 0) await this.deps.accounts.revokeRole(trx, memberId, 'partner');
      await this.deps.events.publish(trx, {
        type: 'organisation.partner-removed',
        aggregateType: 'organisation',
        aggregateId: organisationId,
        actorId: actor.memberId,
        payload: { organisationId, memberId },
      });
    });
  }

  /** Ids of the organisations a member acts for, read through the caller's executor (inside its transaction). */
  async idsOfMember(ex: Executor, memberId: string): Promise<string[]> {
    return (await repo.listOfMember(ex, memberId)).map((o) => o.id);
  }

  /** Whether a member acts for an organisation (for other modules' rules, e.g. bids). */
  isPartnerOf(ex: Executor, organisationId: string, memberId: string): Promise<boolean> {
    return repo.isMember(ex, organisationId, memberId);
  }
}
