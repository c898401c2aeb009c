import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';

/** One step of a need's support ladder: reach `goal` supports within `days` of the previous step. */
export const Milestone = z.object({ goal: z.number().int().min(1).max(100_000_000), days: z.number().int().min(1).max(3650) });

/** LEGO Ideas' ladder: 100 in 60 days, 1,000 in 365 more, 5,000 in 180 more, 10,000 in 180 more. */
export const DEFAULT_MILESTONES = [
  { goal: 100, days: 60 },
  { goal: 1000, days: 365 },
  { goal: 5000, days: 180 },
  { goal: 10000, days: 180 },
];

const Milestones = z
  .array(Milestone)
  .min(1)
  .max(20)
  .refine(
    (ms) => ms.every((m, i) => i === 0 || m.goal > (ms[i - 1]?.goal ?? 0)),
    'goals must increase from one milestone to the next',
  );

export const Community = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    milestones: z.array(Milestone),
    memberCount: z.number().int(),
    createdAt: Timestamp,
    joined: z.boolean().optional().describe('whether the caller is a member (signed-in callers only)'),
  })
  .meta({ id: 'Community' });

export const CreateCommunityBody = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, 2–63 long'),
  name: z.string().trim().min(1).max(60),
  description: z.string().max(2000).optional(),
  milestones: Milestones.optional(),
});

export const UpdateCommunityBody = z.strictObject({
  name: z.string().trim().min(1).max(60).optional(),
  description: z.string().max(2000).optional(),
  milestones: Milestones.optional(),
});

export const CommunityListQuery = PageQuery;

export const MembershipReply = z.object({ joined: z.boolean(), memberCount: z.number().int() });
