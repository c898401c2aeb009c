import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';

export const NotificationKind = z.enum([
  'order.paid',
  'order.cancelled',
  'order.fulfilled',
  'order.delivered',
  'order.refunded',
  'trial.selected',
  'trial.not-selected',
]);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const Notification = z
  .object({
    id: z.string(),
    kind: NotificationKind,
    payload: z.record(z.string(), z.unknown()).describe('the ids and figures the message names'),
    createdAt: Timestamp,
    readAt: Timestamp.nullable(),
  })
  .meta({ id: 'Notification' });

export const NotificationListQuery = PageQuery.extend({
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});

export const ReadBody = z.strictObject({
  upTo: z.string().min(1).max(100).optional().describe('mark this one and every older one read (default: all)'),
});

export const UnreadCount = z.object({ unread: z.number().int() });
