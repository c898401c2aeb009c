import type { Generated } from 'kysely';

export type PaymentState = 'pending' | 'authorised' | 'captured' | 'failed' | 'voided';

export interface PaymentsTable {
  id: string;
  order_id: string;
  campaign_id: string;
  member_id: string;
  provider: string;
  capture: number;
  state: PaymentState;
  amount: number;
  currency: string;
  refunded_amount: number;
  provider_ref: string | null;
  /** JSON NextAction or null. */
  next_action: string | null;
  failure_reason: string | null;
  pending_operation: 'capture' | 'void' | null;
  operation_reason: string | null;
  attempts: number;
  retry_at: string | null;
  claimed_until: string | null;
  last_error: string | null;
  /** JSON SimulateOptions or null. */
  simulate: string | null;
  idempotency_key: string;
  request_hash: string;
  created_at: string;
  updated_at: string;
  authorised_at: string | null;
  captured_at: string | null;
  voided_at: string | null;
}

export interface RefundsTable {
  id: string;
  payment_id: string;
  order_id: string;
  amount: number;
  currency: string;
  reason: string;
  state: 'pending' | 'succeeded' | 'failed';
  restock: number;
  cancel_reason: string | null;
  provider_ref: string | null;
  failure_reason: string | null;
  requested_by: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  attempts: number;
  retry_at: string | null;
  claimed_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface PaymentWebhookEventsTable {
  provider: string;
  event_id: string;
  type: string;
  received_at: string;
}

export interface SimulatedChargesTable {
  ref: string;
  payment_id: string;
  amount: number;
  currency: string;
  capture: number;
  status: 'authorised' | 'captured' | 'failed' | 'voided';
  settles_at: string;
  failure_reason: string | null;
  captured_amount: number;
  refunded_amount: number;
  created_at: string;
}

export interface SimulatedRefundsTable {
  refund_id: string;
  charge_ref: string;
  amount: number;
  created_at: string;
}

export interface SimulatedWebhooksTable {
  id: Generated<number>;
  event_id: string;
  payload: string;
  due_at: string;
  claimed_until: string | null;
  attempts: number;
  delivered_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

export interface PaymentsTables {
  payments: PaymentsTable;
  refunds: RefundsTable;
  payment_webhook_events: PaymentWebhookEventsTable;
}

export interface SimulatedProviderTables {
  simulated_charges: SimulatedChargesTable;
  simulated_refunds: SimulatedRefundsTable;
  simulated_webhooks: SimulatedWebhooksTable;
}
