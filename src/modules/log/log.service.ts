import type { LogEntry, LoggedEntry, SignedTreeHead } from '../../contracts/log.js';
import { canonicalJson } from '../../platform/canonical-json.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import type { DomainEvent } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { type EntryPorts, entryFor, type NewLogEntry } from './log.entries.js';
import { nodeKey, logRepository as repo } from './log.repository.js';
import type { LogEntriesTable, LogEntryRefsTable, LogHeadsTable, LogStateTable } from './log.tables.js';
import {
  appendLeaves,
  consistencyPlan,
  type Hash,
  hashRanges,
  inclusionPlan,
  leafHash,
  type NodeId,
  nodesFor,
  type Range,
  rootOfFrontier,
} from './merkle.js';
import { type SigningKey, treeHeadBytes } from './signing-key.js';

export interface LogDeps {
  db: Database;
  clock: Clock;
  key: SigningKey;
  ports: EntryPorts & {
    /** A product's need, solution and name (for its trace). */
    product(id: string): Promise<{ id: string; name: string; needId: string; solutionId: string; chainGroupId: string }>;
    displayNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>>;
    organisationNames(ex: Executor, ids: readonly string[]): Promise<Map<string, string>>;
  };
  config: { headEveryEntries: number; headEverySeconds: number };
}

const MAX_ENTRIES = 1000;
const MAX_LEAVES = 2 ** 46;

const hex = (h: Uint8Array) => (Buffer.isBuffer(h) ? h : Buffer.from(h.buffer, h.byteOffset, h.byteLength)).toString('hex');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function headView(h: LogHeadsTable): SignedTreeHead {
  return {
    treeSize: h.tree_size,
    rootHash: hex(h.root_hash),
    timestamp: h.timestamp,
    signature: h.signature.toString('base64'),
  };
}

/** The kinds of entry a sale's co-creators are weighted by (see `creditsFor`). */
const CREDITED_KINDS = [
  'need.raised',
  'need.merged',
  'need.supported',
  'need.unsupported',
  'solution.proposed',
  'poll.ballot-cast',
  'poll.ballot-withdrawn',
  'trial.feedback-given',
];

function loggedEntry(row: { idx: number; leaf_input: string }): LoggedEntry {
  return { index: Number(row.idx), leafInput: b64(row.leaf_input), entry: JSON.parse(row.leaf_input) as LogEntry };
}

/**
 * The contribution log (贡献记录): an append-only RFC 6962 Merkle tree of contribution entries
 * with signed tree heads, inclusion and consistency proofs. Appends hold the one `log_state` row,
 * so any number of processes append without gaps or duplicates; every proof reads O(log n) stored
 * subtree hashes.
 */
export class LogService {
  constructor(private readonly deps: LogDeps) {}

  /** The public key heads are signed with, base64 of the raw 32 bytes. */
  publicKey(): { algorithm: 'Ed25519'; publicKey: string } {
    return { algorithm: 'Ed25519', publicKey: this.deps.key.publicKey.toString('base64') };
  }

  /**
   * Records this process's public key as the log's, or checks that it is the one already recorded:
   * processes sharing a database must share the key (`LOG_SIGNING_KEY`), or heads would disagree.
   */
  async checkKey(): Promise<void> {
    await this.deps.db.transaction(async (trx) => {
      await this.keyOf(trx, await repo.lockState(trx));
    });
  }

  /** Checks (or, the first time, records) the log's key, with the state row locked. */
  private async keyOf(trx: Executor, state: LogStateTable): Promise<void> {
    const mine = this.deps.key.publicKey.toString('base64');
    if (state.public_key === null) {
      await repo.saveState(trx, { public_key: mine });
      state.public_key = mine;
    } else if (state.public_key !== mine) {
      throw new Error(
        `this process's log signing key (${mine}) is not the log's (${state.public_key}): give every process the same LOG_SIGNING_KEY`,
      );
    }
  }

  /** The event subscriber: appends an entry for each contribution among the events, in their order. */
  async onEvents(events: readonly DomainEvent[], trx: Executor): Promise<void> {
    const entries: NewLogEntry[] = [];
    for (const e of events) {
      const entry = await entryFor(e, trx, this.deps.ports);
      if (entry) entries.push(entry);
    }
    if (entries.length > 0) await this.append(trx, entries);
  }

  /**
   * Appends entries in the caller's transaction, in order; returns the index of the first. Signs a
   * new head when `headEveryEntries` entries have come since the last one.
   */
  async append(trx: Executor, entries: readonly NewLogEntry[]): Promise<number> {
    const state = await repo.lockState(trx);
    const grown = this.grow(state, entries);
    const refs: LogEntryRefsTable[] = [];
    entries.forEach((e, i) => {
      const seen = new Set<string>();
      const add = (ref: string, role: LogEntryRefsTable['role']) => {
        if (seen.has(ref)) return;
        seen.add(ref);
        refs.push({ ref, idx: grown.rows[i]!.idx, role, kind: e.kind });
      };
      if (e.actor) add(e.actor, 'actor');
      for (const c of e.credits) add(c, 'credited');
      for (const s of Object.values(e.subjects)) add(s, 'subject');
    });
    await repo.append(trx, { entries: grown.rows, nodes: grown.nodes, refs });
    await repo.saveState(trx, { size: grown.state.size, frontier: grown.state.frontier });
    const head = await repo.latestHead(trx);
    if (!head || grown.state.size - head.tree_size >= this.deps.config.headEveryEntries)
      await this.signLocked(trx, grown.state, head);
    return Number(state.size);
  }

  /**
   * Appends entries in bulk, in one transaction, without the member and subject index and without
   * signing: for loading large logs (the `log` benchmark builds 10 million entries with it).
   */
  async bulkAppend(entries: readonly NewLogEntry[]): Promise<number> {
    return this.deps.db.transaction(async (trx) => {
      const state = await repo.lockState(trx);
      const grown = this.grow(state, entries);
      await repo.bulkInsert(trx, grown.rows, grown.nodes);
      await repo.saveState(trx, { size: grown.state.size, frontier: grown.state.frontier });
      return grown.state.size;
    });
  }

  /**
   * Loads `count` entries made by `entryAt(i)` in transactions of `chunk`, with the leaf-hash index
   * built once at the end: the `log` benchmark's 10-million-entry log. Not for a log in use.
   */
  async bulkLoad(count: number, entryAt: (i: number) => NewLogEntry, onProgress?: (size: number) => void, chunk = 50_000) {
    const ex = this.deps.db.kysely;
    await repo.dropLeafHashIndex(ex);
    let size = await this.size(ex);
    const target = size + count;
    while (size < target) {
      const n = Math.min(chunk, target - size);
      const from = size;
      size = await this.bulkAppend(Array.from({ length: n }, (_, i) => entryAt(from + i)));
      onProgress?.(size);
    }
    await repo.createLeafHashIndex(ex);
    await repo.analyze(ex);
    return size;
  }

  /** The rows, new complete subtrees and next state of appending entries to the log in `state`. */
  private grow(state: LogStateTable, given: readonly NewLogEntry[]) {
    const size = Number(state.size);
    // Node keys (level·2^46 + index) stay exact integers below 2^46 leaves.
    if (size + given.length > MAX_LEAVES) throw new Error(`the log holds at most ${MAX_LEAVES} entries`);
    // Each entry carries its own index, so that no two leaves are alike (a hash names one entry).
    const entries: LogEntry[] = given.map((e, i) => ({ ...e, index: size + i }));
    const inputs = entries.map((e) => canonicalJson(e));
    const leaves = inputs.map((s) => leafHash(Buffer.from(s, 'utf8')));
    const frontier = (JSON.parse(state.frontier) as string[]).map((h) => Buffer.from(h, 'hex'));
    const grown = appendLeaves(size, frontier, leaves);
    const rows: LogEntriesTable[] = entries.map((e, i) => ({
      idx: size + i,
      leaf_input: inputs[i]!,
      leaf_hash: leaves[i]!,
      kind: e.kind,
      occurred_at: e.at,
    }));
    return {
      rows,
      nodes: grown.nodes.map((n) => ({ id: nodeKey(n.level, n.index), hash: n.hash })),
      state: { ...state, size: size + entries.length, frontier: JSON.stringify(grown.frontier.map(hex)) } as LogStateTable,
    };
  }

  private async signLocked(trx: Executor, state: LogStateTable, previous: LogHeadsTable | undefined): Promise<LogHeadsTable> {
    // Never a head under another key than the log's, whatever the process was started with.
    await this.keyOf(trx, state);
    const treeSize = Number(state.size);
    const rootHash = rootOfFrontier((JSON.parse(state.frontier) as string[]).map((h) => Buffer.from(h, 'hex')));
    // Heads never go back in time, whatever the clocks of the processes signing them.
    const timestamp = Math.max(this.deps.clock.now().getTime(), previous?.timestamp ?? 0);
    const head: LogHeadsTable = {
      tree_size: treeSize,
      root_hash: rootHash,
      timestamp,
      signature: this.deps.key.sign(treeHeadBytes({ treeSize, timestamp, rootHash })),
    };
    await repo.insertHead(trx, head);
    return head;
  }

  /**
   * Signs a head for the log as it is, when entries came since the last head and either
   * `headEveryEntries` of them or `headEverySeconds` have passed (always, when there is no head yet).
   * The periodic job; safe in several processes (the state row is locked).
   */
  async signDue(): Promise<SignedTreeHead | null> {
    // A cheap look first, without a lock: most seconds nothing is due, and locking the state row
    // would take a transaction id (holding back event delivery) and queue behind the subscriber.
    const ex = this.deps.db.kysely;
    const [size, last] = [Number((await repo.state(ex)).size), await repo.latestHead(ex)];
    if (last && (size === last.tree_size || !this.isDue(size, last))) return null;
    return this.deps.db.transaction(async (trx) => {
      const state = await repo.lockState(trx);
      const head = await repo.latestHead(trx);
      const size = Number(state.size);
      return !head || this.isDue(size, head) ? headView(await this.signLocked(trx, state, head)) : null;
    });
  }

  private isDue(size: number, head: LogHeadsTable): boolean {
    return (
      size > head.tree_size &&
      (size - head.tree_size >= this.deps.config.headEveryEntries ||
        this.deps.clock.now().getTime() - head.timestamp >= this.deps.config.headEverySeconds * 1000)
    );
  }

  /** Signs a head for the log as it is now, unless the latest head already covers it. */
  async signNow(): Promise<SignedTreeHead> {
    return this.deps.db.transaction(async (trx) => {
      const state = await repo.lockState(trx);
      const head = await repo.latestHead(trx);
      if (head && head.tree_size === Number(state.size)) return headView(head);
      return headView(await this.signLocked(trx, state, head));
    });
  }

  /** Every head, smallest first, and the raw entries with their leaf hashes, in pages: what an export writes. */
  async exportParts() {
    const ex = this.deps.db.kysely;
    return {
      heads: (await repo.allHeads(ex)).map(headView),
      entries: (start: number, end: number) => repo.entriesWithHashes(ex, start, end),
    };
  }

  /** The latest signed head (the empty tree's is signed on first use). */
  async latestHead(): Promise<SignedTreeHead> {
    const head = await repo.latestHead(this.deps.db.kysely);
    if (head) return headView(head);
    await this.signDue();
    return headView((await repo.latestHead(this.deps.db.kysely))!);
  }

  /** Every signed head, largest first. */
  async heads(limit: number, cursor?: string) {
    const below = cursor ? decodeCursor(cursor, ['number'] as const)[0] : undefined;
    const rows = await repo.heads(this.deps.db.kysely, limit + 1, below);
    const page = pageOf(rows, limit, (h) => [h.tree_size]);
    return { items: page.items.map(headView), nextCursor: page.nextCursor };
  }

  /** The number of entries appended (heads may lag behind it). */
  async size(ex: Executor = this.deps.db.kysely): Promise<number> {
    return Number((await repo.state(ex)).size);
  }

  /** Entries [start, end] (end inclusive, as RFC 6962 get-entries), at most 1,000, fewer at the end of the log. */
  async entries(start: number, end: number): Promise<{ entries: LoggedEntry[] }> {
    const ex = this.deps.db.kysely;
    const size = await this.size(ex);
    if (start >= size) throw AppError.invalid('start', `is beyond the log, which has ${size} entries`);
    const last = Math.min(end, start + MAX_ENTRIES - 1, size - 1);
    return { entries: (await repo.entries(ex, start, last)).map(loggedEntry) };
  }

  /**
   * The hashes of ranges of the tree of `treeSize`, reading their complete subtrees in one
   * statement. Every subtree of a tree no larger than the log is stored, so a missing one means
   * `treeSize` is beyond the log (checked then, not on every proof).
   */
  private async hashes(ex: Executor, ranges: readonly Range[], sizeField: string, treeSize: number): Promise<Hash[]> {
    const needed = nodesFor(ranges);
    const found = await repo.hashes(
      ex,
      needed.map((n) => nodeKey(n.level, n.index)),
    );
    if (found.size < needed.length) {
      const size = await this.size(ex);
      if (treeSize > size) throw AppError.invalid(sizeField, `is beyond the log, which has ${size} entries`);
      throw new Error(`the log of ${size} entries lacks subtrees of the tree of ${treeSize}`);
    }
    return hashRanges(ranges, (n: NodeId) => found.get(nodeKey(n.level, n.index))!);
  }

  private async treeSizeOrHead(treeSize: number | undefined): Promise<number> {
    return treeSize ?? (await this.latestHead()).treeSize;
  }

  /** The audit path of an entry (by index or leaf hash) in the tree of `treeSize` (default: the latest head's). */
  async inclusionProof(q: { index?: number; hash?: string; treeSize?: number }) {
    const ex = this.deps.db.kysely;
    const treeSize = await this.treeSizeOrHead(q.treeSize);
    let index = q.index;
    if (index === undefined) {
      const found = await repo.indexOfLeafHash(ex, Buffer.from(q.hash!, 'hex'));
      if (found === null) throw AppError.notFound('Log entry with this leaf hash');
      index = found;
    }
    if (index >= treeSize) {
      throw AppError.invalid(q.hash ? 'hash' : 'index', `is not in the tree of ${treeSize} entries`);
    }
    const [leaf, ...path] = await this.hashes(
      ex,
      [{ start: index, end: index + 1 }, ...inclusionPlan(index, treeSize)],
      'treeSize',
      treeSize,
    );
    return { index, treeSize, leafHash: hex(leaf!), auditPath: path.map(hex) };
  }

  /** The proof that the tree of `first` entries is a prefix of the tree of `second`. */
  async consistencyProof(first: number, second: number) {
    const proof = await this.hashes(this.deps.db.kysely, consistencyPlan(first, second), 'second', second);
    if (proof.length === 0 && second > (await this.size())) throw AppError.invalid('second', 'is beyond the log');
    return { first, second, proof: proof.map(hex) };
  }

  /** A member's entries (as actor or credited), newest first, optionally of one kind. */
  async contributions(memberId: string, q: { kind?: string; limit: number; cursor?: string }) {
    const ex = this.deps.db.kysely;
    const before = q.cursor ? decodeCursor(q.cursor, ['number'] as const)[0] : undefined;
    const refs = await repo.refs(ex, memberId, {
      kinds: q.kind ? [q.kind] : undefined,
      roles: ['actor', 'credited'],
      beforeIdx: before,
      limit: q.limit + 1,
    });
    const page = pageOf(refs, q.limit, (r) => [Number(r.idx)]);
    const rows = new Map(
      (
        await repo.entriesAt(
          ex,
          page.items.map((r) => Number(r.idx)),
        )
      ).map((r) => [Number(r.idx), r]),
    );
    return {
      items: page.items.map((r) => ({ ...loggedEntry(rows.get(Number(r.idx))!), role: r.role as 'actor' | 'credited' })),
      nextCursor: page.nextCursor,
    };
  }

  /**
   * The entries about a need and its product that credit these parties (members as actor or
   * credited, organisations as the subject of a solution they proposed) with the contributions a
   * sale's pool is weighted by — need raised or merged, support given or withdrawn, solution
   * proposed, ballot cast or withdrawn, trial feedback — and the need's solution choices, oldest
   * first, with the log's size when read. Read through `ex` (the ledger's posting transaction).
   */
  async creditsFor(ex: Executor, q: { needId: string; productId: string; partyIds: readonly string[] }) {
    const credited = await repo.namingBoth(ex, q.partyIds, CREDITED_KINDS, [q.needId, q.productId]);
    const chosen = (await repo.refs(ex, q.needId, { kinds: ['need.solution-chosen'], limit: 100 })).map((r) => Number(r.idx));
    const indexes = [...new Set([...credited, ...chosen])].sort((a, b) => a - b);
    const entries: LogEntry[] = [];
    for (let i = 0; i < indexes.length; i += 1000) {
      for (const r of await repo.entriesAt(ex, indexes.slice(i, i + 1000))) entries.push(loggedEntry(r).entry);
    }
    return { size: (await repo.state(ex)).size, entries };
  }

  /** The log index of each order's `order.paid` entry, for the orders logged (read through `ex`). */
  paidIndexes(ex: Executor, orderIds: readonly string[]): Promise<Map<string, number>> {
    return repo.firstOfKind(ex, orderIds, 'order.paid');
  }

  /**
   * A product's trace, read from the log alone: co-created by (the need raised, its first
   * supporters, the chosen solution proposed, polls decided), made by (bids awarded, lots produced
   * and their QA), delivered (lots shipped and delivered), and the orders fulfilled from its lots.
   */
  async trace(productId: string, firstSupporters = 10) {
    const product = await this.deps.ports.product(productId);
    const ex = this.deps.db.kysely;
    const oldest = async (ref: string, kinds: string[], limit: number) =>
      (await repo.refs(ex, ref, { kinds, limit, oldestFirst: true })).map((r) => Number(r.idx));
    const chosen = await repo.refs(ex, product.needId, { kinds: ['need.solution-chosen'], limit: 1 });
    const cocreated = [
      ...(await oldest(product.needId, ['need.raised'], 1)),
      ...(await oldest(product.needId, ['need.supported'], firstSupporters)),
      ...(await oldest(product.solutionId, ['solution.proposed'], 1)),
      ...chosen.map((r) => Number(r.idx)),
      ...(await oldest(product.needId, ['poll.decided'], 50)),
    ];
    const made = [
      ...(await oldest(product.chainGroupId, ['bid.awarded'], 50)),
      ...(await oldest(productId, ['lot.produced', 'lot.qa-recorded'], 500)),
    ];
    const delivered = await oldest(productId, ['lot.shipped', 'lot.delivered'], 500);
    const all = [...new Set([...cocreated, ...made, ...delivered])];
    const rows = new Map<number, LoggedEntry>();
    for (let i = 0; i < all.length; i += 1000) {
      for (const r of await repo.entriesAt(ex, all.slice(i, i + 1000))) rows.set(Number(r.idx), loggedEntry(r));
    }
    const actors = [...new Set([...rows.values()].map((r) => r.entry.actor).filter((a): a is string => a !== null))];
    const orgs = [...new Set([...rows.values()].map((r) => r.entry.subjects.organisationId).filter((o): o is string => !!o))];
    const names = await this.deps.ports.displayNames(ex, actors);
    const orgNames = await this.deps.ports.organisationNames(ex, orgs);
    const step = (idx: number) => {
      const r = rows.get(idx)!;
      const actor = r.entry.actor;
      const org = r.entry.subjects.organisationId;
      return {
        ...r,
        actor: actor ? { id: actor, displayName: names.get(actor) ?? '' } : null,
        organisation: org ? { id: org, name: orgNames.get(org) ?? '' } : null,
      };
    };
    const byIndex = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b).map(step);
    return {
      product: { id: product.id, name: product.name, needId: product.needId },
      cocreated: byIndex(cocreated),
      made: byIndex(made),
      delivered: byIndex(delivered),
      fulfilled: await repo.fulfilledOf(ex, productId),
    };
  }
}
