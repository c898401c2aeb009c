import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';
import { MemberRef } from './members.js';

export const Scene = z
  .object({
    id: z.string(),
    communityId: z.string(),
    author: MemberRef,
    title: z.string(),
    persona: z.string().describe('who: "a new mother", "a student living alone"'),
    goal: z.string().describe('what they want to achieve'),
    pain: z.string().describe('what gets in the way'),
    context: z.string().describe('when, where, with what'),
    tags: z.array(z.string()),
    needCount: z.number().int(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Scene' });

export const CreateSceneBody = z.strictObject({
  communityId: z.string().min(1).max(100),
  title: z.string().trim().min(1).max(120),
  persona: z.string().trim().min(1).max(500),
  goal: z.string().trim().min(1).max(1000),
  pain: z.string().trim().min(1).max(2000),
  context: z.string().trim().max(5000).optional(),
  tags: z.array(z.string().trim().min(1).max(30)).max(10).optional(),
});

export const SceneListQuery = PageQuery.extend({
  communityId: z.string().max(100).optional(),
  authorId: z.string().max(100).optional(),
  q: z.string().trim().min(1).max(200).optional().describe('full-text search; Chinese works without spaces'),
});
