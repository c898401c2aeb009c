import { z } from 'zod';
import {
  AwardBody,
  AwardResult,
  Bid,
  Call,
  CallBidParams,
  CallListQuery,
  Comparison,
  MyBid,
  OpenCallBody,
  SCORE_FORMULA,
  SubmitBidBody,
} from '../../contracts/bids.js';
import { IdParams, Page, PageQuery } from '../../contracts/common.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { BidsService } from './bids.service.js';

const tags = ['bids'];

export function bidsRoutes(service: BidsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/calls',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Open a call for production (抢单) on an accepted need; one per need until awarded',
          body: OpenCallBody,
          response: { 201: Call },
        },
      },
      async (request, reply) => reply.code(201).send(await service.openCall(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/calls',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Calls for production, newest first, by need and state (without their bids)',
          querystring: CallListQuery,
          response: { 200: Page(Call) },
        },
      },
      async (request) =>
        service.listCalls(
          { needId: request.query.needId, state: request.query.state },
          request.query.limit,
          request.query.cursor,
        ),
    );

    app.get(
      '/api/v1/calls/:id',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'One call for production (without its bids)', params: IdParams, response: { 200: Call } },
      },
      async (request) => service.getCall(request.params.id),
    );

    app.put(
      '/api/v1/calls/:id/bids/:organisationId',
      {
        config: { access: 'partner' },
        schema: {
          tags,
          summary: 'Submit or replace the organisation’s bid before the deadline (partners of the organisation)',
          description:
            '403 for anyone not a partner of the organisation; 409 once the deadline has passed or the call is awarded.',
          params: CallBidParams,
          body: SubmitBidBody,
          response: { 200: Bid },
        },
      },
      async (request) => service.submitBid(request.actor!, request.params.id, request.params.organisationId, request.body),
    );

    app.delete(
      '/api/v1/calls/:id/bids/:organisationId',
      {
        config: { access: 'partner' },
        schema: {
          tags,
          summary: 'Withdraw the organisation’s bid before the deadline (partners of the organisation; idempotent)',
          params: CallBidParams,
        },
      },
      async (request, reply) => {
        await service.withdrawBid(request.actor!, request.params.id, request.params.organisationId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/calls/:id/bids',
      {
        config: { access: ['partner', 'operator'] },
        schema: {
          tags,
          summary: 'A call’s bids: all for operators, only their own organisations’ for partners (with the outcome once awarded)',
          params: IdParams,
          response: { 200: z.object({ items: z.array(Bid), nextCursor: z.null() }) },
        },
      },
      async (request) => ({ items: await service.listCallBids(request.actor!, request.params.id), nextCursor: null }),
    );

    app.get(
      '/api/v1/calls/:id/comparison',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Compare a call’s bids: cheapest and fastest marked, scored and ranked',
          description: SCORE_FORMULA,
          params: IdParams,
          response: { 200: Comparison },
        },
      },
      async (request) => service.compare(request.params.id),
    );

    app.post(
      '/api/v1/calls/:id/award',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Award one or several bids with quantities; awarded organisations join the chain group as makers',
          description:
            'Each quantity lies within its bid’s minimum and maximum (422 naming awards.N.quantity); together they cover the ' +
            'quantity wanted (422, unless allowUndercover) and never exceed it (422). The other live bids are lost. ' +
            'Awarding closes the call, even before its deadline. 409 when the call is awarded already or the need has no chain group yet.',
          params: IdParams,
          body: AwardBody,
          response: { 200: AwardResult },
        },
      },
      async (request) => service.award(request.actor!, request.params.id, request.body),
    );

    app.get(
      '/api/v1/me/bids',
      {
        config: { access: 'partner' },
        schema: {
          tags,
          summary: 'The bids of the organisations I am a partner of, newest first, each with its call',
          querystring: PageQuery,
          response: { 200: Page(MyBid) },
        },
      },
      async (request) => service.listMyBids(request.actor!, request.query.limit, request.query.cursor),
    );
  };
}
