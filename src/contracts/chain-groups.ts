import { z } from 'zod';
import { Money, PageQuery, Timestamp } from './common.js';

/** Member roles in a chain group: the usual ones, or free text up to 30 characters. */
export const MemberRole = z
  .string()
  .trim()
  .min(1)
  .max(30)
  .describe('lead, creator, designer, marketer, or free text up to 30 characters');

export const OrganisationRole = z.enum(['maker', 'retailer', 'service']);

export const ChainGroupMember = z.object({ memberId: z.string(), displayName: z.string(), role: z.string(), addedAt: Timestamp });
export const ChainGroupOrganisation = z.object({
  organisationId: z.string(),
  name: z.string(),
  role: OrganisationRole,
  addedAt: Timestamp,
});

export const AgreementSummary = z.object({
  version: z.number().int(),
  acceptedByAll: z.boolean(),
  acceptedParties: z.number().int(),
  parties: z.number().int(),
});

export const ChainGroup = z
  .object({
    id: z.string(),
    needId: z.string(),
    name: z.string(),
    formedBy: z.string(),
    createdAt: Timestamp,
    members: z.array(ChainGroupMember),
    organisations: z.array(ChainGroupOrganisation),
    agreement: AgreementSummary.nullable().describe('the current agreement version, null before the first'),
  })
  .meta({ id: 'ChainGroup' });

export const FormChainGroupBody = z.strictObject({
  needId: z.string().min(1).max(100),
  name: z.string().trim().min(1).max(120),
  leads: z.array(z.string().min(1).max(100)).max(20).optional().describe('members who lead it from the start'),
});

export const ChainGroupListQuery = PageQuery.extend({ needId: z.string().max(100).optional() });

export const ChainGroupMemberParams = z.object({ id: z.string().min(1).max(100), memberId: z.string().min(1).max(100) });
export const ChainGroupOrganisationParams = z.object({
  id: z.string().min(1).max(100),
  organisationId: z.string().min(1).max(100),
});
export const SetMemberRoleBody = z.strictObject({ role: MemberRole });
export const SetOrganisationRoleBody = z.strictObject({ role: OrganisationRole });

const Bps = z.number().int().min(0).max(10_000).describe('basis points, 0..10000');
const Weight = z.number().int().min(0).max(1_000_000);

/** What a version of the value-sharing agreement states, per unit sold. */
export const AgreementTerms = z
  .strictObject({
    referenceUnitPrice: z.strictObject({
      amount: z.number().int().min(1).max(1_000_000_000_000).describe('integer minor units, more than zero'),
      currency: Money.shape.currency,
    }),
    makerUnitCost: z
      .strictObject({ amount: z.number().int().min(0).max(1_000_000_000_000), currency: Money.shape.currency })
      .nullable()
      .describe('the maker’s cost per unit; null until a bid is awarded'),
    platformFeeBps: Bps,
    referralCommissionBps: Bps,
    pool: z
      .discriminatedUnion('mode', [
        z.strictObject({ mode: z.literal('rest') }),
        z.strictObject({ mode: z.literal('share'), bps: Bps }),
      ])
      .describe('the co-creators’ pool: what is left of the price, or a stated share of it'),
    roleShares: z
      .record(z.string().min(1).max(30), Bps)
      .describe('how the pool is divided between participant roles, in basis points adding up to exactly 10000'),
    contributionWeights: z
      .strictObject({
        needAuthor: Weight,
        chosenSolutionAuthors: Weight,
        earlySupporters: z.strictObject({ first: z.number().int().min(0).max(1_000_000), weight: Weight }),
        pollVoters: Weight,
        trialReviewers: Weight,
      })
      .describe('how each role’s share is divided by contribution; at least one weight above zero'),
  })
  .meta({ id: 'AgreementTerms' });
export type AgreementTerms = z.infer<typeof AgreementTerms>;

export const AgreementParty = z.object({
  kind: z.enum(['member', 'organisation']),
  id: z.string(),
  name: z.string(),
  role: z.string(),
  accepted: z.boolean(),
  acceptedBy: z.string().nullable().describe('the member who accepted (a partner, for an organisation)'),
  acceptedAt: Timestamp.nullable(),
});

export const AgreementVersion = z
  .object({
    chainGroupId: z.string(),
    version: z.number().int(),
    current: z.boolean(),
    terms: AgreementTerms,
    proposedBy: z.string(),
    createdAt: Timestamp,
  })
  .meta({ id: 'AgreementVersion' });

export const Agreement = z
  .object({
    chainGroupId: z.string(),
    version: z.number().int(),
    terms: AgreementTerms,
    proposedBy: z.string(),
    createdAt: Timestamp,
    acceptedByAll: z.boolean(),
    parties: z.array(AgreementParty),
  })
  .meta({ id: 'Agreement' });

export const AgreementVersionParams = z.object({
  id: z.string().min(1).max(100),
  version: z.coerce.number().int().min(1).max(1_000_000),
});
