import { DEFAULT_MILESTONES } from '../../contracts/communities.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { uniquely } from '../../platform/db/dialect.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { communitiesRepository as repo } from './communities.repository.js';
import type { CommunitiesTable } from './communities.tables.js';

export interface Milestone {
  goal: number;
  days: number;
}

export interface CommunitiesDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
}

function toView(row: CommunitiesTable, joined?: boolean) {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    milestones: JSON.parse(row.milestones) as Milestone[],
    memberCount: row.member_count,
    createdAt: row.created_at,
    ...(joined === undefined ? {} : { joined }),
  };
}
export type CommunityView = ReturnType<typeof toView>;

/** Communities (社群): interest groups with their own support milestones. */
export class CommunitiesService {
  constructor(private readonly deps: CommunitiesDeps) {}

  /** Creates a community (operators). Milestones default to LEGO Ideas' ladder. */
  async createCommunity(
    actor: Actor,
    input: { slug: string; name: string; description?: string; milestones?: Milestone[] },
  ): Promise<CommunityView> {
    const now = this.deps.clock.now();
    const row: CommunitiesTable = {
      id: newId('com', now),
      slug: input.slug,
      name: input.name,
      description: input.description ?? '',
      milestones: JSON.stringify(input.milestones ?? DEFAULT_MILESTONES),
      member_count: 0,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await uniquely(
      () =>
        this.deps.db.transaction(async (trx) => {
          await repo.insert(trx, row);
          await this.deps.events.publish(trx, {
            type: 'community.created',
            aggregateType: 'community',
            aggregateId: row.id,
            actorId: actor.memberId,
            payload: { communityId: row.id, slug: row.slug },
          });
        }),
      { path: 'slug', message: 'is taken', detail: 'This slug is taken' },
    );
    return toView(row);
  }

  /** Changes name, description or milestones (operators). New milestones apply to needs raised afterwards. */
  async updateCommunity(
    actor: Actor,
    id: string,
    input: { name?: string; description?: string; milestones?: Milestone[] },
  ): Promise<CommunityView> {
    const row = await this.deps.db.transaction(async (trx) => {
      const updated = await repo.update(trx, id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.milestones !== undefined ? { milestones: JSON.stringify(input.milestones) } : {}),
        updated_at: this.deps.clock.now().toISOString(),
      });
      if (!updated) throw AppError.notFound('Community');
      await this.deps.events.publish(trx, {
        type: 'community.updated',
        aggregateType: 'community',
        aggregateId: id,
        actorId: actor.memberId,
        payload: { communityId: id, fields: Object.keys(input) },
      });
      return updated;
    });
    return toView(row);
  }

  /** A community by id or slug, or not_found. */
  async getCommunity(idOrSlug: string, actor?: Actor | null): Promise<CommunityView> {
    const row = await repo.find(this.deps.db.kysely, idOrSlug);
    if (!row) throw AppError.notFound('Community');
    const joined = actor ? (await repo.joinedAmong(this.deps.db.kysely, actor.memberId, [row.id])).has(row.id) : undefined;
    return toView(row, joined);
  }

  /** Communities in creation order, paged. */
  async listCommunities(limit: number, cursor: string | undefined, actor?: Actor | null) {
    const after = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.list(this.deps.db.kysely, limit + 1, after);
    const page = pageOf(rows, limit, (r) => [r.id]);
    const joined = actor
      ? await repo.joinedAmong(
          this.deps.db.kysely,
          actor.memberId,
          page.items.map((r) => r.id),
        )
      : undefined;
    return { items: page.items.map((r) => toView(r, joined?.has(r.id))), nextCursor: page.nextCursor };
  }

  /** Joins a community; idempotent. */
  join(actor: Actor, communityId: string): Promise<{ joined: boolean; memberCount: number }> {
    return this.setMembership(actor, communityId, true);
  }

  /** Leaves a community; idempotent. */
  leave(actor: Actor, communityId: string): Promise<{ joined: boolean; memberCount: number }> {
    return this.setMembership(actor, communityId, false);
  }

  /** Joins or leaves under the community's lock; counts and announces only a change. */
  private setMembership(actor: Actor, communityId: string, joined: boolean) {
    return this.deps.db.transaction(async (trx) => {
      if (!(await repo.lock(trx, communityId))) throw AppError.notFound('Community');
      const changed = joined
        ? await repo.addMember(trx, communityId, actor.memberId, this.deps.clock.now().toISOString())
        : await repo.removeMember(trx, communityId, actor.memberId);
      if (!changed) return { joined, memberCount: await repo.memberCount(trx, communityId) };
      const memberCount = await repo.addToMemberCount(trx, communityId, joined ? 1 : -1);
      await this.deps.events.publish(trx, {
        type: joined ? 'community.joined' : 'community.left',
        aggregateType: 'community',
        aggregateId: communityId,
        actorId: actor.memberId,
        payload: { communityId, memberId: actor.memberId },
      });
      return { joined, memberCount };
    });
  }

  /**
   * The communities each of the given members belongs to (members in none are absent from the map):
   * the `community` dimension of poll breakdowns. Reads through the caller's executor, in chunks.
   */
  async communitiesOf(ex: Executor, memberIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const ids = [...new Set(memberIds)];
    for (let i = 0; i < ids.length; i += 500) {
      for (const row of await repo.membershipsOf(ex, ids.slice(i, i + 500))) {
        const list = out.get(row.member_id);
        if (list) list.push(row.community_id);
        else out.set(row.member_id, [row.community_id]);
      }
    }
    return out;
  }

  /** The community's id and milestones, for modules that raise needs in it; not_found otherwise. */
  async getRules(ex: Executor, communityId: string): Promise<{ id: string; milestones: Milestone[] }> {
    const row = await repo.find(ex, communityId);
    if (!row) throw AppError.notFound('Community');
    return { id: row.id, milestones: JSON.parse(row.milestones) };
  }
}
