import { z } from 'zod';
import { Money, PageQuery, Timestamp } from './common.js';

const id = z.string().min(1).max(100);
const MAX_UNITS = 10_000_000;

/** Money of zero or more (a free trial's price is zero). */
const Price = z.strictObject({
  amount: z.number().int().min(0).max(1_000_000_000_000).describe('integer minor units'),
  currency: Money.shape.currency,
});

export const CampaignMode = z
  .enum(['presale', 'crowdfunding', 'flash', 'trial'])
  .describe(
    'presale: pay now, fixed quantity; crowdfunding: all-or-nothing, payments authorised and captured only when the goal is met at the deadline; ' +
      'flash: goes live at an exact instant with a fixed quantity; trial: free samples to selected applicants, who leave feedback',
  );

export const CampaignState = z
  .enum(['draft', 'scheduled', 'live', 'sold_out', 'ended', 'settled'])
  .describe('draft → scheduled → live → sold_out | ended → settled; live and ended follow the clock');

export const PriceTier = z.object({
  upTo: z
    .number()
    .int()
    .nullable()
    .describe('the tier prices units up to this cumulative count (the first N units…); null for the last tier'),
  unitPrice: Money,
});

export const PriceTierInput = z.strictObject({
  upTo: z.number().int().min(1).max(MAX_UNITS).nullable(),
  unitPrice: Price,
});

export const Goal = z
  .object({
    units: z.number().int().nullable().describe('units to sell by the deadline'),
    amount: Money.nullable().describe('money to raise by the deadline'),
  })
  .meta({ id: 'CampaignGoal' });

const GoalInput = z.union([
  z.strictObject({ units: z.number().int().min(1).max(MAX_UNITS) }),
  z.strictObject({ amount: Price.extend({ amount: z.number().int().min(1).max(1_000_000_000_000) }) }),
]);

export const FirstClaim = z
  .object({
    minutes: z.number().int().describe('minutes after the start in which only supporters with purchase intent may order'),
    reservedUnits: z.number().int().describe('units held back for supporters with purchase intent'),
    reservedMinutes: z
      .number()
      .int()
      .nullable()
      .describe('how long after the start the reserved units are held; null for the whole campaign'),
    publicStartsAt: Timestamp.describe('when everyone may order'),
  })
  .meta({ id: 'FirstClaim' });

const FirstClaimInput = z.strictObject({
  minutes: z
    .number()
    .int()
    .min(0)
    .max(7 * 24 * 60)
    .default(0),
  reservedUnits: z.number().int().min(0).max(MAX_UNITS).default(0),
  reservedMinutes: z
    .number()
    .int()
    .min(1)
    .max(365 * 24 * 60)
    .nullable()
    .default(null),
});

export const TierInForce = z.object({
  index: z.number().int(),
  unitPrice: Money,
  unitsLeft: z.number().int().describe('units left at this price'),
});

export const Stock = z
  .object({
    id: z.string(),
    state: CampaignState,
    quantity: z.number().int(),
    sold: z.number().int().describe('units held by orders not cancelled (pending payment included)'),
    remaining: z.number().int().describe('quantity - sold: units anyone may still order'),
    tier: TierInForce.nullable().describe('the price tier the next unit sells at; null when none is left'),
    startsAt: Timestamp,
    endsAt: Timestamp,
    now: Timestamp.describe('the server’s time, for countdowns'),
  })
  .meta({ id: 'CampaignStock' });

export const Campaign = Stock.extend({
  productId: z.string(),
  productName: z.string(),
  needId: z.string(),
  chainGroupId: z.string(),
  title: z.string(),
  description: z.string(),
  mode: CampaignMode,
  priceTiers: z.array(PriceTier),
  perMemberLimit: z.number().int().nullable(),
  goal: Goal.nullable(),
  progress: z
    .object({
      units: z.number().int(),
      amount: Money,
      reached: z.boolean(),
    })
    .describe('units and money held by orders, against the goal'),
  firstClaim: FirstClaim.nullable(),
  paymentTimeoutMinutes: z.number().int(),
  agreementVersion: z.number().int().nullable().describe('the value-sharing agreement version the campaign launched on'),
  outcome: z.enum(['goal-met', 'goal-missed']).nullable(),
  createdBy: z.string(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  launchedAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  settledAt: Timestamp.nullable(),
}).meta({ id: 'Campaign' });

const campaignFields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().trim().max(10_000),
  quantity: z.number().int().min(1).max(MAX_UNITS),
  priceTiers: z
    .array(PriceTierInput)
    .min(1)
    .max(10)
    .describe('upTo strictly increasing, one currency; the last tier reaches the quantity (or upTo null)'),
  perMemberLimit: z.number().int().min(1).max(MAX_UNITS).nullable(),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }).describe('after startsAt; a crowdfunding campaign’s deadline'),
  goal: GoalInput.nullable().describe('crowdfunding only, and required there: { units } or { amount }'),
  firstClaim: FirstClaimInput.nullable(),
  paymentTimeoutMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .describe('how long an unpaid order holds its units'),
};

export const CreateCampaignBody = z.strictObject({
  needId: id.optional().describe('the need whose product is sold, when productId is not given'),
  productId: id.optional(),
  title: campaignFields.title,
  description: campaignFields.description.default(''),
  mode: CampaignMode,
  quantity: campaignFields.quantity,
  priceTiers: campaignFields.priceTiers
    .optional()
    .describe(`${campaignFields.priceTiers.description}; a trial’s default is free`),
  perMemberLimit: campaignFields.perMemberLimit.optional(),
  startsAt: campaignFields.startsAt,
  endsAt: campaignFields.endsAt,
  goal: campaignFields.goal.optional(),
  firstClaim: campaignFields.firstClaim.optional(),
  paymentTimeoutMinutes: campaignFields.paymentTimeoutMinutes.optional(),
});
export type CreateCampaignBody = z.infer<typeof CreateCampaignBody>;

export const UpdateCampaignBody = z
  .strictObject({
    title: campaignFields.title.optional(),
    description: campaignFields.description.optional(),
    quantity: campaignFields.quantity.optional(),
    priceTiers: campaignFields.priceTiers.optional(),
    perMemberLimit: campaignFields.perMemberLimit.optional(),
    startsAt: campaignFields.startsAt.optional(),
    endsAt: campaignFields.endsAt.optional(),
    goal: campaignFields.goal.optional(),
    firstClaim: campaignFields.firstClaim.optional(),
    paymentTimeoutMinutes: campaignFields.paymentTimeoutMinutes.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field' });
export type UpdateCampaignBody = z.infer<typeof UpdateCampaignBody>;

export const CampaignListQuery = PageQuery.extend({
  productId: z.string().max(100).optional(),
  state: CampaignState.optional(),
  mode: CampaignMode.optional(),
});

export const SalesQuery = z.object({
  interval: z.enum(['second', 'minute', 'hour', 'day']).default('minute'),
});

export const SalesPoint = z.object({
  at: Timestamp.describe('start of the interval'),
  placedUnits: z.number().int().describe('units in orders placed in the interval (cancelled ones included)'),
  paidUnits: z.number().int().describe('units in orders paid in the interval'),
  paidAmount: Money,
});

export const Sales = z
  .object({
    campaignId: z.string(),
    interval: SalesQuery.shape.interval,
    points: z.array(SalesPoint),
    byState: z.record(z.string(), z.object({ orders: z.number().int(), units: z.number().int() })),
  })
  .meta({ id: 'CampaignSales' });

// Orders

export const OrderState = z
  .enum(['pending_payment', 'authorised', 'paid', 'fulfilled', 'delivered', 'completed', 'cancelled', 'refunded'])
  .describe('pending_payment → paid (authorised for crowdfunding) → fulfilled → delivered → completed, or cancelled / refunded');

export const Shipping = z.strictObject({
  recipient: z.string().trim().min(1).max(100),
  phone: z.string().trim().min(3).max(40),
  address: z.string().trim().min(1).max(500),
  postalCode: z.string().trim().max(20).optional(),
});
export type Shipping = z.infer<typeof Shipping>;

export const OrderLine = z.object({
  tier: z.number().int().describe('index of the price tier'),
  unitPrice: Money,
  quantity: z.number().int(),
});

export const Order = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    campaignTitle: z.string(),
    mode: CampaignMode,
    productId: z.string(),
    memberId: z.string(),
    quantity: z.number().int(),
    lines: z.array(OrderLine),
    total: Money,
    refunded: Money,
    state: OrderState,
    expiresAt: Timestamp.nullable().describe('while pending payment: when the units go back if unpaid'),
    firstClaim: z.boolean().describe('placed in the supporters’ first claim'),
    trial: z.boolean(),
    shipping: Shipping.nullable(),
    fulfilment: z
      .object({
        organisationId: z.string(),
        lot: z.string(),
        carrier: z.string(),
        trackingNumber: z.string(),
        fulfilledAt: Timestamp,
      })
      .nullable(),
    paidAt: Timestamp.nullable(),
    deliveredAt: Timestamp.nullable(),
    completedAt: Timestamp.nullable(),
    cancelledAt: Timestamp.nullable(),
    cancelReason: z.string().nullable().describe('by-member, by-operator, expired, campaign-ended, goal-missed, refunded…'),
    feedbackDue: z.boolean().describe('a trial order that has arrived and has no feedback yet'),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Order' });

export const PlaceOrderBody = z.strictObject({
  quantity: z.number().int().min(1).max(MAX_UNITS),
  shipping: Shipping.optional().describe('where to deliver; may be given later, before fulfilment'),
});
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, '1–255 visible ASCII characters')
    .describe('the same key and body return the same result, never a second one; another body with it is a 422'),
});

export const OrderListQuery = PageQuery.extend({
  state: OrderState.optional(),
  campaignId: z.string().max(100).optional(),
});

export const FulfilBody = z.strictObject({
  organisationId: id.optional().describe('the maker organisation (default: the caller’s, when they are partner of one maker)'),
  lot: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .describe(
      'the number of the lot the units come from: recorded by the organisation for the product, QA passed, with the units left',
    ),
  carrier: z.string().trim().min(1).max(100),
  trackingNumber: z.string().trim().min(1).max(100),
});
export type FulfilBody = z.infer<typeof FulfilBody>;

export const FulfilmentQueueQuery = PageQuery.extend({
  state: z.enum(['paid', 'fulfilled', 'delivered']).default('paid'),
  campaignId: z.string().max(100).optional(),
});

// Trials

export const TrialApplication = z
  .object({
    id: z.string(),
    campaignId: z.string(),
    memberId: z.string(),
    displayName: z.string(),
    motivation: z.string(),
    usage: z.string(),
    householdSize: z.number().int().nullable(),
    state: z.enum(['applied', 'selected', 'not_selected', 'withdrawn']),
    orderId: z.string().nullable(),
    createdAt: Timestamp,
    decidedAt: Timestamp.nullable(),
  })
  .meta({ id: 'TrialApplication' });

export const ApplyBody = z.strictObject({
  motivation: z.string().trim().min(1).max(500).describe('why you want to try it'),
  usage: z.string().trim().min(1).max(500).describe('the scene you would use it in'),
  householdSize: z.number().int().min(1).max(20).optional(),
});

export const SelectBody = z.strictObject({
  applicationIds: z.array(id).min(1).max(1000),
});

export const DrawBody = z.strictObject({
  seed: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe('published with the result: the same seed and applicants draw the same winners'),
  count: z.number().int().min(1).max(MAX_UNITS).optional().describe('default: every sample left'),
});

export const Draw = z
  .object({
    campaignId: z.string(),
    seed: z.string(),
    count: z.number().int(),
    applicants: z.number().int(),
    applicationIds: z.array(z.string()).describe('every application that entered the draw'),
    winners: z.array(z.object({ applicationId: z.string(), memberId: z.string(), ticket: z.string() })),
    drawnAt: Timestamp,
    method: z.string(),
  })
  .meta({ id: 'TrialDraw' });

export const FeedbackBody = z.strictObject({
  rating: z.number().int().min(1).max(5),
  wouldBuy: z.enum(['yes', 'maybe', 'no']),
  liked: z.string().trim().max(2000).default(''),
  improve: z.string().trim().max(2000).default(''),
});

export const Feedback = z
  .object({
    orderId: z.string(),
    campaignId: z.string(),
    memberId: z.string(),
    rating: z.number().int(),
    wouldBuy: FeedbackBody.shape.wouldBuy,
    liked: z.string(),
    improve: z.string(),
    createdAt: Timestamp,
  })
  .meta({ id: 'TrialFeedback' });

export const StockAudit = z
  .object({
    campaignId: z.string(),
    quantity: z.number().int(),
    sold: z.number().int(),
    remaining: z.number().int(),
    soldAmount: z.number().int(),
    heldByOrders: z.number().int().describe('units of the orders not cancelled or restocked, counted from the orders'),
    amountByOrders: z.number().int(),
    tierSold: z.array(z.number().int()),
    consistent: z.boolean().describe('the counters agree with the orders and 0 ≤ sold ≤ quantity'),
  })
  .meta({ id: 'CampaignStockAudit' });

export const TrialStats = z
  .object({
    campaignId: z.string(),
    applications: z.number().int(),
    selected: z.number().int(),
    feedback: z.number().int(),
    averageRating: z.number().nullable().describe('mean of the ratings, null without feedback'),
    wouldBuy: z.object({ yes: z.number().int(), maybe: z.number().int(), no: z.number().int() }),
    converted: z.number().int().describe('selected members who later paid for the same product'),
    conversionRate: z.number().nullable().describe('converted / selected'),
  })
  .meta({ id: 'TrialStats' });
