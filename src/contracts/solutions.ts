import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';
import { MemberRef } from './members.js';

export const Solution = z
  .object({
    id: z.string(),
    needId: z.string(),
    author: MemberRef,
    organisationId: z.string().nullable().describe('the partner organisation it is proposed on behalf of'),
    title: z.string(),
    body: z.string(),
    version: z.number().int(),
    voteCount: z.number().int(),
    chosen: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    voted: z.boolean().optional().describe('whether the caller voted (signed-in callers only)'),
  })
  .meta({ id: 'Solution' });

export const SolutionVersion = z.object({ version: z.number().int(), title: z.string(), body: z.string(), createdAt: Timestamp });

export const CreateSolutionBody = z.strictObject({
  title: z.string().trim().min(1).max(120),
  body: z.string().trim().min(1).max(10_000),
  organisationId: z.string().min(1).max(100).optional(),
});

export const ReviseSolutionBody = z.strictObject({
  title: z.string().trim().min(1).max(120),
  body: z.string().trim().min(1).max(10_000),
});

export const SolutionListQuery = PageQuery.extend({ sort: z.enum(['top', 'new']).default('top') });
export const MySolutionsQuery = PageQuery.extend({ authorId: z.string().max(100) });

export const VoteReply = z.object({ voted: z.boolean(), voteCount: z.number().int() });
