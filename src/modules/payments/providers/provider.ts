/**
 * What Covalue needs of a payment provider. A real provider (Stripe, Alipay, WeChat Pay) is one
 * adapter file implementing this interface over its SDK: see docs/adr/0004-payments.md.
 *
 * Every call carries Covalue's own id (the payment's or the refund's) for the provider to use as its
 * idempotency key, so a call repeated after a crash or a timeout never charges or refunds twice.
 * Calls are made outside any database transaction; their results are recorded afterwards, and the
 * provider's webhooks tell the same results again (recorded once).
 */
export type ProviderName = 'manual' | 'simulated';

export interface NextAction {
  kind: 'bank_transfer' | 'wait';
  reference: string | null;
  instructions: string;
}

export interface SimulateOptions {
  outcome?: 'succeed' | 'decline';
  delayMs?: number;
}

export interface ChargeRequest {
  /** Covalue's payment id: the provider's idempotency key for this charge. */
  paymentId: string;
  orderId: string;
  amount: number;
  currency: string;
  /** false: authorise only; the money is captured (or the hold voided) later. */
  capture: boolean;
  description: string;
  simulate?: SimulateOptions;
}

/** What a provider says of a charge: `pending` until the payer or the provider has acted. */
export interface ChargeResult {
  status: 'pending' | 'authorised' | 'captured' | 'failed' | 'voided';
  providerRef: string | null;
  nextAction?: NextAction | null;
  failureReason?: string | null;
}

export interface RefundRequest {
  /** Covalue's refund id: the provider's idempotency key for this refund. */
  refundId: string;
  paymentId: string;
  providerRef: string | null;
  amount: number;
  currency: string;
}

export interface RefundResult {
  status: 'pending' | 'succeeded' | 'failed';
  providerRef: string | null;
  failureReason?: string | null;
}

/** A webhook, checked and parsed: what happened to which of Covalue's payments or refunds. */
export interface ProviderEvent {
  /** The provider's event id: taken once (a second delivery of the same id is a replay). */
  id: string;
  type: 'charge.authorised' | 'charge.captured' | 'charge.failed' | 'charge.voided' | 'refund.succeeded' | 'refund.failed';
  paymentId: string;
  refundId?: string;
  providerRef: string;
  amount: number;
  currency: string;
  failureReason?: string | null;
}

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received: signatures are over these bytes. */
  rawBody: string;
  now: Date;
}

export interface ProviderCapabilities {
  /** Can hold money and capture it later (crowdfunding); without it a pledge is paid in full and refunded if the goal is missed. */
  authorisation: boolean;
  webhooks: boolean;
  /** An operator confirms the money arrived (bank transfer). */
  operatorConfirms: boolean;
  /** How long a started payment keeps the order's units reserved. */
  holdMinutes: number;
  /** How long an authorisation can be held; null: as long as needed. */
  maxAuthorisationDays: number | null;
}

export interface PaymentProvider {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  /** Starts a charge: authorise (and capture at once when `capture`). */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** The charge's state now, for reconciling a payment whose result never arrived. */
  retrieve(paymentId: string, providerRef: string | null): Promise<ChargeResult>;
  /** Captures an authorised charge. */
  capture(p: { paymentId: string; providerRef: string | null; amount: number; currency: string }): Promise<ChargeResult>;
  /** Releases an authorisation (or a charge not concluded yet). */
  void(p: { paymentId: string; providerRef: string | null }): Promise<ChargeResult>;
  /** Returns captured money, in full or in part. */
  refund(request: RefundRequest): Promise<RefundResult>;
  /** Checks a webhook's signature and freshness and parses it; throws AppError('webhook_rejected') otherwise. */
  parseWebhook(request: WebhookRequest): ProviderEvent;
}
