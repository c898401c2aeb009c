import { AppError } from '../../../platform/errors.js';
import type { ChargeResult, PaymentProvider, RefundResult } from './provider.js';

/**
 * Bank transfer confirmed by an operator: a charge waits (`pending`) with the reference the payer
 * quotes; an operator confirms the money arrived (captured) or that it never did (failed). It cannot
 * hold money, so a crowdfunding pledge is paid in full and refunded if the goal is missed. A refund
 * is recorded as made: the operator sends the money back by transfer when recording it.
 */
export function manualProvider(options: { holdHours: number; payee: string }): PaymentProvider {
  const pending = (paymentId: string): ChargeResult => ({
    status: 'pending',
    providerRef: null,
    nextAction: {
      kind: 'bank_transfer',
      reference: `CV-${paymentId.slice(-10).toUpperCase()}`,
      instructions: `${options.payee}: quote the reference with the transfer; an operator confirms it within ${options.holdHours} h`,
    },
  });
  return {
    name: 'manual',
    capabilities: {
      authorisation: false,
      webhooks: false,
      operatorConfirms: true,
      holdMinutes: options.holdHours * 60,
      maxAuthorisationDays: null,
    },
    async charge(request) {
      return pending(request.paymentId);
    },
    async retrieve(paymentId) {
      return pending(paymentId);
    },
    async capture() {
      // Money arrives by transfer and an operator records it; there is nothing to capture.
      return { status: 'captured', providerRef: null };
    },
    async void() {
      return { status: 'voided', providerRef: null };
    },
    async refund(request): Promise<RefundResult> {
      return { status: 'succeeded', providerRef: `manual-refund-${request.refundId}` };
    },
    parseWebhook() {
      throw new AppError('not_found', 'The manual provider sends no webhooks');
    },
  };
}
