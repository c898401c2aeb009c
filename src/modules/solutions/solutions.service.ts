import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { NeedsService } from '../needs/index.js';
import type { OrganisationsService } from '../organisations/index.js';
import { solutionsRepository as repo } from './solutions.repository.js';
import type { SolutionsTable } from './solutions.tables.js';

export interface SolutionsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  accounts: AccountsService;
  organisations: OrganisationsService;
  needs: NeedsService;
}

/** Stages in which a need still takes new solutions. */
const TAKES_SOLUTIONS = new Set(['open', 'qualified', 'in_review', 'accepted']);

/** Solutions (方案): proposals that answer a need, versioned and voted on. */
export class SolutionsService {
  constructor(private readonly deps: SolutionsDeps) {}

  private publish(
    trx: Executor,
    type: string,
    row: Pick<SolutionsTable, 'id' | 'need_id'>,
    actorId: string,
    payload: Record<string, unknown>,
  ) {
    return this.deps.events.publish(trx, {
      type,
      aggregateType: 'solution',
      aggregateId: row.id,
      actorId,
      payload: { solutionId: row.id, needId: row.need_id, ...payload },
    });
  }

  private async views(ex: Executor, rows: SolutionsTable[], actor?: Actor | null) {
    const names = await this.deps.accounts.displayNames(
      ex,
      rows.map((r) => r.author_id),
    );
    const chosen = await this.deps.needs.chosenSolutions(
      ex,
      rows.map((r) => r.need_id),
    );
    const voted = actor
      ? await repo.votedAmong(
          ex,
          actor.memberId,
          rows.map((r) => r.id),
        )
      : undefined;
    return rows.map((r) => ({
      id: r.id,
      needId: r.need_id,
      author: { id: r.author_id, displayName: names.get(r.author_id) ?? '' },
      organisationId: r.organisation_id,
      title: r.title,
      body: r.body,
      version: r.version,
      voteCount: r.vote_count,
      chosen: chosen.get(r.need_id) === r.id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      ...(voted ? { voted: voted.has(r.id) } : {}),
    }));
  }

  /**
   * Locks a solution's need, then the solution: the order a merge takes (need first), so the two
   * neither deadlock nor act on a solution that a merge has just moved (then it tries again).
   */
  private async lockWithNeed(trx: Executor, id: string): Promise<SolutionsTable> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const seen = await this.require(trx, id);
      await this.deps.needs.requireNeed(trx, seen.need_id, { lock: true });
      const row = await repo.findForUpdate(trx, id);
      if (!row) throw AppError.notFound('Solution');
      if (row.need_id === seen.need_id) return row;
    }
    throw new AppError('conflict', 'The solution moved while we worked on it; try again');
  }

  /** Locks a solution whose need still takes votes (votes are final once the need is decided). */
  private async lockForVoting(trx: Executor, id: string): Promise<SolutionsTable> {
    const row = await repo.findForUpdate(trx, id);
    if (!row) throw AppError.notFound('Solution');
    const need = await this.deps.needs.requireNeed(trx, row.need_id);
    if (!TAKES_SOLUTIONS.has(need.stage)) {
      throw new AppError('conflict', `The need is ${need.stage}; votes on its solutions are final`, {
        extra: { stage: need.stage },
      });
    }
    return row;
  }

  private async require(ex: Executor, id: string) {
    const row = await repo.find(ex, id);
    if (!row) throw AppError.notFound('Solution');
    return row;
  }

  /** A member proposes a solution, optionally on behalf of a partner organisation they act for. */
  async proposeSolution(actor: Actor, needId: string, input: { title: string; body: string; organisationId?: string }) {
    const now = this.deps.clock.now().toISOString();
    const row = await this.deps.db.transaction(async (trx) => {
      // The need's lock first: a merge or review running now either finishes before the stage is read
      // or waits for this proposal and then moves it along.
      const need = await this.deps.needs.requireNeed(trx, needId, { lock: true });
      if (!TAKES_SOLUTIONS.has(need.stage)) {
        throw new AppError('conflict', `This need is ${need.stage} and takes no new solutions`, {
          extra: { stage: need.stage, mergedInto: need.mergedInto },
        });
      }
      if (input.organisationId && !(await this.deps.organisations.isPartnerOf(trx, input.organisationId, actor.memberId))) {
        throw new AppError('forbidden', 'You can only propose on behalf of an organisation you act for', {
          errors: [{ path: 'organisationId', message: 'you are not a partner of this organisation' }],
        });
      }
      const row: SolutionsTable = {
        id: newId('sol', this.deps.clock.now()),
        need_id: needId,
        author_id: actor.memberId,
        organisation_id: input.organisationId ?? null,
        title: input.title,
        body: input.body,
        version: 1,
        vote_count: 0,
        created_at: now,
        updated_at: now,
      };
      await repo.insert(trx, row);
      await this.deps.needs.addToCounts(trx, needId, { solutions: 1 });
      await this.publish(trx, 'solution.proposed', row, actor.memberId, {
        authorId: actor.memberId,
        organisationId: row.organisation_id,
      });
      return row;
    });
    return (await this.views(this.deps.db.kysely, [row], actor))[0]!;
  }

  /** The author writes a new version; earlier versions stay readable. */
  async reviseSolution(actor: Actor, id: string, input: { title: string; body: string }) {
    const now = this.deps.clock.now().toISOString();
    const row = await this.deps.db.transaction(async (trx) => {
      const row = await this.lockWithNeed(trx, id);
      if (row.author_id !== actor.memberId) throw new AppError('forbidden', 'Only the author revises a solution');
      const need = await this.deps.needs.requireNeed(trx, row.need_id);
      if (need.chosenSolutionId === id) throw new AppError('conflict', 'This solution has been chosen; its text is final');
      if (!TAKES_SOLUTIONS.has(need.stage))
        throw new AppError('conflict', `The need is ${need.stage}; its solutions are final`, { extra: { stage: need.stage } });
      const version = row.version + 1;
      await repo.revise(trx, id, version, input.title, input.body, now);
      await this.publish(trx, 'solution.revised', row, actor.memberId, { version });
      return { ...row, version, title: input.title, body: input.body, updated_at: now };
    });
    return (await this.views(this.deps.db.kysely, [row], actor))[0]!;
  }

  async getSolution(id: string, actor?: Actor | null) {
    const row = await this.require(this.deps.db.kysely, id);
    return (await this.views(this.deps.db.kysely, [row], actor))[0]!;
  }

  /** Every version, newest first. */
  async listVersions(id: string) {
    await this.require(this.deps.db.kysely, id);
    const rows = await repo.listVersions(this.deps.db.kysely, id);
    return rows.map((r) => ({ version: r.version, title: r.title, body: r.body, createdAt: r.created_at }));
  }

  /** A need's solutions, by votes or newest. */
  async listForNeed(needId: string, sort: 'top' | 'new', limit: number, cursor: string | undefined, actor?: Actor | null) {
    const ex = this.deps.db.kysely;
    await this.deps.needs.requireNeed(ex, needId);
    const before = cursor
      ? sort === 'new'
        ? decodeCursor(cursor, ['string'] as const)
        : decodeCursor(cursor, ['number', 'string'] as const)
      : undefined;
    const rows = await repo.listForNeed(ex, needId, sort, limit + 1, before);
    const page = pageOf(rows, limit, (r) => (sort === 'new' ? [r.id] : [r.vote_count, r.id]));
    return { items: await this.views(ex, page.items, actor), nextCursor: page.nextCursor };
  }

  /** A member's solutions, newest first. */
  async listByAuthor(authorId: string, limit: number, cursor: string | undefined, actor?: Actor | null) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.listByAuthor(ex, authorId, limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items, actor), nextCursor: page.nextCursor };
  }

  /** Votes for a solution; idempotent; not for one's own. */
  async vote(actor: Actor, id: string) {
    return this.deps.db.transaction(async (trx) => {
      const row = await this.lockForVoting(trx, id);
      if (row.author_id === actor.memberId) throw new AppError('validation', 'You cannot vote for your own solution');
      if (!(await repo.insertVote(trx, id, actor.memberId, this.deps.clock.now().toISOString()))) {
        return { voted: true, voteCount: row.vote_count };
      }
      const voteCount = await repo.addToVoteCount(trx, id, 1);
      await this.publish(trx, 'solution.voted', row, actor.memberId, { memberId: actor.memberId, rank: voteCount });
      return { voted: true, voteCount };
    });
  }

  /** Withdraws a vote; idempotent. */
  async unvote(actor: Actor, id: string) {
    return this.deps.db.transaction(async (trx) => {
      const row = await this.lockForVoting(trx, id);
      if (!(await repo.deleteVote(trx, id, actor.memberId))) return { voted: false, voteCount: row.vote_count };
      const voteCount = await repo.addToVoteCount(trx, id, -1);
      await this.publish(trx, 'solution.unvoted', row, actor.memberId, { memberId: actor.memberId });
      return { voted: false, voteCount };
    });
  }

  /** The need a solution answers, or null (the needs module's port for choosing a solution). */
  async needOf(ex: Executor, id: string): Promise<string | null> {
    return (await repo.find(ex, id))?.need_id ?? null;
  }

  /** A solution's facts other modules check (comments). */
  async requireSolution(ex: Executor, id: string): Promise<{ id: string; needId: string; authorId: string }> {
    const row = await this.require(ex, id);
    return { id: row.id, needId: row.need_id, authorId: row.author_id };
  }

  /** Moves a merged need's solutions to its target (called inside the merge's transaction). */
  async moveToNeed(trx: Executor, fromNeedId: string, intoNeedId: string): Promise<{ solutions: number }> {
    return { solutions: await repo.moveToNeed(trx, fromNeedId, intoNeedId) };
  }
}
