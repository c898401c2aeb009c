import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError, type FieldProblem } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { CommunitiesService } from '../communities/index.js';
import type { NeedsService } from '../needs/index.js';
import type { SolutionsService } from '../solutions/index.js';
import { type PollListFilter, pollsRepository as repo } from './polls.repository.js';
import type { PollsTable } from './polls.tables.js';

/**
 * A member dimension to break results down by: for each of the given members, the values they
 * have in it (a member may have none, or several — a voter counts in each).
 */
export type Dimension = (ex: Executor, memberIds: readonly string[]) => Promise<Map<string, string[]>>;

export interface PollsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  needs: NeedsService;
  solutions: SolutionsService;
  communities: CommunitiesService;
  /** Who leads the chain group formed around a need (leads open and decide its polls). */
  chainGroups: { isLeadOfNeed(ex: Executor, needId: string, memberId: string): Promise<boolean> };
  /** Further breakdown dimensions (segment, fan tier…), beside the built-in `community`. */
  dimensions?: Record<string, Dimension>;
}

export type PollState = 'upcoming' | 'open' | 'closed';

export interface PollOption {
  id: string;
  text: string;
  imageUrl: string | null;
}

export interface NewPoll {
  needId?: string;
  solutionId?: string;
  question: string;
  options: { text: string; imageUrl?: string }[];
  mode: 'single' | 'multiple';
  maxChoices?: number;
  opensAt: string;
  closesAt: string;
  resultsVisibility: 'live' | 'after_close';
}

interface Ballot {
  choices: string[];
  castAt: string;
  updatedAt: string;
}

/** Whether a poll is upcoming, open or closed at `now` (ISO strings compare in time order). */
export function pollState(row: Pick<PollsTable, 'opens_at' | 'closes_at'>, now: string): PollState {
  if (now < row.opens_at) return 'upcoming';
  return now < row.closes_at ? 'open' : 'closed';
}

const optionsOf = (row: PollsTable): PollOption[] => JSON.parse(row.options);

/** Polls (征集): spec decisions put to the community, one changeable ballot per member, results by dimension. */
export class PollsService {
  /** The dimensions `?by=` accepts; add an entry to add one. */
  readonly dimensions: Record<string, Dimension>;

  constructor(private readonly deps: PollsDeps) {
    this.dimensions = {
      community: (ex, memberIds) => deps.communities.communitiesOf(ex, memberIds),
      ...deps.dimensions,
    };
  }

  private nowIso(): string {
    return this.deps.clock.now().toISOString();
  }

  /**
   * Who may open, and decide, a poll: operators, and the leads of the chain group formed around the
   * poll's need (a poll on a solution belongs to the solution's need).
   */
  private async mayManage(
    ex: Executor,
    actor: Actor | null | undefined,
    target: { needId?: string | null; solutionId?: string | null },
  ): Promise<boolean> {
    if (!actor) return false;
    if (actor.roles.includes('operator')) return true;
    const needId =
      target.needId ?? (target.solutionId ? (await this.deps.solutions.requireSolution(ex, target.solutionId)).needId : null);
    return needId ? this.deps.chainGroups.isLeadOfNeed(ex, needId, actor.memberId) : false;
  }

  private publish(trx: Executor, type: string, row: PollsTable, actorId: string, payload: Record<string, unknown>) {
    return this.deps.events.publish(trx, {
      type,
      aggregateType: 'poll',
      aggregateId: row.id,
      actorId,
      payload: { pollId: row.id, needId: row.need_id, solutionId: row.solution_id, ...payload },
    });
  }

  private view(row: PollsTable, now: string, myBallot?: Ballot | null) {
    return {
      id: row.id,
      needId: row.need_id,
      solutionId: row.solution_id,
      question: row.question,
      options: optionsOf(row),
      mode: row.mode,
      maxChoices: row.max_choices,
      opensAt: row.opens_at,
      closesAt: row.closes_at,
      resultsVisibility: row.results_visibility,
      state: pollState(row, now),
      decidedOptionId: row.decided_option_id,
      decidedAt: row.decided_at,
      createdBy: row.created_by,
      createdAt: row.created_at,
      ...(myBallot === undefined ? {} : { myBallot }),
    };
  }

  private async views(ex: Executor, rows: PollsTable[], actor?: Actor | null) {
    const now = this.nowIso();
    const ballots = actor
      ? await repo.ballotsAmong(
          ex,
          actor.memberId,
          rows.map((r) => r.id),
        )
      : undefined;
    return rows.map((r) => {
      const ballot = ballots?.get(r.id);
      return this.view(r, now, ballots ? (ballot ? { ...ballot, choices: inOptionOrder(r, ballot.choices) } : null) : undefined);
    });
  }

  private async require(ex: Executor, id: string, options: { lock?: boolean } = {}): Promise<PollsTable> {
    const row = options.lock ? await repo.findForUpdate(ex, id) : await repo.find(ex, id);
    if (!row) throw AppError.notFound('Poll');
    return row;
  }

  /** Locks a poll that takes ballots now: 409 before it opens and once it has closed. */
  private async lockOpen(trx: Executor, id: string): Promise<PollsTable> {
    const row = await this.require(trx, id, { lock: true });
    const state = pollState(row, this.nowIso());
    if (state === 'upcoming') {
      throw new AppError('conflict', `The poll is not open yet; it opens at ${row.opens_at}`, { extra: { state } });
    }
    if (state === 'closed') {
      throw new AppError('conflict', `The poll closed at ${row.closes_at}; ballots are final`, { extra: { state } });
    }
    return row;
  }

  /**
   * An operator opens a poll on a need or a solution.
   * @example createPoll(op, { needId, question: '容量?', options: [{ text: '375 ml' }, { text: '500 ml' }], mode: 'single', opensAt, closesAt, resultsVisibility: 'live' })
   */
  async createPoll(actor: Actor, input: NewPoll) {
    const target = { needId: input.needId, solutionId: input.solutionId };
    const allowed = await this.mayManage(this.deps.db.kysely, actor, target).catch((err: unknown) => {
      // An unknown need or solution is the caller's mistake, reported by the checks below.
      if (err instanceof AppError && err.kind === 'not_found') return actor.roles.includes('operator');
      throw err;
    });
    if (!allowed) throw new AppError('forbidden', 'Only operators and the leads of the need’s chain group open polls');
    const now = this.deps.clock.now();
    const errors: FieldProblem[] = [];
    if ((input.needId === undefined) === (input.solutionId === undefined)) {
      errors.push({ path: 'needId', message: 'give exactly one of needId and solutionId' });
    }
    const opensAt = new Date(input.opensAt).toISOString();
    const closesAt = new Date(input.closesAt).toISOString();
    if (closesAt <= opensAt) errors.push({ path: 'closesAt', message: 'must be after opensAt' });
    else if (closesAt <= now.toISOString()) errors.push({ path: 'closesAt', message: 'is in the past' });
    let maxChoices = input.maxChoices ?? (input.mode === 'single' ? 1 : input.options.length);
    if (input.mode === 'single' && maxChoices !== 1) {
      errors.push({ path: 'maxChoices', message: 'is 1 for a single-choice poll' });
      maxChoices = 1;
    }
    if (maxChoices > input.options.length) errors.push({ path: 'maxChoices', message: 'is more than the number of options' });
    const seen = new Set<string>();
    input.options.forEach((o, i) => {
      if (seen.has(o.text)) errors.push({ path: `options.${i}.text`, message: 'repeats another option' });
      seen.add(o.text);
    });
    const options: PollOption[] = input.options.map((o, i) => ({
      id: `opt${i + 1}`,
      text: o.text,
      imageUrl: o.imageUrl ?? null,
    }));

    const row = await this.deps.db.transaction(async (trx) => {
      if (errors.length === 0) {
        const missing = await this.missingTarget(trx, input);
        if (missing) errors.push(missing);
      }
      if (errors.length > 0)
        throw new AppError('validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
      const row: PollsTable = {
        id: newId('poll', now),
        need_id: input.needId ?? null,
        solution_id: input.solutionId ?? null,
        question: input.question,
        options: JSON.stringify(options),
        mode: input.mode,
        max_choices: maxChoices,
        opens_at: opensAt,
        closes_at: closesAt,
        results_visibility: input.resultsVisibility,
        decided_option_id: null,
        decided_at: null,
        decided_by: null,
        created_by: actor.memberId,
        created_at: now.toISOString(),
      };
      await repo.insert(trx, row);
      await this.publish(trx, 'poll.opened', row, actor.memberId, {
        question: row.question,
        optionIds: options.map((o) => o.id),
        opensAt,
        closesAt,
      });
      return row;
    });
    return this.view(row, now.toISOString());
  }

  /** The field naming a need or solution that does not exist, if any. */
  private async missingTarget(ex: Executor, input: Pick<NewPoll, 'needId' | 'solutionId'>): Promise<FieldProblem | null> {
    try {
      if (input.needId !== undefined) await this.deps.needs.requireNeed(ex, input.needId);
      if (input.solutionId !== undefined) await this.deps.solutions.requireSolution(ex, input.solutionId);
      return null;
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'not_found') throw err;
      return input.needId !== undefined
        ? { path: 'needId', message: 'no such need' }
        : { path: 'solutionId', message: 'no such solution' };
    }
  }

  /** One poll, with the caller's ballot when signed in. */
  async getPoll(id: string, actor?: Actor | null) {
    const row = await this.require(this.deps.db.kysely, id);
    return (await this.views(this.deps.db.kysely, [row], actor))[0]!;
  }

  /** Polls newest first, by need, solution and state (judged now). */
  async listPolls(filter: PollListFilter, limit: number, cursor: string | undefined, actor?: Actor | null) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.list(ex, filter, this.nowIso(), limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items, actor), nextCursor: page.nextCursor };
  }

  /** Checks a ballot's choices against the poll: known, distinct, 1..maxChoices; returns them in option order. */
  private checkChoices(row: PollsTable, choices: readonly string[]): string[] {
    const known = new Set(optionsOf(row).map((o) => o.id));
    const unknown = choices.filter((c) => !known.has(c));
    if (unknown.length > 0) throw AppError.invalid('choices', `not options of this poll: ${unknown.join(', ')}`);
    if (new Set(choices).size !== choices.length) throw AppError.invalid('choices', 'must be distinct');
    if (choices.length < 1) throw AppError.invalid('choices', 'choose at least one option');
    if (choices.length > row.max_choices) {
      throw AppError.invalid(
        'choices',
        row.mode === 'single' ? 'choose one option' : `choose at most ${row.max_choices} options`,
      );
    }
    return inOptionOrder(row, choices);
  }

  /** Casts the caller's ballot, or replaces it while the poll is open; the same choices again change nothing. */
  async castBallot(actor: Actor, id: string, choices: readonly string[]): Promise<Ballot> {
    return this.deps.db.transaction(async (trx) => {
      const row = await this.lockOpen(trx, id);
      const chosen = this.checkChoices(row, choices);
      const now = this.nowIso();
      const existing = await repo.findBallot(trx, id, actor.memberId);
      if (!existing) {
        await repo.insertBallot(trx, { poll_id: id, member_id: actor.memberId, cast_at: now, updated_at: now }, chosen);
        await this.publish(trx, 'poll.ballot-cast', row, actor.memberId, { memberId: actor.memberId, choices: chosen });
        return { choices: chosen, castAt: now, updatedAt: now };
      }
      const previous = inOptionOrder(row, await repo.choicesOf(trx, id, actor.memberId));
      if (previous.join('\n') === chosen.join('\n')) {
        return { choices: previous, castAt: existing.cast_at, updatedAt: existing.updated_at };
      }
      await repo.replaceChoices(trx, id, actor.memberId, chosen, now);
      await this.publish(trx, 'poll.ballot-changed', row, actor.memberId, {
        memberId: actor.memberId,
        choices: chosen,
        previous,
      });
      return { choices: chosen, castAt: existing.cast_at, updatedAt: now };
    });
  }

  /** Withdraws the caller's ballot while the poll is open; idempotent. */
  async withdrawBallot(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      const row = await this.lockOpen(trx, id);
      const previous = inOptionOrder(row, await repo.choicesOf(trx, id, actor.memberId));
      if (!(await repo.deleteBallot(trx, id, actor.memberId))) return;
      await this.publish(trx, 'poll.ballot-withdrawn', row, actor.memberId, { memberId: actor.memberId, previous });
    });
  }

  /**
   * Counts per option and voters, optionally broken down by a member dimension (`by`). Hidden
   * (`results: null`) while an `after_close` poll has not closed, except to those who manage it.
   */
  async getResults(id: string, actor: Actor | null | undefined, by?: string) {
    const dimension = by === undefined ? undefined : this.dimensions[by];
    if (by !== undefined && !dimension) {
      throw AppError.invalid('by', `is not a known dimension (known: ${Object.keys(this.dimensions).join(', ')})`);
    }
    const ex = this.deps.db.kysely;
    const row = await this.require(ex, id);
    const state = pollState(row, this.nowIso());
    const head = { pollId: row.id, state, resultsVisibility: row.results_visibility };
    const visible =
      row.results_visibility === 'live' ||
      state === 'closed' ||
      (await this.mayManage(ex, actor, { needId: row.need_id, solutionId: row.solution_id }));
    if (!visible) return { ...head, results: null };
    const options = optionsOf(row);

    if (!dimension) {
      const { counts, voters } = await repo.tally(ex, id);
      return {
        ...head,
        results: {
          voters,
          options: options.map((o) => ({ optionId: o.id, text: o.text, count: counts.get(o.id) ?? 0 })),
          breakdown: null,
        },
      };
    }

    // One read of every choice: the counts, the voters and the breakdown agree with each other.
    const pairs = await repo.allChoices(ex, id);
    const voterIds = [...new Set(pairs.map((p) => p.member_id))];
    const valuesOf = await dimension(ex, voterIds);
    const groupsOf = (memberId: string) => [...new Set(valuesOf.get(memberId) ?? [])];
    const tally = () => ({ all: 0, groups: {} as Record<string, number>, ungrouped: 0 });
    const add = (t: ReturnType<typeof tally>, memberId: string) => {
      t.all++;
      const groups = groupsOf(memberId);
      if (groups.length === 0) t.ungrouped++;
      for (const g of groups) t.groups[g] = (t.groups[g] ?? 0) + 1;
    };
    const voters = tally();
    for (const m of voterIds) add(voters, m);
    const perOption = new Map(options.map((o) => [o.id, tally()]));
    for (const p of pairs) {
      const t = perOption.get(p.option_id);
      if (t) add(t, p.member_id);
    }
    return {
      ...head,
      results: {
        voters: voters.all,
        options: options.map((o) => ({ optionId: o.id, text: o.text, count: perOption.get(o.id)!.all })),
        breakdown: {
          by: by!,
          groups: Object.keys(voters.groups).sort(),
          voters,
          options: options.map((o) => ({ optionId: o.id, ...perOption.get(o.id)! })),
        },
      },
    };
  }

  /** Marks a closed poll's winning option as the decided spec (409 before it closes or once decided otherwise). */
  async decide(actor: Actor, id: string, optionId: string) {
    const row = await this.deps.db.transaction(async (trx) => {
      const row = await this.require(trx, id, { lock: true });
      if (!(await this.mayManage(trx, actor, { needId: row.need_id, solutionId: row.solution_id }))) {
        throw new AppError('forbidden', 'Only operators and the leads of the need’s chain group decide polls');
      }
      const now = this.nowIso();
      if (pollState(row, now) !== 'closed') {
        throw new AppError('conflict', `The poll is not closed yet; decide after ${row.closes_at}`);
      }
      const option = optionsOf(row).find((o) => o.id === optionId);
      if (!option) throw AppError.invalid('optionId', 'is not an option of this poll');
      if (row.decided_option_id === optionId) return row;
      if (row.decided_option_id !== null) {
        throw new AppError('conflict', `The poll is already decided for ${row.decided_option_id}`, {
          extra: { decidedOptionId: row.decided_option_id },
        });
      }
      await repo.decide(trx, id, optionId, actor.memberId, now);
      await this.publish(trx, 'poll.decided', row, actor.memberId, { optionId, text: option.text });
      return { ...row, decided_option_id: optionId, decided_by: actor.memberId, decided_at: now };
    });
    return this.view(row, this.nowIso());
  }

  /** A poll's decided spec, for the product it is attached to (null until decided). */
  async decisionOf(ex: Executor, id: string): Promise<{ pollId: string; question: string; option: PollOption } | null> {
    const row = await this.require(ex, id);
    const option = optionsOf(row).find((o) => o.id === row.decided_option_id);
    return option ? { pollId: row.id, question: row.question, option } : null;
  }
}

/** Choices sorted in the poll's option order (how ballots are stored and shown). */
function inOptionOrder(row: PollsTable, choices: readonly string[]): string[] {
  const order = new Map(optionsOf(row).map((o, i) => [o.id, i]));
  return [...choices].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}
