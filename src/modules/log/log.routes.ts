import { IdParams, Page } from '../../contracts/common.js';
import {
  ConsistencyProof,
  ConsistencyQuery,
  Contribution,
  ContributionsQuery,
  EntriesQuery,
  EntriesResponse,
  HeadHistoryQuery,
  InclusionProof,
  InclusionQuery,
  LogPublicKey,
  ProductTrace,
  SignedTreeHead,
} from '../../contracts/log.js';
import { AppError } from '../../platform/errors.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { LogService } from './log.service.js';

const tags = ['contribution log'];
/** Answers that never change for the same query (entries and proofs of fixed sizes). */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The log's routes: key, heads, entries, proofs (all public), a member's contributions and a product's trace. */
export function logRoutes(service: LogService, memberExists: (id: string) => Promise<boolean>) {
  return (app: HttpApp) => {
    app.get(
      '/api/v1/log/public-key',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'The Ed25519 public key the log’s tree heads are signed with', response: { 200: LogPublicKey } },
      },
      async () => service.publicKey(),
    );

    app.get(
      '/api/v1/log/head',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'The latest signed tree head',
          description:
            'The signature covers the RFC 6962 TreeHeadSignature bytes of (timestamp, treeSize, rootHash): see docs/contribution-log.md.',
          response: { 200: SignedTreeHead },
        },
      },
      async () => service.latestHead(),
    );

    app.get(
      '/api/v1/log/heads',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Every signed tree head, largest first',
          querystring: HeadHistoryQuery,
          response: { 200: Page(SignedTreeHead) },
        },
      },
      async (request) => service.heads(request.query.limit, request.query.cursor),
    );

    app.get(
      '/api/v1/log/entries',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Entries start..end (end inclusive, as RFC 6962 get-entries), at most 1,000 per call',
          description:
            'Fewer entries than asked come back at the end of the log or past 1,000; 422 when start is beyond the log.',
          querystring: EntriesQuery,
          response: { 200: EntriesResponse },
        },
      },
      async (request, reply) => {
        const page = await service.entries(request.query.start, request.query.end);
        if (page.entries.length === request.query.end - request.query.start + 1) reply.header('cache-control', IMMUTABLE);
        return page;
      },
    );

    app.get(
      '/api/v1/log/proof/inclusion',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'The audit path of an entry, by index or leaf hash, in the tree of treeSize (default: the latest head’s)',
          description: '422 when the entry is not in that tree or treeSize is beyond the log; 404 for an unknown leaf hash.',
          querystring: InclusionQuery,
          response: { 200: InclusionProof },
        },
      },
      async (request, reply) => {
        const proof = await service.inclusionProof(request.query);
        if (request.query.treeSize !== undefined) reply.header('cache-control', IMMUTABLE);
        return proof;
      },
    );

    app.get(
      '/api/v1/log/proof/consistency',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'The proof that the tree of first entries is a prefix of the tree of second (RFC 9162 §2.1.4)',
          querystring: ConsistencyQuery,
          response: { 200: ConsistencyProof },
        },
      },
      async (request, reply) => {
        const proof = await service.consistencyProof(request.query.first, request.query.second);
        reply.header('cache-control', IMMUTABLE);
        return proof;
      },
    );

    app.get(
      '/api/v1/members/:id/contributions',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A member’s log entries (as actor or credited), newest first, each with its index to prove it',
          params: IdParams,
          querystring: ContributionsQuery,
          response: { 200: Page(Contribution) },
        },
      },
      async (request) => {
        if (!(await memberExists(request.params.id))) throw AppError.notFound('Member');
        return service.contributions(request.params.id, request.query);
      },
    );

    app.get(
      '/api/v1/products/:id/trace',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A product’s trace from the log: co-created by, made by, delivered — each step a provable entry',
          params: IdParams,
          response: { 200: ProductTrace },
        },
      },
      async (request) => service.trace(request.params.id),
    );
  };
}
