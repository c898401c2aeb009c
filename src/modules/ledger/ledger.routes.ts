import { z } from 'zod';
import { IdempotencyHeaders } from '../../contracts/campaigns.js';
import { IdParams, Page, PageQuery } from '../../contracts/common.js';
import {
  AdjustmentBody,
  Attribution,
  AttributionBody,
  CreatePayoutBatchBody,
  Earnings,
  FailPayoutBody,
  JournalEntry,
  Overview,
  PartyParams,
  Payout,
  PayoutBatch,
  PayoutBatchDetail,
  SaleShare,
  Statement,
  StatementCsvQuery,
  StatementQuery,
  ValueShared,
} from '../../contracts/ledger.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { LedgerService } from './ledger.service.js';

const tags = ['ledger'];
const operator = 'operator' as const;
const Csv = z.string().describe('text/csv; charset=utf-8, one header row');
const partyNote = 'A member sees their own, an organisation’s partners see its, operators see every party’s (403 otherwise).';

export function ledgerRoutes(service: LedgerService) {
  return (app: HttpApp) => {
    app.get(
      '/api/v1/ledger/parties/:kind/:id/statement',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'A party’s statement: its accounts, and their lines newest first with the running balance',
          description: `Filters by account kind, purpose, product, currency and period (from inclusive, to exclusive). ${partyNote}`,
          params: PartyParams,
          querystring: StatementQuery,
          response: { 200: Statement },
        },
      },
      async (request) => service.statement(request.actor!, request.params.kind, request.params.id, request.query),
    );

    app.get(
      '/api/v1/ledger/parties/:kind/:id/statement.csv',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'The same statement as CSV, every line the filters select',
          description: partyNote,
          params: PartyParams,
          querystring: StatementCsvQuery,
          response: { 200: Csv },
        },
      },
      async (request, reply) => {
        const body = await service.statementCsv(request.actor!, request.params.kind, request.params.id, request.query);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="statement-${request.params.kind}-${request.params.id}.csv"`)
          .send(body);
      },
    );

    app.get(
      '/api/v1/ledger/parties/:kind/:id/earnings',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'A party’s earnings: balances, totals by purpose and role, and net earnings per day',
          description: partyNote,
          params: PartyParams,
          response: { 200: Earnings },
        },
      },
      async (request) => service.earnings(request.actor!, request.params.kind, request.params.id),
    );

    app.get(
      '/api/v1/ledger/parties/:kind/:id/sales',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'The sales a party has a part in, newest first, each with how its part was computed',
          description:
            'For a co-creator: the role’s share of the pool, the weights of the role’s holders, and the contribution log ' +
            `entries each weight came from (prove them with /api/v1/log/proof/inclusion). ${partyNote}`,
          params: PartyParams,
          querystring: PageQuery,
          response: { 200: Page(SaleShare) },
        },
      },
      async (request) =>
        service.sales(request.actor!, request.params.kind, request.params.id, request.query.limit, request.query.cursor),
    );

    app.get(
      '/api/v1/products/:id/value-shared',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'What a product’s sales have shared so far, by purpose and role, net of refunds',
          params: IdParams,
          response: { 200: ValueShared },
        },
      },
      async (request) => service.valueShared(request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/attribution',
      {
        config: { access: operator },
        schema: {
          tags,
          summary: 'Attributes an order to the member who referred it (before it is paid)',
          description:
            'The referral module’s hook, open to operators: the split then pays the agreement’s referral commission to the ' +
            'referrer. 422 for a self-referral or an unknown member; 404 for an unknown order; 409 once attributed or once ' +
            'its payment is shared.',
          params: IdParams,
          body: AttributionBody,
          response: { 201: Attribution },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.attributeOrder(request.actor!, request.params.id, request.body.referrerId)),
    );

    app.get(
      '/api/v1/ledger/overview',
      {
        config: { access: operator },
        schema: {
          tags,
          summary: 'Totals per account kind and the trial balance from every journal line (must read zero)',
          response: { 200: Overview },
        },
      },
      async () => service.overview(),
    );

    app.get(
      '/api/v1/ledger/entries/:id',
      {
        config: { access: operator },
        schema: { tags, summary: 'One journal entry with its lines', params: IdParams, response: { 200: JournalEntry } },
      },
      async (request) => service.getEntry(request.params.id),
    );

    app.post(
      '/api/v1/ledger/adjustments',
      {
        config: { access: operator },
        schema: {
          tags,
          summary: 'Posts a correcting entry (corrections are new entries; nothing is edited)',
          description:
            'Lines on any parties’ accounts adding up to zero (422 otherwise). Idempotency-Key: the same key answers with the ' +
            'entry already posted (200 instead of 201).',
          headers: IdempotencyHeaders,
          body: AdjustmentBody,
          response: { 200: JournalEntry, 201: JournalEntry },
        },
      },
      async (request, reply) => {
        const result = await service.adjust(request.actor!, request.body, request.headers['idempotency-key']);
        return reply.code(result.created ? 201 : 200).send(result.entry);
      },
    );

    app.post(
      '/api/v1/ledger/payout-batches',
      {
        config: { access: operator },
        schema: {
          tags,
          summary: 'Creates a payout batch for every available balance at or above the threshold',
          description:
            'Each payout takes the whole available balance (earnings and commissions) of one member or organisation; the ' +
            'accounts are locked meanwhile, so two operators at once never pay a balance twice. 409 when nobody qualifies.',
          body: CreatePayoutBatchBody,
          response: { 201: PayoutBatchDetail },
        },
      },
      async (request, reply) => reply.code(201).send(await service.createPayoutBatch(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/ledger/payout-batches',
      {
        config: { access: operator },
        schema: { tags, summary: 'Payout batches, newest first', querystring: PageQuery, response: { 200: Page(PayoutBatch) } },
      },
      async (request) => service.listPayoutBatches(request.query.limit, request.query.cursor),
    );

    app.get(
      '/api/v1/ledger/payout-batches/:id',
      {
        config: { access: operator },
        schema: { tags, summary: 'A payout batch with its payouts', params: IdParams, response: { 200: PayoutBatchDetail } },
      },
      async (request) => service.getPayoutBatch(request.params.id),
    );

    app.get(
      '/api/v1/ledger/payout-batches/:id/payouts.csv',
      {
        config: { access: operator },
        schema: {
          tags,
          summary: 'The batch as CSV for the bank: reference, party, amount',
          params: IdParams,
          response: { 200: Csv },
        },
      },
      async (request, reply) => {
        const body = await service.payoutBatchCsv(request.params.id);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="payouts-${request.params.id}.csv"`)
          .send(body);
      },
    );

    app.post(
      '/api/v1/ledger/payouts/:id/paid',
      {
        config: { access: operator },
        schema: {
          tags,
          summary: 'Marks a pending payout paid (the bank sent it)',
          description: '409 once the payout is paid or failed.',
          params: IdParams,
          response: { 200: Payout },
        },
      },
      async (request) => service.settlePayout(request.actor!, request.params.id, { state: 'paid' }),
    );

    app.post(
      '/api/v1/ledger/payouts/:id/failed',
      {
        config: { access: operator },
        schema: {
          tags,
          summary: 'Marks a pending payout failed: its amount goes back to the balances it came from',
          description: '409 once the payout is paid or failed.',
          params: IdParams,
          body: FailPayoutBody,
          response: { 200: Payout },
        },
      },
      async (request) =>
        service.settlePayout(request.actor!, request.params.id, { state: 'failed', reason: request.body.reason }),
    );
  };
}
