import { IdParams, Page } from '../../contracts/common.js';
import {
  BallotBody,
  CreatePollBody,
  DecideBody,
  MyBallot,
  Poll,
  PollListQuery,
  PollResults,
  ResultsQuery,
} from '../../contracts/polls.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { PollsService } from './polls.service.js';

const tags = ['polls'];

export function pollsRoutes(service: PollsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/polls',
      {
        // Operators and the leads of the need's chain group: the service decides.
        config: { access: 'member' },
        schema: { tags, summary: 'Open a poll on a need or a solution', body: CreatePollBody, response: { 201: Poll } },
      },
      async (request, reply) => reply.code(201).send(await service.createPoll(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/polls',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Polls newest first, by needId, solutionId and state=upcoming|open|closed',
          querystring: PollListQuery,
          response: { 200: Page(Poll) },
        },
      },
      async (request) => {
        const { limit, cursor, ...filter } = request.query;
        return service.listPolls(filter, limit, cursor, request.actor);
      },
    );

    app.get(
      '/api/v1/polls/:id',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'One poll, with the caller’s ballot', params: IdParams, response: { 200: Poll } },
      },
      async (request) => service.getPoll(request.params.id, request.actor),
    );

    app.put(
      '/api/v1/polls/:id/ballot',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Cast or replace one’s ballot while the poll is open',
          params: IdParams,
          body: BallotBody,
          response: { 200: MyBallot },
        },
      },
      async (request) => service.castBallot(request.actor!, request.params.id, request.body.choices),
    );

    app.delete(
      '/api/v1/polls/:id/ballot',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Withdraw one’s ballot while the poll is open (idempotent)',
          params: IdParams,
        },
      },
      async (request, reply) => {
        await service.withdrawBallot(request.actor!, request.params.id);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/polls/:id/results',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Counts per option and voters, optionally by a member dimension (by=community)',
          description:
            'With by=, each option also has its count per value of the dimension (a voter with several values counts in each), ' +
            'the total in all, and voters with no value in ungrouped. An after_close poll shows results: null until it closes, except to operators.',
          params: IdParams,
          querystring: ResultsQuery,
          response: { 200: PollResults },
        },
      },
      async (request) => service.getResults(request.params.id, request.actor, request.query.by),
    );

    app.post(
      '/api/v1/polls/:id/decide',
      {
        // Operators and the leads of the need's chain group: the service decides.
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Mark a closed poll’s winning option as the decided spec',
          params: IdParams,
          body: DecideBody,
          response: { 200: Poll },
        },
      },
      async (request) => service.decide(request.actor!, request.params.id, request.body.optionId),
    );
  };
}
