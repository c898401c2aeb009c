import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { CommunitiesService } from '../communities/index.js';
import { scenesRepository as repo, type SceneFilter } from './scenes.repository.js';
import type { ScenesTable } from './scenes.tables.js';

export interface ScenesDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  accounts: AccountsService;
  communities: CommunitiesService;
}

export interface NewScene {
  communityId: string;
  title: string;
  persona: string;
  goal: string;
  pain: string;
  context?: string;
  tags?: string[];
}

/** Scenes (场景): the concrete moments of life that needs are raised in. */
export class ScenesService {
  constructor(private readonly deps: ScenesDeps) {}

  private async views(ex: Executor, rows: ScenesTable[]) {
    const names = await this.deps.accounts.displayNames(
      ex,
      rows.map((r) => r.author_id),
    );
    return rows.map((r) => ({
      id: r.id,
      communityId: r.community_id,
      author: { id: r.author_id, displayName: names.get(r.author_id) ?? '' },
      title: r.title,
      persona: r.persona,
      goal: r.goal,
      pain: r.pain,
      context: r.context,
      tags: JSON.parse(r.tags) as string[],
      needCount: r.need_count,
      createdAt: r.created_at,
    }));
  }

  /** A member describes a scene in a community. */
  async describeScene(actor: Actor, input: NewScene) {
    const now = this.deps.clock.now();
    const row: ScenesTable = {
      id: newId('scn', now),
      community_id: input.communityId,
      author_id: actor.memberId,
      title: input.title,
      persona: input.persona,
      goal: input.goal,
      pain: input.pain,
      context: input.context ?? '',
      tags: JSON.stringify([...new Set(input.tags ?? [])]),
      need_count: 0,
      created_at: now.toISOString(),
    };
    await this.deps.db.transaction(async (trx) => {
      // The community may be named by id or slug; the scene stores its id.
      row.community_id = (
        await this.deps.communities.getRules(trx, input.communityId).catch((err: unknown) => {
          if (err instanceof AppError && err.kind === 'not_found') throw AppError.invalid('communityId', 'is not a community');
          throw err;
        })
      ).id;
      await repo.insert(trx, row);
      await this.deps.events.publish(trx, {
        type: 'scene.described',
        aggregateType: 'scene',
        aggregateId: row.id,
        actorId: actor.memberId,
        payload: { sceneId: row.id, communityId: row.community_id },
      });
    });
    return (await this.views(this.deps.db.kysely, [row]))[0]!;
  }

  /** One scene or not_found. */
  async getScene(id: string) {
    const row = await repo.find(this.deps.db.kysely, id);
    if (!row) throw AppError.notFound('Scene');
    return (await this.views(this.deps.db.kysely, [row]))[0]!;
  }

  /** Scenes newest first, filtered and searchable. */
  async listScenes(filter: SceneFilter, limit: number, cursor?: string) {
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.list(this.deps.db.kysely, filter, limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(this.deps.db.kysely, page.items), nextCursor: page.nextCursor };
  }

  /** The scene a need is raised in (its community), counting the need; for the needs module. */
  async addNeed(trx: Executor, sceneId: string): Promise<{ communityId: string }> {
    const row = await repo.find(trx, sceneId);
    if (!row) throw AppError.invalid('sceneId', 'is not a scene');
    await repo.addToNeedCount(trx, sceneId, 1);
    return { communityId: row.community_id };
  }
}
