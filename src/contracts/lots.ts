import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';

export const QaResult = z.enum(['pending', 'passed', 'failed']);

export const Shipment = z
  .object({
    id: z.string(),
    lotId: z.string(),
    quantity: z.number().int(),
    carrier: z.string(),
    trackingNumber: z.string().nullable(),
    destination: z.string().describe('where the units go, e.g. 品牌仓 上海'),
    shippedAt: Timestamp,
    deliveredAt: Timestamp.nullable(),
  })
  .meta({ id: 'Shipment' });

export const Lot = z
  .object({
    id: z.string(),
    productId: z.string(),
    bidId: z.string().describe('the awarded bid the lot was produced against'),
    organisation: z.object({ id: z.string(), name: z.string() }).describe('the maker that produced it'),
    lotNumber: z.string().describe('unique within the product; orders are fulfilled naming it'),
    quantity: z.number().int(),
    producedOn: z.string().describe('YYYY-MM-DD'),
    qa: z.object({
      result: QaResult,
      notes: z.string().nullable(),
      recordedAt: Timestamp.nullable(),
    }),
    unitsFulfilled: z.number().int().describe('units of orders fulfilled from this lot'),
    shipments: z.array(Shipment).describe('oldest first'),
    createdAt: Timestamp,
  })
  .meta({ id: 'Lot' });

const text = (max: number) => z.string().trim().min(1).max(max);

export const RecordLotBody = z.strictObject({
  bidId: text(100).describe('an awarded bid on a call for production of the product’s need'),
  lotNumber: z
    .string()
    .trim()
    .regex(/^[\p{L}\p{N}][\p{L}\p{N}._\-/ ]{0,63}$/u, 'letters, digits, dot, dash, slash, underscore and spaces, up to 64')
    .describe('unique within the product, e.g. SG-2026-01'),
  quantity: z.number().int().min(1).max(100_000_000).describe('units produced'),
  producedOn: z.iso.date().describe('YYYY-MM-DD, not in the future'),
  organisationId: text(100).optional().describe('the bid’s organisation (the default)'),
});
export type RecordLotBody = z.infer<typeof RecordLotBody>;

export const RecordQaBody = z.strictObject({
  result: z.enum(['passed', 'failed']),
  notes: z.string().trim().max(2000).optional(),
});
export type RecordQaBody = z.infer<typeof RecordQaBody>;

export const RecordShipmentBody = z.strictObject({
  quantity: z.number().int().min(1).max(100_000_000),
  carrier: text(100),
  trackingNumber: text(100).optional(),
  destination: text(200).describe('e.g. 品牌仓 上海'),
});
export type RecordShipmentBody = z.infer<typeof RecordShipmentBody>;

export const LotListQuery = PageQuery;
