import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdempotencyHeaders } from '../../contracts/campaigns.js';
import { IdParams, Page, PageQuery } from '../../contracts/common.js';
import {
  CreatePaymentBody,
  Payment,
  PaymentState,
  ProviderInfo,
  ProviderName,
  ProviderParams,
  Refund,
  RefundBody,
  WebhookReply,
} from '../../contracts/payments.js';
import { AppError } from '../../platform/errors.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { PaymentsService } from './payments.service.js';

const tags = ['payments'];

export function paymentsRoutes(service: PaymentsService) {
  return (app: HttpApp) => {
    app.get(
      '/api/v1/payments/providers',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'The payment providers offered, and what each can do',
          response: { 200: z.object({ items: z.array(ProviderInfo) }) },
        },
      },
      async () => service.providers(),
    );

    app.post(
      '/api/v1/orders/:id/payments',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Pay for a pending order (the buyer) with a provider; a crowdfunding pledge is authorised only',
          description:
            'Idempotency-Key: the same key and body answer with the payment already made (header idempotent-replayed: true); ' +
            'the key with another body is a 422 idempotency-key-reused. The answer tells the state: captured or authorised at once, ' +
            'failed (declined), or pending with nextAction (a bank transfer to make, or wait for the provider).',
          params: IdParams,
          headers: IdempotencyHeaders,
          body: CreatePaymentBody,
          response: { 201: Payment },
        },
      },
      async (request, reply) => {
        const { payment, replayed } = await service.createPayment(
          request.actor!,
          request.params.id,
          request.body,
          request.headers['idempotency-key'],
        );
        if (replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(201).send(payment);
      },
    );

    app.get(
      '/api/v1/orders/:id/payments',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'An order’s payments, oldest first (the buyer and operators)',
          params: IdParams,
          response: { 200: z.object({ items: z.array(Payment) }) },
        },
      },
      async (request) => service.listForOrder(request.actor!, request.params.id),
    );

    app.get(
      '/api/v1/payments',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Payments by state and provider, oldest first: e.g. bank transfers to confirm',
          querystring: PageQuery.extend({ state: PaymentState.optional(), provider: ProviderName.optional() }),
          response: { 200: Page(Payment) },
        },
      },
      async (request) =>
        service.listPayments(
          { state: request.query.state, provider: request.query.provider },
          request.query.limit,
          request.query.cursor,
        ),
    );

    app.get(
      '/api/v1/payments/:id',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'One payment with its refunds (the payer and operators)',
          params: IdParams,
          response: { 200: Payment },
        },
      },
      async (request) => service.getPayment(request.actor!, request.params.id),
    );

    app.post(
      '/api/v1/payments/:id/confirm',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Confirm that a bank transfer arrived: the payment is captured and the order paid',
          params: IdParams,
          response: { 200: Payment },
        },
      },
      async (request) => service.decideManual(request.actor!, request.params.id, 'confirm'),
    );

    app.post(
      '/api/v1/payments/:id/reject',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary:
            'Record that a bank transfer will not arrive: the payment failed (the order may be paid another way until it lapses)',
          params: IdParams,
          body: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).optional(),
          response: { 200: Payment },
        },
      },
      async (request) => service.decideManual(request.actor!, request.params.id, 'reject', request.body?.reason),
    );

    app.post(
      '/api/v1/orders/:id/refunds',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Refund an order’s captured payment, in full (default) or in part',
          description:
            'Refunded in full, the order ends refunded and its units return to stock when restock says so (default: when it has not shipped). ' +
            'An optional Idempotency-Key makes a retry safe.',
          params: IdParams,
          headers: IdempotencyHeaders.partial(),
          body: RefundBody,
          response: { 201: Refund },
        },
      },
      async (request, reply) => {
        const { refund, replayed } = await service.refund(
          request.actor!,
          request.params.id,
          request.body,
          request.headers['idempotency-key'],
        );
        if (replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(201).send(refund);
      },
    );

    // Webhooks are verified over the exact bytes received: this scope keeps the body as a string.
    app.register(async (plain) => {
      const scope = plain.withTypeProvider<ZodTypeProvider>();
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
      scope.post(
        '/api/v1/payments/webhooks/:provider',
        {
          config: { access: 'public' },
          schema: {
            tags,
            summary: 'A payment provider’s webhook: signed, checked for age and replays, taken once',
            description:
              'A bad signature, a stale or replayed event, or one that does not match its payment is a 400 webhook-rejected and changes nothing.',
            params: ProviderParams,
            response: { 200: WebhookReply },
          },
        },
        async (request) => {
          try {
            return await service.handleWebhook(
              request.params.provider,
              request.headers,
              typeof request.body === 'string' ? request.body : '',
            );
          } catch (err) {
            if (err instanceof AppError && err.kind === 'webhook_rejected') {
              request.log.warn({ provider: request.params.provider, reason: err.message }, 'payment webhook rejected');
            }
            throw err;
          }
        },
      );
    });
  };
}
