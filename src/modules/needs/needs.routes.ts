import { IdParams, Page, PageQuery } from '../../contracts/common.js';
import {
  AdvanceBody,
  ChooseSolutionBody,
  CreateNeedBody,
  MergeBody,
  Need,
  NeedListQuery,
  ReviewBody,
  SupportBody,
  Supporter,
  SupportReply,
} from '../../contracts/needs.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { NeedsService } from './needs.service.js';

const tags = ['needs'];

export function needsRoutes(service: NeedsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/needs',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Raise a need in a scene', body: CreateNeedBody, response: { 201: Need } },
      },
      async (request, reply) => reply.code(201).send(await service.raiseNeed(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/needs',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'List needs: sort=hot|top|new, filters, full-text q',
          description: 'hot = (supportCount + 1) / (age in hours + 2)^1.5, evaluated at the time of the first page.',
          querystring: NeedListQuery,
          response: { 200: Page(Need) },
        },
      },
      async (request) => {
        const { sort, limit, cursor, ...filter } = request.query;
        return service.listNeeds(filter, sort, limit, cursor, request.actor);
      },
    );

    app.get(
      '/api/v1/needs/:id',
      { config: { access: 'public' }, schema: { tags, summary: 'One need', params: IdParams, response: { 200: Need } } },
      async (request) => service.getNeed(request.params.id, request.actor),
    );

    app.put(
      '/api/v1/needs/:id/support',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Support a need (idempotent), optionally with purchase intent',
          params: IdParams,
          body: SupportBody,
          response: { 200: SupportReply },
        },
      },
      async (request) => service.supportNeed(request.actor!, request.params.id, request.body?.intent),
    );

    app.delete(
      '/api/v1/needs/:id/support',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Withdraw a support (idempotent)', params: IdParams, response: { 200: SupportReply } },
      },
      async (request) => service.unsupportNeed(request.actor!, request.params.id),
    );

    app.get(
      '/api/v1/needs/:id/supporters',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Supporters in the order they came',
          params: IdParams,
          querystring: PageQuery,
          response: { 200: Page(Supporter) },
        },
      },
      async (request) => service.listSupporters(request.params.id, request.query.limit, request.query.cursor, request.actor),
    );

    app.get(
      '/api/v1/me/supports',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Needs I support', querystring: PageQuery, response: { 200: Page(Need) } },
      },
      async (request) => service.listSupportedBy(request.actor!, request.query.limit, request.query.cursor),
    );

    app.post(
      '/api/v1/needs/:id/review',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Accept or decline a qualified need',
          params: IdParams,
          body: ReviewBody,
          response: { 200: Need },
        },
      },
      async (request) => service.reviewNeed(request.actor!, request.params.id, request.body.decision, request.body.reason),
    );

    app.post(
      '/api/v1/needs/:id/advance',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Move a need to in_review, in_development, launched or delivered',
          params: IdParams,
          body: AdvanceBody,
          response: { 200: Need },
        },
      },
      async (request) => service.advanceNeed(request.actor!, request.params.id, request.body.stage),
    );

    app.post(
      '/api/v1/needs/:id/merge',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Merge a duplicate into another need',
          params: IdParams,
          body: MergeBody,
          response: { 200: Need },
        },
      },
      async (request) => service.mergeNeed(request.actor!, request.params.id, request.body.intoNeedId),
    );

    app.post(
      '/api/v1/needs/:id/choose-solution',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Choose the solution that answers the need',
          params: IdParams,
          body: ChooseSolutionBody,
          response: { 200: Need },
        },
      },
      async (request) => service.chooseSolution(request.actor!, request.params.id, request.body.solutionId),
    );
  };
}
