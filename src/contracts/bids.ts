import { z } from 'zod';
import { Money, PageQuery, Timestamp } from './common.js';

/** Money that is more than zero (unit prices and costs). */
const PositiveMoney = z.strictObject({
  amount: z.number().int().min(1).max(1_000_000_000_000).describe('integer minor units, more than zero'),
  currency: Money.shape.currency,
});

/** `open` takes bids until its deadline; `closed` once the deadline passed, awaiting an award; `awarded` once awarded. */
export const CallState = z.enum(['open', 'closed', 'awarded']);

/** `live` until withdrawn or decided; `awarded` or `lost` once the call is awarded. */
export const BidStatus = z.enum(['live', 'withdrawn', 'awarded', 'lost']);

export const Call = z
  .object({
    id: z.string(),
    needId: z.string(),
    quantity: z.number().int().describe('units wanted'),
    targetUnitPrice: Money,
    deadline: Timestamp.describe('bids are taken, replaced and withdrawn until this time'),
    requirements: z.string(),
    state: CallState,
    createdBy: z.string(),
    createdAt: Timestamp,
    awardedAt: Timestamp.nullable(),
    awardedQuantity: z.number().int().nullable().describe('units awarded in all, once awarded'),
  })
  .meta({ id: 'CallForProduction' });

export const OpenCallBody = z.strictObject({
  needId: z.string().min(1).max(100),
  quantity: z.number().int().min(1).max(100_000_000),
  targetUnitPrice: PositiveMoney,
  deadline: z.iso.datetime({ offset: true }).describe('in the future'),
  requirements: z.string().trim().min(1).max(5000),
});

export const CallListQuery = PageQuery.extend({
  needId: z.string().max(100).optional(),
  state: CallState.optional(),
});

export const Bid = z
  .object({
    id: z.string(),
    callId: z.string(),
    organisationId: z.string(),
    organisationName: z.string(),
    unitCost: Money,
    minQuantity: z.number().int(),
    maxQuantity: z.number().int(),
    leadTimeDays: z.number().int(),
    capacityPerWeek: z.number().int(),
    sampleOffered: z.boolean(),
    notes: z.string(),
    status: BidStatus,
    awardedQuantity: z.number().int().nullable(),
    submittedBy: z.string().describe('the partner who last submitted it'),
    submittedAt: Timestamp.describe('when it was first submitted'),
    updatedAt: Timestamp,
  })
  .meta({ id: 'Bid' });

export const SubmitBidBody = z.strictObject({
  unitCost: PositiveMoney.describe('same currency as the call’s target price'),
  minQuantity: z.number().int().min(1).max(100_000_000),
  maxQuantity: z.number().int().min(1).max(100_000_000).describe('at least minQuantity'),
  leadTimeDays: z.number().int().min(1).max(3650),
  capacityPerWeek: z.number().int().min(1).max(100_000_000),
  sampleOffered: z.boolean(),
  notes: z.string().trim().max(5000).default(''),
});

export const CallBidParams = z.object({ id: z.string().min(1).max(100), organisationId: z.string().min(1).max(100) });

/** A bid with the call it answers, for the partner's own list. */
export const MyBid = Bid.extend({ call: Call }).meta({ id: 'MyBid' });

export const SCORE_FORMULA =
  'scoreBps = floor(6000 × cheapestUnitCost / unitCost) + floor(3000 × fastestLeadTimeDays / leadTimeDays) + (sampleOffered ? 1000 : 0), ' +
  'in basis points (10000 = cheapest, fastest and with a sample), computed with integers only; withdrawn bids are left out. ' +
  'Ranked by score, then unit cost, then lead time, then submission time.';

export const ComparedBid = z.object({
  rank: z.number().int().describe('1 is the best score'),
  bid: Bid,
  cheapest: z.boolean().describe('its unit cost is the lowest (ties all marked)'),
  fastest: z.boolean().describe('its lead time is the shortest (ties all marked)'),
  scoreBps: z.number().int().describe(SCORE_FORMULA),
});

export const Comparison = z
  .object({
    call: Call,
    formula: z.string(),
    items: z.array(ComparedBid),
  })
  .meta({ id: 'BidComparison' });

export const AwardBody = z.strictObject({
  awards: z
    .array(z.strictObject({ bidId: z.string().min(1).max(100), quantity: z.number().int().min(1).max(100_000_000) }))
    .min(1)
    .max(100),
  allowUndercover: z.boolean().default(false).describe('award less than the quantity wanted'),
});

export const AwardResult = z
  .object({
    call: Call,
    chainGroupId: z.string().describe('the chain group the awarded organisations joined as makers'),
    bids: z.array(Bid).describe('every bid of the call with its outcome'),
  })
  .meta({ id: 'AwardResult' });
