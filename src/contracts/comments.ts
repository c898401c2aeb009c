import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';
import { MemberRef } from './members.js';

const CommentFields = z.object({
  id: z.string(),
  needId: z.string().nullable(),
  solutionId: z.string().nullable(),
  parentId: z.string().nullable(),
  author: MemberRef,
  body: z.string().describe('empty when deleted, or hidden and the caller is not an operator'),
  mentions: z.array(MemberRef),
  hidden: z.boolean(),
  deleted: z.boolean(),
  createdAt: Timestamp,
  editedAt: Timestamp.nullable(),
});

/** A comment; top-level ones in a list carry their replies (one level). */
export const Comment = CommentFields.extend({
  replies: z.array(CommentFields).optional().describe('one level of replies, oldest first'),
}).meta({ id: 'Comment' });

export const CreateCommentBody = z.strictObject({
  body: z.string().trim().min(1).max(5000),
  parentId: z.string().min(1).max(100).optional(),
});
export const EditCommentBody = z.strictObject({ body: z.string().trim().min(1).max(5000) });
export const HideCommentBody = z.strictObject({ hidden: z.boolean() });
export const CommentListQuery = PageQuery;
