import { z } from 'zod';
import { IdParams, Page, PageQuery } from '../../contracts/common.js';
import {
  CreateOrganisationBody,
  Organisation,
  OrganisationMember,
  OrganisationMemberParams,
} from '../../contracts/organisations.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { OrganisationsService } from './organisations.service.js';

const tags = ['organisations'];

export function organisationsRoutes(service: OrganisationsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/organisations',
      {
        config: { access: 'operator' },
        schema: { tags, summary: 'Create a partner organisation', body: CreateOrganisationBody, response: { 201: Organisation } },
      },
      async (request, reply) => reply.code(201).send(await service.createOrganisation(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/organisations',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'List organisations', querystring: PageQuery, response: { 200: Page(Organisation) } },
      },
      async (request) => service.listOrganisations(request.query.limit, request.query.cursor),
    );

    app.get(
      '/api/v1/organisations/:id',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'One organisation', params: IdParams, response: { 200: Organisation } },
      },
      async (request) => service.getOrganisation(request.params.id),
    );

    app.get(
      '/api/v1/organisations/:id/members',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Partners acting for an organisation',
          params: IdParams,
          response: { 200: z.object({ items: z.array(OrganisationMember) }) },
        },
      },
      async (request) => ({ items: await service.listMembers(request.actor!, request.params.id) }),
    );

    app.put(
      '/api/v1/organisations/:id/members/:memberId',
      {
        config: { access: 'operator' },
        schema: { tags, summary: 'Add a member as a partner (idempotent)', params: OrganisationMemberParams },
      },
      async (request, reply) => {
        await service.addPartner(request.actor!, request.params.id, request.params.memberId);
        return reply.code(204).send();
      },
    );

    app.delete(
      '/api/v1/organisations/:id/members/:memberId',
      {
        config: { access: 'operator' },
        schema: { tags, summary: 'Remove a partner (idempotent)', params: OrganisationMemberParams },
      },
      async (request, reply) => {
        await service.removePartner(request.actor!, request.params.id, request.params.memberId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/me/organisations',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Organisations I act for', response: { 200: z.object({ items: z.array(Organisation) }) } },
      },
      async (request) => ({ items: await service.listMine(request.actor!.memberId) }),
    );
  };
}
