import type { NotificationKind } from '../../contracts/notifications.js';
import type { Actor } from '../../platform/auth/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Database, Executor } from '../../platform/db/database.js';
import type { DomainEvent } from '../../platform/events/event-bus.js';
import { decodeCursor, pageOf } from '../../platform/http/pagination.js';
import { newId } from '../../platform/ids.js';
import { notificationsRepository as repo } from './notifications.repository.js';

export interface NotificationsDeps {
  db: Database;
  clock: Clock;
  /** A campaign's title, so a message names what it is about (read in the worker's transaction). */
  campaignTitle: (ex: Executor, campaignId: string) => Promise<string | null>;
}

/**
 * The events a member is told about, the payload fields kept for the message, and whether they are
 * told of what they did themselves (an order confirmation, yes; their own cancellation, no).
 */
export const TOLD: Record<NotificationKind, { fields: readonly string[]; ownToo?: boolean }> = {
  'order.paid': { fields: ['orderId', 'campaignId', 'quantity', 'total', 'from'], ownToo: true },
  'order.cancelled': { fields: ['orderId', 'campaignId', 'quantity', 'total', 'reason', 'from'] },
  'order.fulfilled': { fields: ['orderId', 'campaignId', 'lot', 'carrier', 'trackingNumber'] },
  'order.delivered': { fields: ['orderId', 'campaignId'] },
  'order.refunded': { fields: ['orderId', 'campaignId', 'amount', 'refundedTotal', 'full'] },
  'trial.selected': { fields: ['orderId', 'campaignId', 'applicationId'] },
  'trial.not-selected': { fields: ['campaignId'] },
};

/** Members' inboxes (通知): what happened to their orders, pledges and trial applications. */
export class NotificationsService {
  constructor(private readonly deps: NotificationsDeps) {}

  /**
   * Writes the notifications a batch of events calls for, in the event worker's transaction, with one
   * statement (exactly once per event and member).
   */
  async onEvents(events: readonly DomainEvent[], trx: Executor): Promise<void> {
    const rows = [];
    for (const event of events) {
      const told = TOLD[event.type as NotificationKind] as (typeof TOLD)[NotificationKind] | undefined;
      const p = event.payload as Record<string, unknown>;
      const memberId = typeof p.memberId === 'string' ? p.memberId : null;
      if (!told || !memberId || (event.actorId === memberId && !told.ownToo)) continue;
      const payload: Record<string, unknown> = Object.fromEntries(
        told.fields.filter((f) => p[f] !== undefined).map((f) => [f, p[f]]),
      );
      if (typeof p.campaignId === 'string') payload.campaignTitle = await this.deps.campaignTitle(trx, p.campaignId);
      rows.push({
        id: newId('ntf', new Date(event.occurredAt)),
        member_id: memberId,
        kind: event.type,
        payload: JSON.stringify(payload),
        event_id: event.id,
        created_at: event.occurredAt,
        read_at: null,
      });
    }
    await repo.insertMany(trx, rows);
  }

  /** The caller's notifications, newest first (optionally only unread or read ones). */
  async list(actor: Actor, unread: boolean | undefined, limit: number, cursor?: string) {
    const ex = this.deps.db.kysely;
    const before = cursor ? decodeCursor(cursor, ['string'] as const)[0] : undefined;
    const rows = await repo.list(ex, actor.memberId, unread, limit + 1, before);
    const page = pageOf(rows, limit, (r) => [r.id]);
    return {
      items: page.items.map((r) => ({
        id: r.id,
        kind: r.kind as NotificationKind,
        payload: JSON.parse(r.payload) as Record<string, unknown>,
        createdAt: r.created_at,
        readAt: r.read_at,
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** How many of the caller's notifications are unread. */
  async unread(actor: Actor) {
    return { unread: await repo.unread(this.deps.db.kysely, actor.memberId) };
  }

  /** Marks the caller's notifications read: all, or up to and including one. */
  async markRead(actor: Actor, upTo?: string) {
    await this.deps.db.transaction((trx) => repo.markRead(trx, actor.memberId, upTo, this.deps.clock.now().toISOString()));
    return this.unread(actor);
  }
}
