import { z } from 'zod';
import { Timestamp } from './common.js';

export const OrganisationKind = z.enum(['maker', 'retailer', 'service', 'brand', 'other']);

export const Organisation = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    kind: OrganisationKind,
    description: z.string(),
    createdAt: Timestamp,
  })
  .meta({ id: 'Organisation' });

export const CreateOrganisationBody = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, 2–63 long'),
  name: z.string().trim().min(1).max(120),
  kind: OrganisationKind.default('maker'),
  description: z.string().max(2000).optional(),
});

export const OrganisationMember = z.object({ memberId: z.string(), displayName: z.string(), addedAt: Timestamp });

export const OrganisationMemberParams = z.object({ id: z.string().min(1).max(100), memberId: z.string().min(1).max(100) });
