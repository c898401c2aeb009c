import { z } from 'zod';
import { Money, PageQuery, Timestamp } from './common.js';

/** Who an account belongs to; `unassigned` parties hold money to be allocated later. */
export const PartyKind = z.enum(['member', 'organisation', 'platform', 'unassigned']);
export type PartyKind = z.infer<typeof PartyKind>;

/**
 * What an account holds. Balances are credits − debits: positive on what the platform owes or
 * earned (earnings, commissions, fees, margin, held, payouts-in-transit), negative on what it holds
 * (receivable: captured payments at the provider and the bank, less refunds and payouts paid).
 */
export const ACCOUNT_KINDS = ['receivable', 'earnings', 'commissions', 'fees', 'margin', 'held', 'payouts-in-transit'] as const;
export const AccountKind = z.enum(ACCOUNT_KINDS);
export type AccountKind = z.infer<typeof AccountKind>;

/** What a line is for: a sale's purposes (see docs/ledger.md), the payment itself, payouts, adjustments. */
export const LINE_PURPOSES = [
  'maker-cost',
  'platform-fee',
  'referral-commission',
  'cocreator-pool',
  'platform-margin',
  'maker-cost-pending',
  'suspense',
  'payment',
  'payout',
  'adjustment',
] as const;
export const LinePurpose = z.enum(LINE_PURPOSES);
export type LinePurpose = z.infer<typeof LinePurpose>;

export const ENTRY_KINDS = ['sale', 'refund', 'fulfilment', 'payout', 'payout-paid', 'payout-failed', 'adjustment'] as const;
export const EntryKind = z.enum(ENTRY_KINDS);

export const PartyRef = z.object({ kind: PartyKind, id: z.string(), name: z.string() }).meta({ id: 'LedgerParty' });

export const Account = z
  .object({
    id: z.string(),
    party: PartyRef,
    kind: AccountKind,
    currency: z.string(),
    debits: z.number().int(),
    credits: z.number().int(),
    balance: z.number().int().describe('credits − debits, in minor units'),
  })
  .meta({ id: 'LedgerAccount' });

export const StatementLine = z
  .object({
    lineId: z.number().int(),
    entryId: z.string(),
    entryKind: EntryKind,
    postedAt: Timestamp,
    accountKind: AccountKind,
    currency: z.string(),
    purpose: LinePurpose,
    role: z.string().nullable(),
    productId: z.string().nullable(),
    orderId: z.string().nullable(),
    amount: z.number().int().describe('positive: credited to the account; negative: debited'),
    balanceAfter: z.number().int().describe('the account’s balance after this line'),
    memo: z.string(),
  })
  .meta({ id: 'StatementLine' });

const IsoDate = z.iso.datetime({ offset: true });

export const StatementQuery = PageQuery.extend({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  accountKind: AccountKind.optional(),
  purpose: LinePurpose.optional(),
  productId: z.string().max(100).optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  from: IsoDate.optional().describe('lines posted at or after'),
  to: IsoDate.optional().describe('lines posted before'),
});
export type StatementQuery = z.infer<typeof StatementQuery>;
export const StatementCsvQuery = StatementQuery.omit({ limit: true, cursor: true });

export const Statement = z
  .object({
    party: PartyRef,
    accounts: z.array(Account),
    items: z.array(StatementLine).describe('newest first'),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: 'Statement' });

export const PartyParams = z.object({ kind: PartyKind, id: z.string().min(1).max(100) });

export const Earnings = z
  .object({
    party: PartyRef,
    balances: z.array(
      z.object({
        currency: z.string(),
        available: z.number().int().describe('earnings and commissions not yet paid out'),
        earnings: z.number().int(),
        commissions: z.number().int(),
        inPayout: z.number().int().describe('in payouts created and not yet paid or failed'),
        paidOut: z.number().int(),
      }),
    ),
    byPurpose: z.array(
      z.object({ purpose: LinePurpose, role: z.string().nullable(), currency: z.string(), amount: z.number().int() }),
    ),
    series: z
      .array(z.object({ day: z.string(), currency: z.string(), amount: z.number().int() }))
      .describe('net earnings and commissions per day (UTC), oldest first'),
  })
  .meta({ id: 'Earnings' });

export const ContributionWeight = z.object({
  kind: z.enum(['needAuthor', 'chosenSolutionAuthors', 'earlySupporters', 'pollVoters', 'trialReviewers']),
  weight: z.number().int(),
  entries: z
    .array(z.number().int())
    .describe('the contribution log indexes that earned it (prove each at /api/v1/log/proof/inclusion)'),
});

export const RoleShare = z.object({
  role: z.string(),
  bps: z.number().int().describe('the role’s share of the pool in the agreement'),
  amount: z.number().int().describe('the role’s part of this sale’s pool'),
  holders: z.number().int(),
  totalWeight: z.number().int().describe('the contribution weights of the role’s holders, added up'),
  equal: z.boolean().describe('no holder had a weighted contribution, so they share equally'),
  weight: z.number().int().describe('this party’s weight in the role'),
  contributions: z.array(ContributionWeight),
});

export const SaleShare = z
  .object({
    orderId: z.string(),
    productId: z.string(),
    campaignId: z.string(),
    postedAt: Timestamp,
    paid: Money,
    quantity: z.number().int(),
    refunded: Money,
    agreementVersion: z.number().int(),
    parts: z.array(
      z.object({
        purpose: LinePurpose,
        role: z.string().nullable(),
        amount: z.number().int().describe('allocated to this party'),
        reversed: z.number().int().describe('taken back by refunds'),
      }),
    ),
    pool: z.number().int().describe('the sale’s co-creators’ pool'),
    roles: z.array(RoleShare).describe('how this party’s pool parts were computed, one per role it holds'),
    logSize: z.number().int().describe('the contribution log’s size when the weights were read'),
  })
  .meta({ id: 'SaleShare' });

export const PayoutState = z.enum(['pending', 'paid', 'failed']);

export const Payout = z
  .object({
    id: z.string(),
    batchId: z.string(),
    reference: z.string().describe('quote it on the bank transfer'),
    party: PartyRef,
    amount: Money,
    state: PayoutState,
    failureReason: z.string().nullable(),
    createdAt: Timestamp,
    settledAt: Timestamp.nullable(),
  })
  .meta({ id: 'Payout' });

export const PayoutBatch = z
  .object({
    id: z.string(),
    currency: z.string(),
    threshold: z.number().int(),
    createdBy: z.string(),
    createdAt: Timestamp,
    count: z.number().int(),
    total: Money,
    pending: z.number().int(),
    paid: z.number().int(),
    failed: z.number().int(),
  })
  .meta({ id: 'PayoutBatch' });

export const PayoutBatchDetail = PayoutBatch.extend({ payouts: z.array(Payout) }).meta({ id: 'PayoutBatchDetail' });

export const CreatePayoutBatchBody = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/),
  threshold: z
    .number()
    .int()
    .min(1)
    .max(1_000_000_000_000)
    .describe('pay every member and organisation whose available balance is at least this, in minor units'),
});

export const FailPayoutBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

export const Overview = z
  .object({
    trialBalance: z
      .array(
        z.object({ currency: z.string(), debits: z.number().int(), credits: z.number().int(), difference: z.number().int() }),
      )
      .describe('from every journal line: the difference must be zero'),
    kinds: z.array(
      z.object({
        kind: AccountKind,
        currency: z.string(),
        accounts: z.number().int(),
        debits: z.number().int(),
        credits: z.number().int(),
        balance: z.number().int(),
      }),
    ),
    entries: z.number().int(),
    lines: z.number().int(),
    sales: z.number().int(),
  })
  .meta({ id: 'LedgerOverview' });

export const ValueShared = z
  .object({
    productId: z.string(),
    sales: z.number().int().describe('sales posted (paid orders)'),
    totals: z.array(
      z.object({
        purpose: LinePurpose,
        role: z.string().nullable(),
        currency: z.string(),
        amount: z.number().int().describe('net of refunds'),
      }),
    ),
  })
  .meta({ id: 'ValueShared' });

export const AttributionBody = z.strictObject({ referrerId: z.string().min(1).max(100) });
export const Attribution = z.object({ orderId: z.string(), referrerId: z.string(), createdAt: Timestamp });

export const AdjustmentBody = z.strictObject({
  currency: z.string().regex(/^[A-Z]{3}$/),
  memo: z.string().trim().min(1).max(500),
  lines: z
    .array(
      z.strictObject({
        party: z.strictObject({ kind: PartyKind, id: z.string().min(1).max(100) }),
        accountKind: AccountKind,
        amount: z.number().int().min(-1_000_000_000_000).max(1_000_000_000_000).describe('+ credit, − debit'),
      }),
    )
    .min(2)
    .max(50),
});

export const JournalEntry = z
  .object({
    id: z.string(),
    kind: EntryKind,
    cause: z.object({ type: z.string(), id: z.string() }),
    currency: z.string(),
    postedAt: Timestamp,
    memo: z.string(),
    orderId: z.string().nullable(),
    productId: z.string().nullable(),
    lines: z.array(
      z.object({
        accountId: z.string(),
        party: z.object({ kind: PartyKind, id: z.string() }),
        accountKind: AccountKind,
        purpose: LinePurpose,
        role: z.string().nullable(),
        amount: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'JournalEntry' });
