import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Database, Executor } from '../db/database.js';
import { type OutboxRow, type Position, outboxRepository as repo } from './outbox.repository.js';

/** Something that happened, as stored in the outbox and handed to subscribers. */
export interface DomainEvent<P = Record<string, unknown>> {
  /** Position in the outbox; increases with commit order per aggregate. */
  id: number;
  /** `module.past-tense`, e.g. `need.supported`. */
  type: string;
  aggregateType: string;
  aggregateId: string;
  actorId: string | null;
  payload: P;
  occurredAt: string;
}

export interface NewEvent<P = Record<string, unknown>> {
  type: string;
  aggregateType: string;
  aggregateId: string;
  actorId?: string | null;
  payload: P;
}

/**
 * Handles one event inside the transaction that advances the subscription's cursor: what it writes
 * with `trx` commits together with the progress, so database effects happen exactly once.
 * Effects outside the database (mail, webhooks) happen at least once.
 *
 * Read and write only through `trx` (pass it to other modules' services). On SQLite the worker holds
 * the one connection while the handler runs, so a query through the database itself would wait for
 * the handler, which waits for the query: the worker would hang.
 */
export type EventHandler = (event: DomainEvent, trx: Executor) => Promise<void>;

/**
 * Handles a batch of events (up to 200, in order) in one savepoint of the delivery transaction:
 * for subscribers that write one row per event, one statement for the batch. If it throws, the
 * events are handled again one at a time (each a batch of one), so that the progress before the
 * failing event is kept and only that event is retried. The same rules as `EventHandler` apply.
 */
export type BatchEventHandler = (events: readonly DomainEvent[], trx: Executor) => Promise<void>;

export interface SubscribeOptions {
  /** Only these event types; others are passed over without calling the handler. */
  types?: readonly string[];
  /** A new subscription starts after the events already stored, instead of replaying them all. */
  startAtEnd?: boolean;
  /**
   * Another subscriber whose effects this one reads: it is delivered no event that one has not
   * handled yet (e.g. the ledger weighs a sale by contribution log entries, so it follows the log).
   */
  after?: string;
}

interface Subscription extends SubscribeOptions {
  name: string;
  handler: EventHandler;
  batchHandler?: BatchEventHandler;
}

const BATCH = 200;
const MAX_BACKOFF_MS = 5 * 60_000;

const comparePositions = (a: Position, b: Position) => a.txid - b.txid || a.id - b.id;

function toEvent(row: OutboxRow): DomainEvent {
  return {
    id: Number(row.id),
    type: row.type,
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    actorId: row.actor_id,
    payload: JSON.parse(row.payload),
    occurredAt: row.occurred_at,
  };
}

/**
 * The transactional outbox: modules `publish` inside their own transaction; the worker delivers
 * each event to every subscriber, in commit order (so in order per aggregate), at least once, and
 * survives restarts because each subscriber's position is stored. Any number of processes may run
 * the worker on one PostgreSQL: a subscriber's row is locked (`FOR UPDATE SKIP LOCKED`) while one
 * process delivers to it.
 */
export class EventBus {
  private readonly subscriptions = new Map<string, Subscription>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private prepared = false;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly pollMs = 250,
  ) {}

  /** Writes an event in the caller's transaction. */
  async publish(trx: Executor, event: NewEvent): Promise<number> {
    return repo.insert(trx, this.toRow(event));
  }

  /** Writes several events in the caller's transaction, in order, with one statement. */
  async publishMany(trx: Executor, events: NewEvent[]): Promise<void> {
    await repo.insertMany(
      trx,
      events.map((e) => this.toRow(e)),
    );
  }

  private toRow(event: NewEvent) {
    return {
      type: event.type,
      aggregate_type: event.aggregateType,
      aggregate_id: event.aggregateId,
      actor_id: event.actorId ?? null,
      payload: JSON.stringify(event.payload),
      occurred_at: this.clock.now().toISOString(),
    };
  }

  /**
   * Registers a named subscriber. The name is its identity in the database: renaming it replays
   * every event to the new name.
   */
  subscribe(name: string, handler: EventHandler, options: SubscribeOptions = {}): void {
    if (this.subscriptions.has(name)) throw new Error(`subscriber ${name} is registered twice`);
    this.subscriptions.set(name, { name, handler, ...options });
    this.prepared = false;
  }

  /** Registers a named subscriber that handles the events of a delivery batch together (see `BatchEventHandler`). */
  subscribeBatch(name: string, handler: BatchEventHandler, options: SubscribeOptions = {}): void {
    this.subscribe(name, (event, trx) => handler([event], trx), options);
    this.subscriptions.get(name)!.batchHandler = handler;
  }

  /** Starts polling in the background. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      try {
        this.running = this.runOnce();
        await this.running;
      } catch (err) {
        this.log.error({ err }, 'event worker iteration failed');
      } finally {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(loop, this.pollMs);
      }
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops polling and waits for the delivery under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
  }

  /**
   * Delivers until every subscriber has caught up with the events committed before the call (or is
   * waiting to retry). For tests and the CLI.
   */
  async drain(maxRounds = 1000): Promise<void> {
    for (let i = 0; i < maxRounds; i++) {
      // On PostgreSQL an unrelated transaction still in flight holds back events committed after it
      // began; a pass that delivers nothing has only caught up when nothing was held back before it.
      const heldBack = await repo.hasHeldBack(this.db.kysely);
      if ((await this.runOnce()) > 0) continue;
      if (!heldBack) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('event bus did not drain');
  }

  /** One pass over every subscriber; returns the number of events delivered. */
  async runOnce(): Promise<number> {
    if (!this.prepared) {
      for (const s of this.subscriptions.values()) {
        if (s.after && !this.subscriptions.has(s.after))
          throw new Error(`subscriber ${s.name} follows ${s.after}, which is not registered`);
      }
      const now = this.clock.now().toISOString();
      for (const s of this.subscriptions.values()) {
        await this.db.transaction((trx) => repo.ensureSubscription(trx, s.name, now, s.startAtEnd ?? false));
      }
      this.prepared = true;
    }
    let delivered = 0;
    for (const s of this.subscriptions.values()) delivered += await this.deliver(s);
    return delivered;
  }

  private async deliver(sub: Subscription): Promise<number> {
    // A cheap look first, outside any transaction: most passes find nothing new, and locking the
    // subscription would take a transaction id (holding back other writers' events) for nothing.
    const peek = await repo.peekSubscription(this.db.kysely, sub.name);
    const mark = await repo.highWaterMark(this.db.kysely);
    if (!peek || !mark || (peek.retry_at && peek.retry_at > this.clock.now().toISOString())) return 0;
    if (mark.txid === Number(peek.last_txid) && mark.id === Number(peek.last_id)) return 0;
    if (sub.after) {
      // A follower level with its leader has nothing to do yet either.
      const leader = await repo.peekSubscription(this.db.kysely, sub.after);
      if (!leader || (Number(leader.last_txid) === Number(peek.last_txid) && Number(leader.last_id) === Number(peek.last_id)))
        return 0;
    }
    const trx = await this.db.kysely.startTransaction().execute();
    let delivered = 0;
    try {
      const state = await repo.claimSubscription(trx, sub.name);
      const now = this.clock.now();
      if (!state || (state.retry_at && state.retry_at > now.toISOString())) {
        await trx.rollback().execute();
        return 0;
      }
      const after: Position = { txid: Number(state.last_txid), id: Number(state.last_id) };
      let upTo = await repo.highWaterMark(trx);
      if (upTo && sub.after) {
        const leader = await repo.peekSubscription(trx, sub.after);
        const limit: Position = leader ? { txid: Number(leader.last_txid), id: Number(leader.last_id) } : { txid: 0, id: 0 };
        if (comparePositions(limit, upTo) < 0) upTo = limit;
      }
      if (!upTo || comparePositions(upTo, after) <= 0) {
        await trx.rollback().execute();
        return 0;
      }
      const rows = await repo.readAfter(trx, after, upTo, sub.types, BATCH);
      let position = after;
      let failure: { event: DomainEvent; err: unknown } | undefined;
      let pending = rows;
      if (sub.batchHandler && rows.length > 1) {
        const sp = await trx.savepoint('batch').execute();
        try {
          await sub.batchHandler(rows.map(toEvent), sp);
          await sp.releaseSavepoint('batch').execute();
          const last = rows[rows.length - 1]!;
          position = { txid: Number(last.txid), id: Number(last.id) };
          delivered = rows.length;
          pending = [];
        } catch {
          // One at a time, to keep the progress before the failing event.
          await sp.rollbackToSavepoint('batch').execute();
        }
      }
      for (const row of pending) {
        const event = toEvent(row);
        const sp = await trx.savepoint('event').execute();
        try {
          await sub.handler(event, sp);
          await sp.releaseSavepoint('event').execute();
        } catch (err) {
          await sp.rollbackToSavepoint('event').execute();
          failure = { event, err };
          break;
        }
        position = { txid: Number(row.txid), id: Number(row.id) };
        delivered++;
      }
      // Every event up to the high-water mark was read when the batch was not full.
      if (!failure && rows.length < BATCH) position = upTo;
      const nowIso = now.toISOString();
      if (position !== after) await repo.saveProgress(trx, sub.name, position, nowIso);
      if (failure) {
        const attempts = state.attempts + 1;
        const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts - 1, 20));
        const message = failure.err instanceof Error ? failure.err.message : String(failure.err);
        await repo.saveFailure(trx, sub.name, message, new Date(now.getTime() + backoff).toISOString(), nowIso);
        this.log.error(
          { err: failure.err, subscriber: sub.name, eventId: failure.event.id, eventType: failure.event.type, attempts },
          'event subscriber failed; will retry',
        );
      }
      await trx.commit().execute();
      return delivered;
    } catch (err) {
      await trx
        .rollback()
        .execute()
        .catch(() => {});
      throw err;
    }
  }

  /** Every stored subscriber position, for operations. */
  status(): Promise<Awaited<ReturnType<typeof repo.listSubscriptions>>> {
    return repo.listSubscriptions(this.db.kysely);
  }

  /** The events of one aggregate, oldest first (for tests and audits). */
  async eventsOf(aggregateType: string, aggregateId: string): Promise<DomainEvent[]> {
    return (await repo.listForAggregate(this.db.kysely, aggregateType, aggregateId)).map(toEvent);
  }
}
