import type { RecordLotBody, RecordQaBody, RecordShipmentBody } from '../../contracts/lots.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { AppError } from '../../platform/errors.js';
import type { EventBus } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import type { BidsService } from '../bids/index.js';
import type { OrganisationsService } from '../organisations/index.js';
import type { ProductsService } from '../products/index.js';
import { lotsRepository as repo } from './lots.repository.js';
import type { LotShipmentsTable, LotsTable } from './lots.tables.js';

export interface LotsDeps {
  db: Database;
  clock: Clock;
  events: EventBus;
  /** The product's need (lots are recorded against bids on its calls for production), and whether it exists. */
  products: Pick<ProductsService, 'getProduct' | 'namesOf'>;
  bids: Pick<BidsService, 'findBid'>;
  organisations: Pick<OrganisationsService, 'isPartnerOf' | 'namesOf'>;
}

/** What an order's fulfilment takes from a lot (see `LotsService.takeForFulfilment`). */
export interface FulfilmentTake {
  productId: string;
  /** The maker organisation the units come from. */
  organisationId: string;
  lotNumber: string;
  /** The order's units. */
  quantity: number;
  /** A correction: the lot the order was fulfilled from until now, which gets the units back. */
  previous?: { organisationId: string; lotNumber: string };
}

function shipmentView(row: LotShipmentsTable) {
  return {
    id: row.id,
    lotId: row.lot_id,
    quantity: row.quantity,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    destination: row.destination,
    shippedAt: row.shipped_at,
    deliveredAt: row.delivered_at,
  };
}
export type ShipmentView = ReturnType<typeof shipmentView>;

const conflictTaken = (lotNumber: string) =>
  new AppError('conflict', `Lot ${lotNumber} is already recorded for this product`, {
    errors: [{ path: 'lotNumber', message: 'is already used for this product' }],
  });

/**
 * The latest calendar date anywhere now (UTC+14, the earliest time zone): a production date after it
 * is in the future for everyone, one up to it is today somewhere.
 */
const latestDate = (now: Date) => new Date(now.getTime() + 14 * 3_600_000).toISOString().slice(0, 10);

/** Production lots (批次) that makers record against their awarded bids, their QA result and shipments; orders are fulfilled from them. */
export class LotsService {
  constructor(private readonly deps: LotsDeps) {}

  private publish(trx: Executor, type: string, lot: LotsTable, actorId: string, payload: Record<string, unknown>) {
    return this.deps.events.publish(trx, {
      type,
      aggregateType: 'lot',
      aggregateId: lot.id,
      actorId,
      payload: { lotId: lot.id, lotNumber: lot.lot_number, productId: lot.product_id, ...payload },
    });
  }

  /** Operators act for any maker; anyone else only for an organisation they are a partner of. */
  private async requireMaker(ex: Executor, actor: Actor, organisationId: string): Promise<void> {
    if (actor.roles.includes('operator')) return;
    if (!(await this.deps.organisations.isPartnerOf(ex, organisationId, actor.memberId))) {
      throw new AppError('forbidden', 'Only the partners of the lot’s maker organisation and operators record its production');
    }
  }

  /** Locks a lot's row for the transaction (the aggregate's lock, taken first), or not_found. */
  private async lockLot(trx: Executor, id: string): Promise<LotsTable> {
    const row = await repo.findForUpdate(trx, id);
    if (!row) throw AppError.notFound('Lot');
    return row;
  }

  private async views(ex: Executor, rows: readonly LotsTable[]) {
    const ids = rows.map((r) => r.id);
    const shipments = await repo.listShipments(ex, ids);
    const names = await this.deps.organisations.namesOf(
      ex,
      rows.map((r) => r.organisation_id),
    );
    return rows.map((r) => ({
      id: r.id,
      productId: r.product_id,
      bidId: r.bid_id,
      organisation: { id: r.organisation_id, name: names.get(r.organisation_id) ?? '' },
      lotNumber: r.lot_number,
      quantity: r.quantity,
      producedOn: r.produced_on,
      qa: { result: r.qa_result, notes: r.qa_notes, recordedAt: r.qa_recorded_at },
      unitsFulfilled: r.units_fulfilled,
      shipments: shipments.filter((s) => s.lot_id === r.id).map(shipmentView),
      createdAt: r.created_at,
    }));
  }

  /**
   * A maker records a lot it produced against its awarded bid on a call for production of the
   * product's need: a lot number unique within the product, the units, the production date (not in
   * the future). QA is pending until recorded. 422 naming the field for a bid that is unknown, not
   * awarded or not of this product, an organisation that is not the bid's, a date in the future, or
   * units that would take the bid's lots past its awarded quantity; 403 for anyone but the bid's
   * organisation's partners and operators; 409 when the lot number is taken.
   * @example await lots.recordLot(partner, productId, { bidId, lotNumber: 'SG-2026-01', quantity: 800, producedOn: '2026-03-01' });
   */
  async recordLot(actor: Actor, productId: string, input: RecordLotBody) {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const product = await this.deps.products.getProduct(productId);
    if (input.producedOn > latestDate(now)) throw AppError.invalid('producedOn', 'is in the future');
    const row = await this.deps.db
      .transaction(async (trx) => {
        // The bid's lock: two lots recorded against one bid at once are counted one after the other.
        const bid = await this.deps.bids.findBid(trx, input.bidId, { lock: true });
        if (bid?.status !== 'awarded' || bid.awardedQuantity === null) {
          throw AppError.invalid('bidId', 'is not an awarded bid');
        }
        if (bid.needId !== product.needId) {
          throw AppError.invalid('bidId', 'is not a bid on a call for production of this product’s need');
        }
        if (input.organisationId && input.organisationId !== bid.organisationId) {
          throw AppError.invalid('organisationId', 'is not the organisation of this bid');
        }
        await this.requireMaker(trx, actor, bid.organisationId);
        if (await repo.findByNumber(trx, productId, input.lotNumber)) throw conflictTaken(input.lotNumber);
        const recorded = await repo.unitsOfBid(trx, bid.id);
        if (recorded + input.quantity > bid.awardedQuantity) {
          throw new AppError(
            'validation',
            `quantity: the bid's lots would come to ${recorded + input.quantity} units, more than the ${bid.awardedQuantity} awarded`,
            {
              errors: [
                {
                  path: 'quantity',
                  message: `is more than the ${bid.awardedQuantity - recorded} units left of the bid’s awarded ${bid.awardedQuantity}`,
                },
              ],
              extra: { awardedQuantity: bid.awardedQuantity, recorded },
            },
          );
        }
        const row: LotsTable = {
          id: newId('lot', now),
          product_id: productId,
          bid_id: bid.id,
          call_id: bid.callId,
          organisation_id: bid.organisationId,
          lot_number: input.lotNumber,
          quantity: input.quantity,
          produced_on: input.producedOn,
          qa_result: 'pending',
          qa_notes: null,
          qa_recorded_by: null,
          qa_recorded_at: null,
          units_fulfilled: 0,
          created_by: actor.memberId,
          created_at: nowIso,
          updated_at: nowIso,
        };
        await repo.insert(trx, row);
        await this.publish(trx, 'lot.produced', row, actor.memberId, {
          needId: bid.needId,
          bidId: bid.id,
          callId: bid.callId,
          organisationId: bid.organisationId,
          quantity: row.quantity,
          producedOn: row.produced_on,
        });
        return row;
      })
      .catch((err) => {
        if (isUniqueViolation(err)) throw conflictTaken(input.lotNumber);
        throw err;
      });
    return (await this.views(this.deps.db.kysely, [row]))[0]!;
  }

  /** One lot with its shipments, or not_found. */
  async getLot(id: string) {
    const ex = this.deps.db.kysely;
    const row = await repo.find(ex, id);
    if (!row) throw AppError.notFound('Lot');
    return (await this.views(ex, [row]))[0]!;
  }

  /** A product's lots with their shipments, newest first; not_found for an unknown product. */
  async listLots(productId: string, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    if (!(await this.deps.products.namesOf(ex, [productId])).has(productId)) throw AppError.notFound('Product');
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.list(ex, productId, limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return { items: await this.views(ex, page.items), nextCursor: page.nextCursor };
  }

  /**
   * The maker (or an operator) records a lot's QA result, passed or failed, with notes; once for
   * good (409 after). Only a lot that passed ships and fulfils orders. The notes stay out of the event.
   */
  async recordQa(actor: Actor, id: string, input: RecordQaBody) {
    const nowIso = this.deps.clock.now().toISOString();
    await this.deps.db.transaction(async (trx) => {
      const lot = await this.lockLot(trx, id);
      await this.requireMaker(trx, actor, lot.organisation_id);
      if (lot.qa_result !== 'pending') {
        throw new AppError('conflict', `The lot's QA result is recorded already: ${lot.qa_result}`, {
          extra: { result: lot.qa_result },
        });
      }
      await repo.update(trx, id, {
        qa_result: input.result,
        qa_notes: input.notes || null,
        qa_recorded_by: actor.memberId,
        qa_recorded_at: nowIso,
        updated_at: nowIso,
      });
      await this.publish(trx, 'lot.qa-recorded', lot, actor.memberId, {
        organisationId: lot.organisation_id,
        result: input.result,
      });
    });
    return this.getLot(id);
  }

  /**
   * The maker (or an operator) ships units of a lot that passed QA (409 otherwise) to a destination
   * such as the brand's warehouse, with its carrier and tracking number; 422 when the lot's
   * shipments would come to more than its units. The tracking number stays out of the event.
   */
  async recordShipment(actor: Actor, lotId: string, input: RecordShipmentBody): Promise<ShipmentView> {
    const now = this.deps.clock.now();
    const row = await this.deps.db.transaction(async (trx) => {
      const lot = await this.lockLot(trx, lotId);
      await this.requireMaker(trx, actor, lot.organisation_id);
      if (lot.qa_result !== 'passed') {
        throw new AppError(
          'conflict',
          lot.qa_result === 'pending'
            ? 'The lot ships once its QA result is recorded as passed'
            : 'The lot failed QA: it does not ship',
          { extra: { qaResult: lot.qa_result } },
        );
      }
      const shipped = await repo.unitsShipped(trx, lotId);
      if (shipped + input.quantity > lot.quantity) {
        throw new AppError(
          'validation',
          `quantity: the lot's shipments would come to ${shipped + input.quantity} units, more than its ${lot.quantity}`,
          {
            errors: [
              { path: 'quantity', message: `is more than the ${lot.quantity - shipped} units of the lot not shipped yet` },
            ],
            extra: { quantity: lot.quantity, shipped },
          },
        );
      }
      const row: LotShipmentsTable = {
        id: newId('shp', now),
        lot_id: lotId,
        quantity: input.quantity,
        carrier: input.carrier,
        tracking_number: input.trackingNumber ?? null,
        destination: input.destination,
        shipped_at: now.toISOString(),
        delivered_at: null,
        created_by: actor.memberId,
        delivered_by: null,
      };
      await repo.insertShipment(trx, row);
      await this.publish(trx, 'lot.shipped', lot, actor.memberId, {
        organisationId: lot.organisation_id,
        shipmentId: row.id,
        quantity: row.quantity,
        destination: row.destination,
      });
      return row;
    });
    return shipmentView(row);
  }

  /** The maker (or an operator) records that a shipment arrived; a second time returns it unchanged. */
  async recordDelivery(actor: Actor, shipmentId: string): Promise<ShipmentView> {
    const nowIso = this.deps.clock.now().toISOString();
    const found = await repo.findShipment(this.deps.db.kysely, shipmentId);
    if (!found) throw AppError.notFound('Shipment');
    const row = await this.deps.db.transaction(async (trx) => {
      const lot = await this.lockLot(trx, found.lot_id);
      await this.requireMaker(trx, actor, lot.organisation_id);
      const shipment = (await repo.findShipment(trx, shipmentId))!;
      if (shipment.delivered_at) return shipment;
      const set = { delivered_at: nowIso, delivered_by: actor.memberId };
      await repo.updateShipment(trx, shipmentId, set);
      await this.publish(trx, 'lot.delivered', lot, actor.memberId, {
        organisationId: lot.organisation_id,
        shipmentId,
        quantity: shipment.quantity,
      });
      return { ...shipment, ...set };
    });
    return shipmentView(row);
  }

  /**
   * Takes an order's units from the lot it is fulfilled from, inside the caller's transaction (the
   * orders module's fulfilment), and returns the lot's id. The lot must be a recorded lot of the
   * product, of the organisation the units come from, passed QA, with the units left
   * (quantity − units fulfilled); otherwise a 422 naming `lot`. On a correction (`previous`), the
   * units move: taken from the new lot, given back to the old one (nothing changes when it is the same).
   * @example const lotId = await lots.takeForFulfilment(trx, { productId, organisationId, lotNumber: 'SG-2026-01', quantity: 2 });
   */
  async takeForFulfilment(trx: Executor, take: FulfilmentTake): Promise<string> {
    const { productId, organisationId, lotNumber, quantity, previous } = take;
    const nowIso = this.deps.clock.now().toISOString();
    // Both lots locked at once, in id order: two corrections in opposite directions never deadlock.
    const locked = await repo.lockByNumbers(trx, productId, previous ? [lotNumber, previous.lotNumber] : [lotNumber]);
    const lot = locked.find((l) => l.lot_number === lotNumber);
    if (!lot) throw AppError.invalid('lot', `is not a lot recorded for this product (${lotNumber})`);
    if (lot.organisation_id !== organisationId) {
      throw AppError.invalid('lot', `is a lot of another organisation, not of the one the units come from (${lotNumber})`);
    }
    if (previous && previous.lotNumber === lotNumber && previous.organisationId === organisationId) return lot.id;
    if (lot.qa_result !== 'passed') {
      throw AppError.invalid(
        'lot',
        lot.qa_result === 'pending'
          ? `has not passed QA yet: its result is not recorded (${lotNumber})`
          : `failed QA: it fulfils no orders (${lotNumber})`,
      );
    }
    const left = lot.quantity - lot.units_fulfilled;
    if (left < quantity) {
      throw AppError.invalid('lot', `has ${left} units left, fewer than the order's ${quantity} (${lotNumber})`);
    }
    await repo.addUnitsFulfilled(trx, lot.id, quantity, nowIso);
    const old =
      previous && locked.find((l) => l.lot_number === previous.lotNumber && l.organisation_id === previous.organisationId);
    // An order fulfilled before lots were recorded names none: there is nothing to give back then.
    if (old) await repo.addUnitsFulfilled(trx, old.id, -Math.min(quantity, old.units_fulfilled), nowIso);
    return lot.id;
  }
}
