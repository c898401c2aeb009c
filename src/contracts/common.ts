import { z } from 'zod';

/** Money: integer minor units with an ISO 4217 currency code. */
export const Money = z
  .object({
    amount: z.number().int().describe('integer minor units (fen, cents)'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .describe('ISO 4217 code, e.g. CNY'),
  })
  .meta({ id: 'Money' });
export type Money = z.infer<typeof Money>;

/** An ISO 8601 UTC time string. */
export const Timestamp = z.string().describe('ISO 8601 UTC time');

/** `?limit=&cursor=` of every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});

/** `{ items, nextCursor }` of every list. */
export function Page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const FieldProblem = z.object({ path: z.string(), message: z.string() });

/** RFC 9457 problem details, as every error answers. */
export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(FieldProblem).optional(),
  })
  .meta({ id: 'Problem' });

/** Path parameter `{id}`. */
export const IdParams = z.object({ id: z.string().min(1).max(100) });
