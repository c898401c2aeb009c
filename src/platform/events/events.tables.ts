import type { Generated } from 'kysely';

export interface OutboxEventsTable {
  id: Generated<number>;
  txid: Generated<number>;
  type: string;
  aggregate_type: string;
  aggregate_id: string;
  actor_id: string | null;
  payload: string;
  occurred_at: string;
}

export interface EventSubscriptionsTable {
  name: string;
  last_txid: number;
  last_id: number;
  attempts: number;
  last_error: string | null;
  retry_at: string | null;
  updated_at: string;
}

export interface EventsTables {
  outbox_events: OutboxEventsTable;
  event_subscriptions: EventSubscriptionsTable;
}
