import type { CreateProductBody, UpdateProductBody } from '../../contracts/products.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { AppError, type FieldProblem } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { ChainGroupsService } from '../chain-groups/index.js';
import type { NeedsService } from '../needs/index.js';
import type { PollsService } from '../polls/index.js';
import { productsRepository as repo } from './products.repository.js';
import type { ProductSkusTable, ProductsTable } from './products.tables.js';

export interface ProductsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  needs: NeedsService;
  chainGroups: ChainGroupsService;
  /** Decided specs come from closed polls on the need and on its solution, through the polls module's service. */
  polls: Pick<PollsService, 'listPolls'>;
}

/** Need stages from which a product may be made. */
const MADE_FROM = new Set(['accepted', 'in_development', 'launched', 'delivered']);

interface StoredSpec {
  key: string;
  value: string;
  source: 'poll' | 'free';
  pollId: string | null;
}

interface SkuInput {
  code: string;
  name: string;
  attributes?: Record<string, string>;
}

const invalid = (problems: FieldProblem[]) =>
  new AppError('validation', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { errors: problems });

/** Field problems of free specs (keys distinct) and SKUs (codes distinct). */
function checkLists(input: { specs?: { key: string }[]; skus?: SkuInput[] }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const keys = new Set<string>();
  for (const [i, s] of (input.specs ?? []).entries()) {
    if (keys.has(s.key)) problems.push({ path: `specs.${i}.key`, message: 'is given twice' });
    keys.add(s.key);
  }
  const codes = new Set<string>();
  for (const [i, s] of (input.skus ?? []).entries()) {
    if (codes.has(s.code)) problems.push({ path: `skus.${i}.code`, message: 'is used twice in this product' });
    codes.add(s.code);
  }
  return problems;
}

const skuRows = (productId: string, skus: readonly SkuInput[]): ProductSkusTable[] =>
  skus.map((s, position) => ({
    product_id: productId,
    code: s.code,
    name: s.name,
    attributes: JSON.stringify(s.attributes ?? {}),
    position,
  }));

const freeSpecs = (specs: readonly { key: string; value: string }[]): StoredSpec[] =>
  specs.map((s) => ({ key: s.key, value: s.value, source: 'free', pollId: null }));

/** Products (产品): made from an accepted need's chosen solution, linked to its chain group and agreement. */
export class ProductsService {
  constructor(private readonly deps: ProductsDeps) {}

  private publish(trx: Executor, type: string, productId: string, actorId: string, payload: Record<string, unknown>) {
    return this.deps.events.publish(trx, {
      type,
      aggregateType: 'product',
      aggregateId: productId,
      actorId,
      payload: { productId, ...payload },
    });
  }

  /**
   * The decided specs of the closed polls on a need and on its solution, oldest poll first: the
   * question as key, the decided option's text as value. Polls without a decided option are left out.
   */
  private async pollSpecs(needId: string, solutionId: string): Promise<StoredSpec[]> {
    const specs = new Map<string, StoredSpec & { order: string }>();
    for (const filter of [{ needId }, { solutionId }]) {
      let cursor: string | undefined;
      do {
        const page = await this.deps.polls.listPolls({ ...filter, state: 'closed' }, 100, cursor);
        for (const poll of page.items) {
          const option = poll.options.find((o) => o.id === poll.decidedOptionId);
          if (option)
            specs.set(poll.id, { key: poll.question, value: option.text, source: 'poll', pollId: poll.id, order: poll.id });
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }
    return [...specs.values()].sort((a, b) => a.order.localeCompare(b.order)).map(({ order: _, ...s }) => s);
  }

  /** `{ version, acceptedByAll }` of each chain group's current agreement (version null before the first). */
  private async agreements(chainGroupIds: readonly string[]) {
    const out = new Map<string, { version: number | null; acceptedByAll: boolean }>();
    for (const id of new Set(chainGroupIds)) {
      try {
        const a = await this.deps.chainGroups.getAgreement(id);
        out.set(id, { version: a.version, acceptedByAll: a.acceptedByAll });
      } catch (err) {
        if (!(err instanceof AppError && err.kind === 'not_found')) throw err;
        out.set(id, { version: null, acceptedByAll: false });
      }
    }
    return out;
  }

  private async views(ex: Executor, rows: readonly ProductsTable[]) {
    const skus = await repo.listSkus(
      ex,
      rows.map((r) => r.id),
    );
    const agreements = await this.agreements(rows.map((r) => r.chain_group_id));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      description: r.description,
      needId: r.need_id,
      solutionId: r.solution_id,
      chainGroupId: r.chain_group_id,
      agreement: agreements.get(r.chain_group_id)!,
      images: JSON.parse(r.images) as string[],
      specs: JSON.parse(r.specs) as StoredSpec[],
      skus: skus
        .filter((s) => s.product_id === r.id)
        .map((s) => ({ code: s.code, name: s.name, attributes: JSON.parse(s.attributes) as Record<string, string> })),
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  private async view(row: ProductsTable) {
    return (await this.views(this.deps.db.kysely, [row]))[0]!;
  }

  /**
   * An operator makes a product from an accepted need: its chosen solution and its chain group (the
   * defaults; others are refused with 422), name, description, https images, free specs and SKUs.
   * The decided specs of closed polls on the need and the solution are attached. 409 while the need
   * has no chosen solution or no chain group.
   */
  async createProduct(actor: Actor, input: CreateProductBody) {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const problems = checkLists(input);
    if (problems.length > 0) throw invalid(problems);
    const precheck = await this.deps.needs.requireNeed(this.deps.db.kysely, input.needId);
    // Polls are read outside the transaction (the polls service reads through its own connection).
    const pollSpecs = precheck.chosenSolutionId ? await this.pollSpecs(input.needId, precheck.chosenSolutionId) : [];
    const row = await this.deps.db.transaction(async (trx) => {
      const need = await this.deps.needs.requireNeed(trx, input.needId, { lock: true });
      if (!MADE_FROM.has(need.stage)) {
        throw new AppError('conflict', `A product is made from an accepted need; this one is ${need.stage}`, {
          extra: { stage: need.stage },
        });
      }
      if (!need.chosenSolutionId) throw new AppError('conflict', 'The need has no chosen solution: choose one first');
      if (need.chosenSolutionId !== precheck.chosenSolutionId) {
        throw new AppError('conflict', 'The need’s chosen solution changed meanwhile; try again');
      }
      if (input.solutionId && input.solutionId !== need.chosenSolutionId) {
        throw AppError.invalid('solutionId', 'is not the need’s chosen solution');
      }
      const group = await this.deps.chainGroups.findForNeed(trx, input.needId);
      if (!group) throw new AppError('conflict', 'The need has no chain group: form one first');
      if (input.chainGroupId && input.chainGroupId !== group.id) {
        throw AppError.invalid('chainGroupId', 'is not the need’s chain group');
      }
      const row: ProductsTable = {
        id: newId('prod', now),
        need_id: input.needId,
        solution_id: need.chosenSolutionId,
        chain_group_id: group.id,
        name: input.name,
        description: input.description,
        images: JSON.stringify(input.images),
        specs: JSON.stringify([...pollSpecs, ...freeSpecs(input.specs)]),
        created_by: actor.memberId,
        created_at: nowIso,
        updated_at: nowIso,
      };
      await repo.insert(trx, row);
      await repo.replaceSkus(trx, row.id, skuRows(row.id, input.skus));
      await this.publish(trx, 'product.created', row.id, actor.memberId, {
        needId: row.need_id,
        solutionId: row.solution_id,
        chainGroupId: row.chain_group_id,
        name: row.name,
        skus: input.skus.map((s) => s.code),
        pollIds: pollSpecs.map((s) => s.pollId),
      });
      return row;
    });
    return this.view(row);
  }

  /** One product with its agreement's state, or not_found. */
  async getProduct(id: string) {
    const row = await repo.find(this.deps.db.kysely, id);
    if (!row) throw AppError.notFound('Product');
    return this.view(row);
  }

  /** Products' names by id (for other modules' views). */
  namesOf(ex: Executor, ids: readonly string[]): Promise<Map<string, string>> {
    return repo.names(ex, ids);
  }

  /** Products newest first, optionally of one need or chain group. */
  async listProducts(filter: { needId?: string; chainGroupId?: string }, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.list(ex, limit + 1, filter, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items), nextCursor: page.nextCursor };
  }

  /**
   * An operator changes a product's name, description, images, free specs or SKUs (each given list
   * replaces the old one). The decided poll specs are collected again. Announces what changed, if anything.
   */
  async updateProduct(actor: Actor, id: string, input: UpdateProductBody) {
    const nowIso = this.deps.clock.now().toISOString();
    const problems = checkLists(input);
    if (problems.length > 0) throw invalid(problems);
    const current = await repo.find(this.deps.db.kysely, id);
    if (!current) throw AppError.notFound('Product');
    const pollSpecs = await this.pollSpecs(current.need_id, current.solution_id);
    await this.deps.db.transaction(async (trx) => {
      const row = await repo.findForUpdate(trx, id);
      if (!row) throw AppError.notFound('Product');
      const oldSpecs = JSON.parse(row.specs) as StoredSpec[];
      const free = input.specs ? freeSpecs(input.specs) : oldSpecs.filter((s) => s.source === 'free');
      const next = {
        name: input.name ?? row.name,
        description: input.description ?? row.description,
        images: input.images ? JSON.stringify(input.images) : row.images,
        specs: JSON.stringify([...pollSpecs, ...free]),
      };
      const changed: string[] = (['name', 'description', 'images', 'specs'] as const).filter((k) => next[k] !== row[k]);
      if (input.skus) {
        const before = (await repo.listSkus(trx, [id])).map((s) => ({
          code: s.code,
          name: s.name,
          attributes: JSON.parse(s.attributes),
        }));
        const after = input.skus.map((s) => ({ code: s.code, name: s.name, attributes: s.attributes ?? {} }));
        if (JSON.stringify(before) !== JSON.stringify(after)) {
          await repo.replaceSkus(trx, id, skuRows(id, input.skus));
          changed.push('skus');
        }
      }
      if (changed.length === 0) return;
      await repo.update(trx, id, { ...next, updated_at: nowIso });
      await this.publish(trx, 'product.updated', id, actor.memberId, { fields: changed });
    });
    return this.getProduct(id);
  }
}
