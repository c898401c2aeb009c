import { z } from 'zod';
import { PageQuery, Timestamp } from './common.js';
import { MemberRef } from './members.js';

const Hex32 = z
  .string()
  .regex(/^[0-9a-f]{64}$/)
  .describe('a SHA-256 hash, 64 lowercase hex digits');
/** A non-negative integer in a query string; an empty value counts as absent (not as 0). */
const Count = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER));
const Index = Count;
const Size = Count;

/** Every kind of entry the log writes (docs/contribution-log.md). */
export const LOG_ENTRY_KINDS = [
  'scene.described',
  'need.raised',
  'need.supported',
  'need.unsupported',
  'need.intent-given',
  'need.intent-withdrawn',
  'need.merged',
  'solution.proposed',
  'need.solution-chosen',
  'poll.ballot-cast',
  'poll.ballot-withdrawn',
  'poll.decided',
  'comment.posted',
  'bid.submitted',
  'bid.awarded',
  'agreement.accepted',
  'order.paid',
  'order.fulfilled',
  'order.fulfilment-corrected',
  'trial.feedback-given',
  'lot.produced',
  'lot.qa-recorded',
  'lot.shipped',
  'lot.delivered',
] as const;

/**
 * One contribution log entry, as encoded in canonical JSON (keys sorted as RFC 8785 sorts them, no
 * whitespace, integers only). Personal data stays out: actors and credited members appear by id.
 */
export const LogEntry = z
  .object({
    v: z.literal(1).describe('entry format version'),
    index: z.number().int().min(0).describe('the entry’s own index in the log: no two leaves are alike'),
    kind: z.string().describe('what happened, e.g. `need.supported`, `lot.produced` (docs/contribution-log.md lists them)'),
    at: Timestamp.describe('when it happened'),
    actor: z.string().nullable().describe('the member who acted, by id'),
    credits: z.array(z.string()).describe('members credited besides the actor (e.g. both authors of a merge), by id'),
    subjects: z.record(z.string(), z.string()).describe('ids of what it is about: needId, solutionId, productId, lotId…'),
    data: z.record(z.string(), z.unknown()).describe('a small payload: ranks, quantities, money in minor units'),
  })
  .meta({ id: 'LogEntry' });
export type LogEntry = z.infer<typeof LogEntry>;

export const LogPublicKey = z.object({
  algorithm: z.literal('Ed25519'),
  publicKey: z.string().describe('base64 of the raw 32-byte Ed25519 public key'),
});

/** A signed tree head (STH). The signature covers the bytes in docs/contribution-log.md. */
export const SignedTreeHead = z
  .object({
    treeSize: z.number().int().min(0),
    rootHash: Hex32,
    timestamp: z.number().int().min(0).describe('milliseconds since 1970-01-01T00:00:00Z, as signed'),
    signature: z.string().describe('base64 of the 64-byte Ed25519 signature'),
  })
  .meta({ id: 'SignedTreeHead' });
export type SignedTreeHead = z.infer<typeof SignedTreeHead>;

export const HeadHistoryQuery = PageQuery;

export const EntriesQuery = z
  .object({ start: Index, end: Index })
  .refine((q) => q.end >= q.start, { message: 'end must not be before start', path: ['end'] });

export const LoggedEntry = z
  .object({
    index: z.number().int(),
    leafInput: z.string().describe('base64 of the canonical entry bytes (the Merkle leaf input)'),
    entry: LogEntry,
  })
  .meta({ id: 'LoggedEntry' });
export type LoggedEntry = z.infer<typeof LoggedEntry>;

export const EntriesResponse = z.object({ entries: z.array(LoggedEntry) });

export const InclusionQuery = z
  .object({
    index: Index.optional(),
    hash: Hex32.optional().describe('the leaf hash, instead of the index'),
    treeSize: Size.optional().describe('defaults to the latest signed head'),
  })
  .refine((q) => (q.index === undefined) !== (q.hash === undefined), {
    message: 'give either index or hash',
    path: ['index'],
  });

export const InclusionProof = z.object({
  index: z.number().int(),
  treeSize: z.number().int(),
  leafHash: Hex32,
  auditPath: z.array(Hex32),
});

export const ConsistencyQuery = z
  .object({ first: Size, second: Size })
  .refine((q) => q.second >= q.first, { message: 'second must not be smaller than first', path: ['second'] });

export const ConsistencyProof = z.object({ first: z.number().int(), second: z.number().int(), proof: z.array(Hex32) });

export const ContributionsQuery = PageQuery.extend({
  kind: z.enum(LOG_ENTRY_KINDS).optional().describe('only entries of this kind'),
});

/** One of a member's log entries (as actor or credited), with its index so that it can be proven. */
export const Contribution = LoggedEntry.extend({
  role: z.enum(['actor', 'credited']),
}).meta({ id: 'Contribution' });

/** One step of a product's trace: a log entry, with the names that go with its ids. */
export const TraceStep = z.object({
  index: z.number().int(),
  leafInput: z.string(),
  entry: LogEntry,
  actor: MemberRef.nullable(),
  organisation: z.object({ id: z.string(), name: z.string() }).nullable(),
});

export const ProductTrace = z.object({
  product: z.object({ id: z.string(), name: z.string(), needId: z.string() }),
  /** Co-created by: the need raised, its first supporters, the solution(s) chosen and their authors, the polls. */
  cocreated: z.array(TraceStep),
  /** Made by: the awarded bids, the lots produced and their QA. */
  made: z.array(TraceStep),
  /** Delivered: shipments of the lots, and their delivery. */
  delivered: z.array(TraceStep),
  /** Orders fulfilled from the product's lots, and units in them (counted from the log). */
  fulfilled: z.object({ orders: z.number().int(), units: z.number().int() }),
});
