import type { Actor } from '../../platform/auth/actor.js';
import { batched } from '../../platform/batching.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus, NewEvent } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { AccountsService } from '../accounts/index.js';
import type { CommunitiesService, Milestone } from '../communities/index.js';
import type { ScenesService } from '../scenes/index.js';
import { type NeedFilter, type NeedSort, needsRepository as repo } from './needs.repository.js';
import type { NeedSupportsTable, NeedsTable } from './needs.tables.js';

export type NeedStage =
  | 'open'
  | 'qualified'
  | 'in_review'
  | 'accepted'
  | 'declined'
  | 'in_development'
  | 'launched'
  | 'delivered'
  | 'expired'
  | 'merged';

export interface PurchaseIntent {
  quantity: number;
  maxUnitPrice: { amount: number; currency: string };
}

/** What other modules plug into needs, wired in the composition root (they depend on needs, not the reverse). */
export interface NeedsPorts {
  /** The need a solution answers, or null when there is no such solution. */
  solutionNeed(trx: Executor, solutionId: string): Promise<string | null>;
  /** Moves what hangs on a merged need (solutions, comments) to its target; returns how many moved. */
  onMerge: ((trx: Executor, fromId: string, intoId: string) => Promise<{ solutions?: number; comments?: number }>)[];
}

export interface NeedsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  accounts: AccountsService;
  communities: CommunitiesService;
  scenes: ScenesService;
  ports: NeedsPorts;
}

/** Stages an operator may move a need to by hand, from the stages allowed before them. */
const ADVANCES: Record<'in_review' | 'in_development' | 'launched' | 'delivered', NeedStage[]> = {
  in_review: ['qualified'],
  in_development: ['accepted'],
  launched: ['in_development', 'accepted'],
  delivered: ['launched'],
};

/** The stage right now: an open need whose deadline has passed is expired even before the worker records it. */
export function effectiveStage(row: Pick<NeedsTable, 'stage' | 'milestone_deadline'>, nowIso: string): NeedStage {
  if (row.stage === 'open' && row.milestone_deadline !== null && row.milestone_deadline <= nowIso) return 'expired';
  return row.stage as NeedStage;
}

function intentOf(
  s: Pick<NeedSupportsTable, 'intent_quantity' | 'intent_max_unit_price' | 'intent_currency'> | undefined,
): PurchaseIntent | null {
  if (!s || s.intent_quantity === null || s.intent_max_unit_price === null || !s.intent_currency) return null;
  return { quantity: s.intent_quantity, maxUnitPrice: { amount: Number(s.intent_max_unit_price), currency: s.intent_currency } };
}

function intentFields(intent: PurchaseIntent | null | undefined) {
  return {
    intent_quantity: intent?.quantity ?? null,
    intent_max_unit_price: intent?.maxUnitPrice.amount ?? null,
    intent_currency: intent?.maxUnitPrice.currency ?? null,
  };
}

interface SupportJob {
  memberId: string;
  needId: string;
  /** undefined: keep an existing intent; null: no intent. */
  intent: PurchaseIntent | null | undefined;
}

function sameIntent(a: PurchaseIntent | null, b: PurchaseIntent | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Needs (需求): raised in scenes, supported against milestones, reviewed, merged, answered by a chosen solution. */
export class NeedsService {
  constructor(private readonly deps: NeedsDeps) {}

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  private event(type: string, needId: string, actorId: string | null, payload: Record<string, unknown>): NewEvent {
    return { type, aggregateType: 'need', aggregateId: needId, actorId, payload: { needId, ...payload } };
  }

  private publish(trx: Executor, type: string, needId: string, actorId: string | null, payload: Record<string, unknown>) {
    return this.deps.events.publish(trx, this.event(type, needId, actorId, payload));
  }

  /** Shapes rows for the API: author names, the stage as of now, and the caller's support. */
  private async views(ex: Executor, rows: NeedsTable[], actor?: Actor | null) {
    const now = this.nowIso();
    const names = await this.deps.accounts.displayNames(
      ex,
      rows.map((r) => r.author_id),
    );
    const mine = actor
      ? await repo.supportedAmong(
          ex,
          actor.memberId,
          rows.map((r) => r.id),
        )
      : undefined;
    return rows.map((r) => {
      const stage = effectiveStage(r, now);
      const ladder = JSON.parse(r.milestones) as Milestone[];
      const step = ladder[r.milestone_index];
      const support = mine?.get(r.id);
      return {
        id: r.id,
        sceneId: r.scene_id,
        communityId: r.community_id,
        author: { id: r.author_id, displayName: names.get(r.author_id) ?? '' },
        title: r.title,
        body: r.body,
        stage,
        supportCount: r.support_count,
        intent: { supporters: r.intent_supporters, quantity: r.intent_quantity },
        milestone:
          stage === 'open' && step && r.milestone_deadline
            ? {
                index: r.milestone_index,
                of: ladder.length,
                goal: step.goal,
                deadline: r.milestone_deadline,
                previousGoal: ladder[r.milestone_index - 1]?.goal ?? 0,
              }
            : null,
        mergedInto: r.merged_into,
        chosenSolutionId: r.chosen_solution_id,
        review:
          r.review_decision && r.reviewed_at
            ? {
                decision: r.review_decision as 'accept' | 'decline',
                reason: r.review_reason ?? '',
                at: r.reviewed_at,
                by: r.reviewed_by ?? '',
              }
            : null,
        solutionCount: r.solution_count,
        commentCount: r.comment_count,
        createdAt: r.created_at,
        stageChangedAt: r.stage_changed_at,
        ...(mine ? { supported: support !== undefined, myIntent: intentOf(support) } : {}),
      };
    });
  }

  private async view(ex: Executor, row: NeedsTable, actor?: Actor | null) {
    return (await this.views(ex, [row], actor))[0]!;
  }

  /** A member raises a need in a scene; it opens on the community's first milestone. */
  async raiseNeed(actor: Actor, input: { sceneId: string; title: string; body: string }) {
    const now = this.deps.clock.now();
    const row = await this.deps.db.transaction(async (trx) => {
      const { communityId } = await this.deps.scenes.addNeed(trx, input.sceneId);
      const { milestones } = await this.deps.communities.getRules(trx, communityId);
      const first = milestones[0]!;
      const row: NeedsTable = {
        id: newId('need', now),
        scene_id: input.sceneId,
        community_id: communityId,
        author_id: actor.memberId,
        title: input.title,
        body: input.body,
        stage: 'open',
        support_count: 0,
        intent_supporters: 0,
        intent_quantity: 0,
        milestones: JSON.stringify(milestones),
        milestone_index: 0,
        milestone_deadline: new Date(now.getTime() + first.days * 86_400_000).toISOString(),
        merged_into: null,
        chosen_solution_id: null,
        review_decision: null,
        review_reason: null,
        reviewed_at: null,
        reviewed_by: null,
        solution_count: 0,
        comment_count: 0,
        created_at: now.toISOString(),
        created_epoch: Math.floor(now.getTime() / 1000),
        stage_changed_at: now.toISOString(),
      };
      await repo.insert(trx, row);
      await this.publish(trx, 'need.raised', row.id, actor.memberId, {
        sceneId: row.scene_id,
        communityId,
        authorId: actor.memberId,
      });
      return row;
    });
    return this.view(this.deps.db.kysely, row, actor);
  }

  /** One need, as of now. */
  async getNeed(id: string, actor?: Actor | null) {
    const row = await repo.find(this.deps.db.kysely, id);
    if (!row) throw AppError.notFound('Need');
    return this.view(this.deps.db.kysely, row, actor);
  }

  /**
   * Needs filtered and sorted: `new` (newest), `top` (most supports), `hot` (supports decayed by age:
   * (supports + 1) / (hours + 2)^1.5, at the instant the first page was read). Merged needs are only
   * listed when asked for by stage.
   */
  async listNeeds(
    filter: NeedFilter,
    sortBy: 'hot' | 'top' | 'new',
    limit: number,
    cursor: string | undefined,
    actor?: Actor | null,
  ) {
    const ex = this.deps.db.kysely;
    let sort: NeedSort;
    if (sortBy === 'new') {
      sort = { by: 'new', before: cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined };
    } else if (sortBy === 'top') {
      sort = { by: 'top', before: cursor ? decodeCursor(cursor, ['number', 'string'] as const) : undefined };
    } else if (cursor) {
      const [asOf, score, id] = decodeCursor(cursor, ['number', 'number', 'string'] as const);
      sort = { by: 'hot', asOf, before: [score, id] };
    } else {
      sort = { by: 'hot', asOf: Math.floor(this.deps.clock.now().getTime() / 1000) };
    }
    const rows = await repo.list(ex, filter, sort, this.nowIso(), limit + 1);
    const page = pageOf(rows, limit, (r) =>
      sort.by === 'new' ? [r.id] : sort.by === 'top' ? [r.support_count, r.id] : [sort.asOf, r.score, r.id],
    );
    return { items: await this.views(ex, page.items, actor), nextCursor: page.nextCursor };
  }

  /**
   * Supports a need, or updates the purchase intent of an existing support; idempotent.
   * Only while the need is open; never one's own need. Concurrent supports are written in batches
   * (see runSupportBatch); each is answered after its batch commits.
   */
  supportNeed(actor: Actor, needId: string, intent?: PurchaseIntent | null): Promise<{ supported: true; supportCount: number }> {
    return this.supportBatch({ memberId: actor.memberId, needId, intent });
  }

  private readonly supportBatch = batched((jobs: readonly SupportJob[]) => this.runSupportBatch(jobs), 200);

  /**
   * Writes a batch of supports in one transaction with set-based statements: lock the needs (in id
   * order), check each support against its need, insert the new supports in one statement, add
   * each need's count once, publish the events in one statement, climb milestones. A rejected
   * support gets its own error and writes nothing; the others commit.
   */
  private async runSupportBatch(jobs: readonly SupportJob[]): Promise<({ supported: true; supportCount: number } | Error)[]> {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    return this.deps.db.transaction(async (trx) => {
      const needs = new Map((await repo.findManyForUpdate(trx, [...new Set(jobs.map((j) => j.needId))])).map((n) => [n.id, n]));
      const results: ({ supported: true; supportCount: number } | Error)[] = new Array(jobs.length);
      const fresh: number[] = [];
      const again: number[] = [];
      const pairs = new Set<string>();
      jobs.forEach((job, i) => {
        const need = needs.get(job.needId);
        if (!need) results[i] = AppError.notFound('Need');
        else if (need.author_id === job.memberId) results[i] = new AppError('validation', 'You cannot support your own need');
        else if (effectiveStage(need, nowIso) !== 'open') {
          const stage = effectiveStage(need, nowIso);
          results[i] = new AppError('conflict', `This need is ${stage} and no longer takes support`, {
            extra: { stage, mergedInto: need.merged_into },
          });
        } else {
          const pair = `${job.needId} ${job.memberId}`;
          (pairs.has(pair) ? again : fresh).push(i);
          pairs.add(pair);
        }
      });
      const inserted = await repo.insertSupports(
        trx,
        fresh.map((i) => ({
          need_id: jobs[i]!.needId,
          member_id: jobs[i]!.memberId,
          created_at: nowIso,
          ...intentFields(jobs[i]!.intent),
        })),
      );
      const added = new Map<string, number[]>();
      for (const i of fresh) {
        const job = jobs[i]!;
        if (inserted.has(`${job.needId} ${job.memberId}`)) added.set(job.needId, [...(added.get(job.needId) ?? []), i]);
        else again.push(i);
      }
      const deltas = new Map<string, [number, number, number]>();
      for (const [needId, indexes] of added) {
        const intents = indexes.map((i) => jobs[i]!.intent).filter((x): x is PurchaseIntent => !!x);
        deltas.set(needId, [indexes.length, intents.length, intents.reduce((sum, x) => sum + x.quantity, 0)]);
      }
      const counts = await repo.addSupports(trx, deltas);
      const events: NewEvent[] = [];
      for (const [needId, indexes] of added) {
        const count = counts.get(needId)!;
        const before = count - indexes.length;
        indexes.forEach((i, k) => {
          const job = jobs[i]!;
          results[i] = { supported: true, supportCount: before + k + 1 };
          events.push(
            this.event('need.supported', needId, job.memberId, {
              memberId: job.memberId,
              rank: before + k + 1,
              intent: job.intent ?? null,
            }),
          );
        });
        needs.set(needId, { ...needs.get(needId)!, support_count: count });
      }
      await this.deps.events.publishMany(trx, events);
      for (const needId of added.keys()) await this.climb(trx, needs.get(needId)!, now, null);
      // Members who already supported: keep the support, and change its intent when a new one was given.
      for (const i of again.sort((a, b) => a - b)) results[i] = await this.supportAgain(trx, jobs[i]!);
      return results;
    });
  }

  private async supportAgain(trx: Executor, job: SupportJob): Promise<{ supported: true; supportCount: number }> {
    const existing = await repo.findSupport(trx, job.needId, job.memberId);
    const current = (await repo.find(trx, job.needId))!.support_count;
    const before = intentOf(existing);
    const next = job.intent ?? null;
    // A PUT without a body keeps the intent already given.
    if (job.intent === undefined || sameIntent(before, next)) return { supported: true, supportCount: current };
    await repo.setSupportIntent(trx, job.needId, job.memberId, intentFields(next));
    const count = await repo.addSupport(
      trx,
      job.needId,
      0,
      (next ? 1 : 0) - (before ? 1 : 0),
      (next?.quantity ?? 0) - (before?.quantity ?? 0),
    );
    await this.publish(trx, 'need.intent-changed', job.needId, job.memberId, { memberId: job.memberId, intent: next });
    return { supported: true, supportCount: count };
  }

  /** Withdraws a support; idempotent; only while the need is open. */
  async unsupportNeed(actor: Actor, needId: string) {
    const nowIso = this.nowIso();
    return this.deps.db.transaction(async (trx) => {
      const need = await repo.findForUpdate(trx, needId);
      if (!need) throw AppError.notFound('Need');
      const stage = effectiveStage(need, nowIso);
      if (stage !== 'open') throw new AppError('conflict', `This need is ${stage}; its supports are final`, { extra: { stage } });
      const removed = await repo.deleteSupport(trx, needId, actor.memberId);
      if (!removed) return { supported: false, supportCount: need.support_count };
      const intent = intentOf(removed);
      const count = await repo.addSupport(trx, needId, -1, intent ? -1 : 0, -(intent?.quantity ?? 0));
      await this.publish(trx, 'need.unsupported', needId, actor.memberId, { memberId: actor.memberId });
      return { supported: false, supportCount: count };
    });
  }

  /**
   * Moves an open need up its ladder while its count meets the current goal: the next step's
   * deadline counts from now; past the last step the need is qualified.
   */
  private async climb(trx: Executor, need: NeedsTable, now: Date, actorId: string | null): Promise<void> {
    const ladder = JSON.parse(need.milestones) as Milestone[];
    let index = need.milestone_index;
    let deadline = need.milestone_deadline;
    while (index < ladder.length && need.support_count >= ladder[index]!.goal) {
      await this.publish(trx, 'need.milestone-reached', need.id, actorId, {
        index,
        goal: ladder[index]!.goal,
        supportCount: need.support_count,
      });
      index++;
      const step = ladder[index];
      deadline = step ? new Date(now.getTime() + step.days * 86_400_000).toISOString() : null;
    }
    if (index === need.milestone_index) return;
    const qualified = index >= ladder.length;
    await repo.update(trx, need.id, {
      milestone_index: index,
      milestone_deadline: deadline,
      ...(qualified ? { stage: 'qualified', stage_changed_at: now.toISOString() } : {}),
    });
    if (qualified)
      await this.publish(trx, 'need.qualified', need.id, actorId, { supportCount: need.support_count, from: 'open' });
  }

  /**
   * Which of these members support the need with a purchase intent: the supporters a campaign's
   * first claim is for. Runs in the caller's transaction.
   */
  supportersWithIntent(ex: Executor, needId: string, memberIds: readonly string[]): Promise<Set<string>> {
    return repo.withIntentAmong(ex, needId, memberIds);
  }

  /**
   * Supporters in the order they came, with their rank. What a supporter would pay is theirs and
   * the operators' to see; everyone sees the totals on the need.
   */
  async listSupporters(needId: string, limit: number, cursor: string | undefined, actor: Actor | null) {
    const ex = this.deps.db.kysely;
    if (!(await repo.find(ex, needId))) throw AppError.notFound('Need');
    const after = cursor ? decodeCursor(cursor, ['string', 'string'] as const) : undefined;
    const rows = await repo.listSupporters(ex, needId, limit + 1, after);
    const page = pageOf(rows, limit, (r) => [r.created_at, r.member_id]);
    const names = await this.deps.accounts.displayNames(
      ex,
      page.items.map((r) => r.member_id),
    );
    return {
      items: page.items.map((r) => ({
        member: { id: r.member_id, displayName: names.get(r.member_id) ?? '' },
        rank: r.rank,
        supportedAt: r.created_at,
        intent: actor && (actor.roles.includes('operator') || actor.memberId === r.member_id) ? intentOf(r) : null,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** The needs a member supports, latest support first. */
  async listSupportedBy(actor: Actor, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string', 'string'] as const) : undefined;
    const rows = await repo.listSupportedBy(ex, actor.memberId, limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.supported_at, r.id]);
    return { items: await this.views(ex, page.items, actor), nextCursor: page.nextCursor };
  }

  /** An operator accepts or declines a qualified (or in-review) need, with a reason the author sees. */
  async reviewNeed(actor: Actor, needId: string, decision: 'accept' | 'decline', reason: string) {
    const nowIso = this.nowIso();
    const row = await this.deps.db.transaction(async (trx) => {
      const need = await repo.findForUpdate(trx, needId);
      if (!need) throw AppError.notFound('Need');
      const stage = effectiveStage(need, nowIso);
      if (stage !== 'qualified' && stage !== 'in_review') {
        throw new AppError('conflict', `Only qualified or in-review needs are reviewed; this one is ${stage}`, {
          extra: { stage },
        });
      }
      const to = decision === 'accept' ? 'accepted' : 'declined';
      const set = {
        stage: to,
        stage_changed_at: nowIso,
        review_decision: decision,
        review_reason: reason,
        reviewed_at: nowIso,
        reviewed_by: actor.memberId,
      };
      await repo.update(trx, needId, set);
      await this.publish(trx, `need.${to}`, needId, actor.memberId, { from: stage, reason, authorId: need.author_id });
      return { ...need, ...set };
    });
    return this.view(this.deps.db.kysely, row, actor);
  }

  /** An operator moves a need along by hand: qualified → in_review, accepted → in_development → launched → delivered. */
  async advanceNeed(actor: Actor, needId: string, to: keyof typeof ADVANCES) {
    const nowIso = this.nowIso();
    const row = await this.deps.db.transaction(async (trx) => {
      const need = await repo.findForUpdate(trx, needId);
      if (!need) throw AppError.notFound('Need');
      const stage = effectiveStage(need, nowIso);
      if (!ADVANCES[to].includes(stage)) {
        throw new AppError('conflict', `A need moves to ${to} only from ${ADVANCES[to].join(' or ')}; this one is ${stage}`, {
          extra: { stage },
        });
      }
      await repo.update(trx, needId, { stage: to, stage_changed_at: nowIso });
      await this.publish(trx, `need.${to.replace('_', '-')}`, needId, actor.memberId, { from: stage, to });
      return { ...need, stage: to, stage_changed_at: nowIso };
    });
    return this.view(this.deps.db.kysely, row, actor);
  }

  /**
   * Merges a duplicate into another need: supporters are united (a member who supported both counts
   * once; the duplicate's author becomes a supporter), solutions and comments move, and the event
   * credits both authors.
   */
  async mergeNeed(actor: Actor, fromId: string, intoId: string) {
    if (fromId === intoId) throw AppError.invalid('intoNeedId', 'must be another need');
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const row = await this.deps.db.transaction(async (trx) => {
      // Lock both in id order so two merges of the same pair cannot deadlock.
      const [a, b] = [fromId, intoId].sort();
      const locked = new Map<string, NeedsTable | undefined>();
      for (const id of [a!, b!]) locked.set(id, await repo.findForUpdate(trx, id));
      const from = locked.get(fromId);
      const into = locked.get(intoId);
      if (!from) throw AppError.notFound('Need');
      if (!into) throw AppError.invalid('intoNeedId', 'is not a need');
      if (from.stage === 'merged')
        throw new AppError('conflict', 'This need is already merged', { extra: { mergedInto: from.merged_into } });
      if (into.stage === 'merged') throw AppError.invalid('intoNeedId', 'is itself merged into another need');
      const moved = await repo.uniteSupports(trx, fromId, intoId, into.author_id);
      let authorAdded = false;
      if (from.author_id !== into.author_id) {
        authorAdded = await repo.insertSupport(trx, {
          need_id: intoId,
          member_id: from.author_id,
          created_at: from.created_at,
          intent_quantity: null,
          intent_max_unit_price: null,
          intent_currency: null,
        });
      }
      const count = await repo.recount(trx, intoId);
      let solutions = 0;
      let comments = 0;
      for (const hook of this.deps.ports.onMerge) {
        const r = await hook(trx, fromId, intoId);
        solutions += r.solutions ?? 0;
        comments += r.comments ?? 0;
      }
      await repo.addToCounts(trx, intoId, { solutions, comments });
      await repo.update(trx, fromId, {
        stage: 'merged',
        merged_into: intoId,
        stage_changed_at: nowIso,
        solution_count: from.solution_count - solutions,
        comment_count: from.comment_count - comments,
      });
      await this.publish(trx, 'need.merged', fromId, actor.memberId, {
        intoNeedId: intoId,
        fromAuthorId: from.author_id,
        intoAuthorId: into.author_id,
        supportersAdded: moved + (authorAdded ? 1 : 0),
        supportCount: count,
        solutionsMoved: solutions,
        commentsMoved: comments,
      });
      const intoRow = { ...into, support_count: count };
      if (effectiveStage(into, nowIso) === 'open') await this.climb(trx, intoRow, now, actor.memberId);
      return (await repo.find(trx, intoId))!;
    });
    return this.view(this.deps.db.kysely, row, actor);
  }

  /** An operator chooses the solution that answers the need. */
  async chooseSolution(actor: Actor, needId: string, solutionId: string) {
    const nowIso = this.nowIso();
    const row = await this.deps.db.transaction(async (trx) => {
      const need = await repo.findForUpdate(trx, needId);
      if (!need) throw AppError.notFound('Need');
      const stage = effectiveStage(need, nowIso);
      if (stage === 'merged' || stage === 'declined' || stage === 'expired') {
        throw new AppError('conflict', `A solution cannot be chosen for a ${stage} need`, { extra: { stage } });
      }
      if ((await this.deps.ports.solutionNeed(trx, solutionId)) !== needId) {
        throw AppError.invalid('solutionId', 'is not a solution of this need');
      }
      await repo.update(trx, needId, { chosen_solution_id: solutionId });
      await this.publish(trx, 'need.solution-chosen', needId, actor.memberId, { solutionId, previous: need.chosen_solution_id });
      return { ...need, chosen_solution_id: solutionId };
    });
    return this.view(this.deps.db.kysely, row, actor);
  }

  /**
   * Records the expiry of open needs whose deadline has passed (the read side already shows them as
   * expired). Safe to run in several processes at once. Returns how many it recorded.
   */
  async recordExpiries(batch = 500): Promise<number> {
    const nowIso = this.nowIso();
    return this.deps.db.transaction(async (trx) => {
      const rows = await repo.overdue(trx, nowIso, batch);
      for (const r of rows) {
        await repo.update(trx, r.id, { stage: 'expired', stage_changed_at: r.milestone_deadline ?? nowIso });
        await this.publish(trx, 'need.expired', r.id, null, {
          from: 'open',
          deadline: r.milestone_deadline,
          supportCount: r.support_count,
        });
      }
      return rows.length;
    });
  }

  /**
   * A need's facts other modules check before acting on it (solutions, comments). With `lock`, the
   * need's row is locked for the caller's transaction first (PostgreSQL), the order a merge or a
   * review takes locks in, so what the caller adds is never left behind on a need merged meanwhile.
   */
  async requireNeed(ex: Executor, needId: string, options: { lock?: boolean } = {}) {
    const row = options.lock ? await repo.findForUpdate(ex, needId) : await repo.find(ex, needId);
    if (!row) throw AppError.notFound('Need');
    return {
      id: row.id,
      authorId: row.author_id,
      stage: effectiveStage(row, this.nowIso()),
      chosenSolutionId: row.chosen_solution_id,
      mergedInto: row.merged_into,
    };
  }

  /** The chosen solution of each of these needs (null where none is chosen yet), in one query. */
  async chosenSolutions(ex: Executor, needIds: readonly string[]): Promise<Map<string, string | null>> {
    const rows = await repo.findMany(ex, [...new Set(needIds)]);
    return new Map(rows.map((r) => [r.id, r.chosen_solution_id]));
  }

  /** Counts solutions and comments on the need (kept by the modules that own them). */
  async addToCounts(trx: Executor, needId: string, by: { solutions?: number; comments?: number }): Promise<void> {
    await repo.addToCounts(trx, needId, by);
  }
}
