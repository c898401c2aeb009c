import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';

const httpsUrl = z
  .url({ protocol: /^https$/ })
  .max(2000)
  .describe('an https URL');

export const ProductSpec = z.object({
  key: z.string(),
  value: z.string(),
  source: z.enum(['poll', 'free']).describe('poll: the decided option of a closed poll on the need or its solution'),
  pollId: z.string().nullable(),
});

export const Sku = z.object({
  code: z.string(),
  name: z.string(),
  attributes: z.record(z.string(), z.string()),
});

export const ProductAgreement = z.object({
  version: z.number().int().nullable().describe('the chain group’s current agreement version; null before the first'),
  acceptedByAll: z.boolean(),
});

export const Product = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    needId: z.string(),
    solutionId: z.string(),
    chainGroupId: z.string(),
    agreement: ProductAgreement,
    images: z.array(z.string()),
    specs: z.array(ProductSpec).describe('decided poll specs first, then the free ones'),
    skus: z.array(Sku),
    createdBy: z.string(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .meta({ id: 'Product' });

const FreeSpec = z.strictObject({ key: z.string().trim().min(1).max(100), value: z.string().trim().min(1).max(500) });
const SkuInput = z.strictObject({
  code: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, dot, dash and underscore, up to 64')
    .describe('unique within the product'),
  name: z.string().trim().min(1).max(200),
  attributes: z.record(z.string().min(1).max(50), z.string().max(200)).optional(),
});

const fields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(10_000),
  images: z.array(httpsUrl).max(10),
  specs: z.array(FreeSpec).max(50).describe('free { key, value } specs, keys distinct'),
  skus: z.array(SkuInput).max(100).describe('codes distinct'),
};

export const CreateProductBody = z.strictObject({
  needId: z.string().min(1).max(100),
  solutionId: z.string().min(1).max(100).optional().describe('the need’s chosen solution (the default)'),
  chainGroupId: z.string().min(1).max(100).optional().describe('the need’s chain group (the default)'),
  name: fields.name,
  description: fields.description.default(''),
  images: fields.images.default([]),
  specs: fields.specs.default([]),
  skus: fields.skus.default([]),
});
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const UpdateProductBody = z
  .strictObject({
    name: fields.name.optional(),
    description: fields.description.optional(),
    images: fields.images.optional(),
    specs: fields.specs.optional().describe('replaces the free specs; decided poll specs are collected again on every update'),
    skus: fields.skus.optional().describe('replaces every SKU'),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'give at least one field' });
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

export const ProductListQuery = PageQuery.extend({
  needId: z.string().max(100).optional(),
  chainGroupId: z.string().max(100).optional(),
});
