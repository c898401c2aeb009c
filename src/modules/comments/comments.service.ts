import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { NeedsService } from '../needs/index.js';
import type { SolutionsService } from '../solutions/index.js';
import { type CommentTarget, commentsRepository as repo } from './comments.repository.js';
import type { CommentsTable } from './comments.tables.js';

export interface CommentsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  accounts: AccountsService;
  needs: NeedsService;
  solutions: SolutionsService;
}

/** How long an author may edit a comment. */
export const EDIT_WINDOW_MS = 15 * 60_000;
const MENTION = /@([\p{L}\p{N}_.-]{1,50})/gu;

export interface CommentView {
  id: string;
  needId: string | null;
  solutionId: string | null;
  parentId: string | null;
  author: { id: string; displayName: string };
  body: string;
  mentions: { id: string; displayName: string }[];
  hidden: boolean;
  deleted: boolean;
  createdAt: string;
  editedAt: string | null;
  replies?: CommentView[];
}

/** Comments on needs and solutions: one level of replies, @mentions, edits, moderation. */
export class CommentsService {
  constructor(private readonly deps: CommentsDeps) {}

  private async views(ex: Executor, rows: CommentsTable[], actor?: Actor | null): Promise<CommentView[]> {
    const names = await this.deps.accounts.displayNames(
      ex,
      rows.map((r) => r.author_id),
    );
    const operator = actor?.roles.includes('operator') ?? false;
    return rows.map((r) => {
      // Hidden comments stay readable to operators, marked; deleted ones are gone for everyone.
      // The mentions come from the body, so they go with it.
      const redacted = r.deleted === 1 || (r.hidden === 1 && !operator);
      return {
        id: r.id,
        needId: r.need_id,
        solutionId: r.solution_id,
        parentId: r.parent_id,
        author: { id: r.author_id, displayName: names.get(r.author_id) ?? '' },
        body: redacted ? '' : r.body,
        mentions: redacted ? [] : JSON.parse(r.mentions),
        hidden: r.hidden === 1,
        deleted: r.deleted === 1,
        createdAt: r.created_at,
        editedAt: r.edited_at,
      };
    });
  }

  private async mentionsIn(ex: Executor, body: string) {
    // A name may hold dots and dashes, but one at the end is more often the sentence's: try both.
    const names = [...body.matchAll(MENTION)].flatMap((m) => {
      const trimmed = m[1]!.replace(/[.-]+$/u, '');
      return trimmed && trimmed !== m[1] ? [m[1]!, trimmed] : [m[1]!];
    });
    return names.length ? this.deps.accounts.membersByDisplayName(ex, names) : [];
  }

  /**
   * Locks a comment for a change, taking its need's lock first (PostgreSQL): the order a merge takes
   * them in, so a merge and a comment's change neither deadlock nor publish their events out of
   * order. If a merge moved the comment while this waited, it locks the new need and looks again.
   */
  private async lockComment(trx: Executor, id: string): Promise<CommentsTable> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const seen = await repo.find(trx, id);
      if (!seen) throw AppError.notFound('Comment');
      if (seen.need_id) await this.deps.needs.requireNeed(trx, seen.need_id, { lock: true });
      const row = await repo.findForUpdate(trx, id);
      if (!row) throw AppError.notFound('Comment');
      if (row.need_id === seen.need_id) return row;
    }
    throw new AppError('conflict', 'The comment moved while we worked on it; try again');
  }

  /** Where a target lives: the need whose comment count it feeds, if any. */
  private async resolve(ex: Executor, target: CommentTarget): Promise<{ needId: string | null }> {
    if ('needId' in target) {
      await this.deps.needs.requireNeed(ex, target.needId);
      return { needId: target.needId };
    }
    await this.deps.solutions.requireSolution(ex, target.solutionId);
    return { needId: null };
  }

  /** A member comments on a need or solution, or replies to a top-level comment there. */
  async postComment(actor: Actor, target: CommentTarget, input: { body: string; parentId?: string }) {
    const now = this.deps.clock.now();
    const row = await this.deps.db.transaction(async (trx) => {
      if ('needId' in target) {
        const need = await this.deps.needs.requireNeed(trx, target.needId, { lock: true });
        if (need.stage === 'merged') {
          throw new AppError('conflict', 'This need was merged into another; comment there', {
            extra: { mergedInto: need.mergedInto },
          });
        }
      }
      const { needId } = await this.resolve(trx, target);
      if (input.parentId) {
        const parent = await repo.find(trx, input.parentId);
        const sameTarget =
          parent && ('needId' in target ? parent.need_id === target.needId : parent.solution_id === target.solutionId);
        if (!parent || !sameTarget) throw AppError.invalid('parentId', 'is not a comment here');
        if (parent.parent_id) throw AppError.invalid('parentId', 'replies go to top-level comments (one level)');
      }
      const row: CommentsTable = {
        id: newId('cmt', now),
        need_id: 'needId' in target ? target.needId : null,
        solution_id: 'solutionId' in target ? target.solutionId : null,
        parent_id: input.parentId ?? null,
        author_id: actor.memberId,
        body: input.body,
        mentions: JSON.stringify(await this.mentionsIn(trx, input.body)),
        hidden: 0,
        deleted: 0,
        created_at: now.toISOString(),
        edited_at: null,
      };
      await repo.insert(trx, row);
      if (needId) await this.deps.needs.addToCounts(trx, needId, { comments: 1 });
      await this.publish(trx, 'comment.posted', row, actor.memberId, {
        mentions: JSON.parse(row.mentions).map((m: { id: string }) => m.id),
      });
      return row;
    });
    return (await this.views(this.deps.db.kysely, [row], actor))[0]!;
  }

  private publish(trx: Executor, type: string, row: CommentsTable, actorId: string, extra: Record<string, unknown> = {}) {
    return this.deps.events.publish(trx, {
      type,
      aggregateType: 'comment',
      aggregateId: row.id,
      actorId,
      payload: {
        commentId: row.id,
        needId: row.need_id,
        solutionId: row.solution_id,
        parentId: row.parent_id,
        authorId: row.author_id,
        ...extra,
      },
    });
  }

  /** The author edits within 15 minutes of posting. */
  async editComment(actor: Actor, id: string, body: string) {
    const now = this.deps.clock.now();
    const row = await this.deps.db.transaction(async (trx) => {
      const row = await this.lockComment(trx, id);
      if (row.deleted) throw AppError.notFound('Comment');
      if (row.author_id !== actor.memberId) throw new AppError('forbidden', 'Only the author edits a comment');
      if (now.getTime() - Date.parse(row.created_at) > EDIT_WINDOW_MS) {
        throw new AppError('conflict', 'Comments can be edited for 15 minutes after posting');
      }
      const set = { body, edited_at: now.toISOString(), mentions: JSON.stringify(await this.mentionsIn(trx, body)) };
      await repo.update(trx, id, set);
      await this.publish(trx, 'comment.edited', row, actor.memberId);
      return { ...row, ...set };
    });
    return (await this.views(this.deps.db.kysely, [row], actor))[0]!;
  }

  /** The author deletes their comment (its replies stay). */
  async deleteComment(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      const row = await this.lockComment(trx, id);
      if (row.author_id !== actor.memberId)
        throw new AppError('forbidden', 'Only the author deletes a comment; operators hide it');
      if (row.deleted) return;
      await repo.update(trx, id, { deleted: 1, body: '', mentions: '[]' });
      if (row.need_id) await this.deps.needs.addToCounts(trx, row.need_id, { comments: -1 });
      await this.publish(trx, 'comment.deleted', row, actor.memberId);
    });
  }

  /** An operator hides (or shows again) a comment. */
  async hideComment(actor: Actor, id: string, hidden: boolean) {
    const row = await this.deps.db.transaction(async (trx) => {
      const row = await this.lockComment(trx, id);
      if (row.deleted) throw AppError.notFound('Comment');
      await repo.update(trx, id, { hidden: hidden ? 1 : 0 });
      await this.publish(trx, hidden ? 'comment.hidden' : 'comment.shown', row, actor.memberId);
      return { ...row, hidden: hidden ? 1 : 0 };
    });
    return (await this.views(this.deps.db.kysely, [row], actor))[0]!;
  }

  /** Top-level comments oldest first, each with its replies. */
  async listComments(target: CommentTarget, limit: number, cursor: string | undefined, actor?: Actor | null) {
    const ex = this.deps.db.kysely;
    await this.resolve(ex, target);
    const after = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listTopLevel(ex, target, limit + 1, after);
    const page = pageOf(rows, limit, (r) => [r.id]);
    const replies = await repo.listReplies(
      ex,
      page.items.map((r) => r.id),
    );
    const views = await this.views(ex, [...page.items, ...replies], actor);
    const byParent = new Map<string, CommentView[]>();
    for (const v of views) if (v.parentId) byParent.set(v.parentId, [...(byParent.get(v.parentId) ?? []), v]);
    const items = views.filter((v) => !v.parentId).map((v) => ({ ...v, replies: byParent.get(v.id) ?? [] }));
    return { items, nextCursor: page.nextCursor };
  }

  /**
   * Moves a merged need's comments to its target (inside the merge's transaction); counts the ones
   * not deleted, as the need's comment count does.
   */
  async moveToNeed(trx: Executor, fromNeedId: string, intoNeedId: string): Promise<{ comments: number }> {
    const live = await repo.countLive(trx, fromNeedId);
    await repo.moveToNeed(trx, fromNeedId, intoNeedId);
    return { comments: live };
  }
}
