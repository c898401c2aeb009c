import { z } from 'zod';
import {
  ApplyBody,
  Draw,
  DrawBody,
  Feedback,
  FeedbackBody,
  SelectBody,
  TrialApplication,
  TrialStats,
} from '../../contracts/campaigns.js';
import { IdParams, Page, PageQuery } from '../../contracts/common.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { TrialsService } from './trials.service.js';

const tags = ['trials'];

export function trialsRoutes(service: TrialsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/campaigns/:id/trial/applications',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Apply for a free sample of a live trial (once per trial)',
          params: IdParams,
          body: ApplyBody,
          response: { 201: TrialApplication },
        },
      },
      async (request, reply) => reply.code(201).send(await service.apply(request.actor!, request.params.id, request.body)),
    );

    app.get(
      '/api/v1/campaigns/:id/trial/applications',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'A trial’s applications, oldest first',
          params: IdParams,
          querystring: PageQuery.extend({ state: TrialApplication.shape.state.optional() }),
          response: { 200: Page(TrialApplication) },
        },
      },
      async (request) =>
        service.listApplications(request.params.id, request.query.state, request.query.limit, request.query.cursor),
    );

    app.get(
      '/api/v1/campaigns/:id/trial/application',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'My application to a trial', params: IdParams, response: { 200: TrialApplication } },
      },
      async (request) => service.myApplication(request.actor!, request.params.id),
    );

    app.delete(
      '/api/v1/campaigns/:id/trial/application',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Withdraw my application before it is decided', params: IdParams, response: { 204: z.null() } },
      },
      async (request, reply) => {
        await service.withdraw(request.actor!, request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/api/v1/campaigns/:id/trial/select',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Select applicants by hand: each gets a sample as a free order',
          params: IdParams,
          body: SelectBody,
          response: { 200: Page(TrialApplication) },
        },
      },
      async (request) => service.select(request.actor!, request.params.id, request.body.applicationIds),
    );

    app.post(
      '/api/v1/campaigns/:id/trial/draw',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Draw winners with a seed: reproducible by anyone from the seed and the applications (method in the answer)',
          params: IdParams,
          body: DrawBody,
          response: { 201: Draw },
        },
      },
      async (request, reply) => reply.code(201).send(await service.draw(request.actor!, request.params.id, request.body)),
    );

    app.get(
      '/api/v1/campaigns/:id/trial/draws',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A trial’s draws with their seeds, entrants and tickets, so anyone can check them',
          params: IdParams,
          response: { 200: z.object({ items: z.array(Draw) }) },
        },
      },
      async (request) => service.listDraws(request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/feedback',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Leave feedback on a trial sample that has shipped (once): rating, would you buy it, liked, improve',
          params: IdParams,
          body: FeedbackBody,
          response: { 201: Feedback },
        },
      },
      async (request, reply) => reply.code(201).send(await service.giveFeedback(request.actor!, request.params.id, request.body)),
    );

    app.get(
      '/api/v1/campaigns/:id/trial/feedback',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'A trial’s feedback in the order given',
          params: IdParams,
          querystring: PageQuery,
          response: { 200: Page(Feedback) },
        },
      },
      async (request) => service.listFeedback(request.params.id, request.query.limit, request.query.cursor),
    );

    app.get(
      '/api/v1/campaigns/:id/trial/stats',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Applications, samples, feedback and conversion from trial to purchase',
          params: IdParams,
          response: { 200: TrialStats },
        },
      },
      async (request) => service.stats(request.params.id),
    );
  };
}
