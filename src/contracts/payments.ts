import { z } from 'zod';
import { Money, Timestamp } from './common.js';

export const ProviderName = z.enum(['manual', 'simulated']);

export const PaymentState = z
  .enum(['pending', 'authorised', 'captured', 'failed', 'voided'])
  .describe('pending (awaiting the provider or the payer) → authorised (held, crowdfunding) → captured; or failed / voided');

export const NextAction = z
  .object({
    kind: z.enum(['bank_transfer', 'wait']),
    reference: z.string().nullable().describe('what the payer quotes with a bank transfer'),
    instructions: z.string(),
  })
  .meta({ id: 'PaymentNextAction' });

export const Refund = z
  .object({
    id: z.string(),
    paymentId: z.string(),
    orderId: z.string(),
    amount: Money,
    reason: z.string(),
    state: z.enum(['pending', 'succeeded', 'failed']),
    failureReason: z.string().nullable(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Refund' });

export const Payment = z
  .object({
    id: z.string(),
    orderId: z.string(),
    provider: ProviderName,
    state: PaymentState,
    amount: Money,
    refunded: Money,
    captureMode: z.enum(['capture', 'authorise']).describe('authorise: held until a crowdfunding goal is met'),
    providerRef: z.string().nullable(),
    nextAction: NextAction.nullable(),
    failureReason: z.string().nullable(),
    pendingOperation: z.enum(['capture', 'void']).nullable().describe('asked of the provider, not yet confirmed'),
    refunds: z.array(Refund),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    authorisedAt: Timestamp.nullable(),
    capturedAt: Timestamp.nullable(),
    voidedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Payment' });

export const SimulateOptions = z
  .strictObject({
    outcome: z.enum(['succeed', 'decline']).optional(),
    delayMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .optional()
      .describe('0: the outcome is known at once; more: the payment is pending until the provider’s webhook says'),
  })
  .describe('simulated provider only: what the simulated payer does (defaults from PAYMENTS_SIMULATED_*)');

export const CreatePaymentBody = z.strictObject({
  provider: ProviderName,
  simulate: SimulateOptions.optional(),
});
export type CreatePaymentBody = z.infer<typeof CreatePaymentBody>;

export const RefundBody = z.strictObject({
  amount: z
    .strictObject({ amount: z.number().int().min(1).max(1_000_000_000_000), currency: Money.shape.currency })
    .optional()
    .describe('default: everything not yet refunded'),
  reason: z.string().trim().min(1).max(500),
  restock: z.boolean().optional().describe('return the units to stock once refunded in full (default: when not yet fulfilled)'),
});
export type RefundBody = z.infer<typeof RefundBody>;

export const ProviderParams = z.object({ provider: z.string().min(1).max(50) });

export const WebhookReply = z.object({ received: z.literal(true), eventId: z.string() });

export const ProviderInfo = z.object({
  name: ProviderName,
  authorisation: z.boolean().describe('can hold money and capture it later (crowdfunding)'),
  webhooks: z.boolean(),
  operatorConfirms: z.boolean().describe('an operator confirms the money arrived (bank transfer)'),
});
