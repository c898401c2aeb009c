import { IdParams, Page } from '../../contracts/common.js';
import {
  CreateSolutionBody,
  MySolutionsQuery,
  ReviseSolutionBody,
  Solution,
  SolutionListQuery,
  SolutionVersion,
  VoteReply,
} from '../../contracts/solutions.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { SolutionsService } from './solutions.service.js';

const tags = ['solutions'];

export function solutionsRoutes(service: SolutionsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/needs/:id/solutions',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Propose a solution to a need',
          params: IdParams,
          body: CreateSolutionBody,
          response: { 201: Solution },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.proposeSolution(request.actor!, request.params.id, request.body)),
    );

    app.get(
      '/api/v1/needs/:id/solutions',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A need’s solutions, sort=top|new',
          params: IdParams,
          querystring: SolutionListQuery,
          response: { 200: Page(Solution) },
        },
      },
      async (request) =>
        service.listForNeed(request.params.id, request.query.sort, request.query.limit, request.query.cursor, request.actor),
    );

    app.get(
      '/api/v1/solutions',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A member’s solutions, newest first',
          querystring: MySolutionsQuery,
          response: { 200: Page(Solution) },
        },
      },
      async (request) => service.listByAuthor(request.query.authorId, request.query.limit, request.query.cursor, request.actor),
    );

    app.get(
      '/api/v1/solutions/:id',
      { config: { access: 'public' }, schema: { tags, summary: 'One solution', params: IdParams, response: { 200: Solution } } },
      async (request) => service.getSolution(request.params.id, request.actor),
    );

    app.post(
      '/api/v1/solutions/:id/versions',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Write a new version (author only)',
          params: IdParams,
          body: ReviseSolutionBody,
          response: { 200: Solution },
        },
      },
      async (request) => service.reviseSolution(request.actor!, request.params.id, request.body),
    );

    app.get(
      '/api/v1/solutions/:id/versions',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Every version, newest first (one page)',
          params: IdParams,
          response: { 200: Page(SolutionVersion) },
        },
      },
      async (request) => ({ items: await service.listVersions(request.params.id), nextCursor: null }),
    );

    app.put(
      '/api/v1/solutions/:id/vote',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Vote (idempotent)', params: IdParams, response: { 200: VoteReply } },
      },
      async (request) => service.vote(request.actor!, request.params.id),
    );

    app.delete(
      '/api/v1/solutions/:id/vote',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Withdraw a vote (idempotent)', params: IdParams, response: { 200: VoteReply } },
      },
      async (request) => service.unvote(request.actor!, request.params.id),
    );
  };
}
