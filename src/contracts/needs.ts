import { z } from 'zod';
import { Money, PageQuery, Timestamp } from './common.js';
import { MemberRef } from './members.js';

export const NeedStage = z.enum([
  'open',
  'qualified',
  'in_review',
  'accepted',
  'declined',
  'in_development',
  'launched',
  'delivered',
  'expired',
  'merged',
]);
export type NeedStage = z.infer<typeof NeedStage>;

export const PurchaseIntent = z.strictObject({
  quantity: z.number().int().min(1).max(1000),
  maxUnitPrice: z.strictObject({
    amount: z.number().int().min(1).max(100_000_000).describe('integer minor units, more than zero'),
    currency: Money.shape.currency,
  }),
});

export const Need = z
  .object({
    id: z.string(),
    sceneId: z.string(),
    communityId: z.string(),
    author: MemberRef,
    title: z.string(),
    body: z.string(),
    stage: NeedStage,
    supportCount: z.number().int(),
    intent: z.object({
      supporters: z.number().int().describe('supporters who said they would buy'),
      quantity: z.number().int().describe('units they would buy in all'),
    }),
    milestone: z
      .object({
        index: z.number().int().describe('0-based step of the ladder being climbed'),
        of: z.number().int().describe('number of steps'),
        goal: z.number().int(),
        deadline: Timestamp,
        previousGoal: z.number().int(),
      })
      .nullable()
      .describe('the goal being climbed and its deadline; null once qualified or closed'),
    mergedInto: z.string().nullable(),
    chosenSolutionId: z.string().nullable(),
    review: z.object({ decision: z.enum(['accept', 'decline']), reason: z.string(), at: Timestamp, by: z.string() }).nullable(),
    solutionCount: z.number().int(),
    commentCount: z.number().int(),
    createdAt: Timestamp,
    stageChangedAt: Timestamp,
    supported: z.boolean().optional().describe('whether the caller supports it (signed-in callers only)'),
    myIntent: PurchaseIntent.nullable().optional(),
  })
  .meta({ id: 'Need' });

export const CreateNeedBody = z.strictObject({
  sceneId: z.string().min(1).max(100),
  title: z.string().trim().min(1).max(120),
  body: z.string().trim().min(1).max(10_000),
});

export const NeedListQuery = PageQuery.extend({
  sort: z.enum(['hot', 'top', 'new']).default('hot'),
  communityId: z.string().max(100).optional(),
  sceneId: z.string().max(100).optional(),
  authorId: z.string().max(100).optional(),
  stage: NeedStage.optional(),
  q: z.string().trim().min(1).max(200).optional(),
});

export const SupportBody = z.strictObject({ intent: PurchaseIntent.optional() }).nullish();
export const SupportReply = z.object({ supported: z.boolean(), supportCount: z.number().int() });

export const ReviewBody = z.strictObject({
  decision: z.enum(['accept', 'decline']),
  reason: z.string().trim().min(1).max(2000),
});

export const MergeBody = z.strictObject({ intoNeedId: z.string().min(1).max(100) });
export const ChooseSolutionBody = z.strictObject({ solutionId: z.string().min(1).max(100) });

/** Stages an operator may set by hand once a need is accepted (campaigns will set them later). */
export const AdvanceBody = z.strictObject({ stage: z.enum(['in_review', 'in_development', 'launched', 'delivered']) });

export const Supporter = z.object({
  member: MemberRef,
  rank: z.number().int(),
  supportedAt: Timestamp,
  intent: PurchaseIntent.nullable(),
});
