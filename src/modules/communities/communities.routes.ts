import { IdParams, Page } from '../../contracts/common.js';
import {
  Community,
  CommunityListQuery,
  CreateCommunityBody,
  MembershipReply,
  UpdateCommunityBody,
} from '../../contracts/communities.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { CommunitiesService } from './communities.service.js';

const tags = ['communities'];

export function communitiesRoutes(service: CommunitiesService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/communities',
      {
        config: { access: 'operator' },
        schema: { tags, summary: 'Create a community', body: CreateCommunityBody, response: { 201: Community } },
      },
      async (request, reply) => reply.code(201).send(await service.createCommunity(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/communities',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'List communities', querystring: CommunityListQuery, response: { 200: Page(Community) } },
      },
      async (request) => service.listCommunities(request.query.limit, request.query.cursor, request.actor),
    );

    app.get(
      '/api/v1/communities/:id',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'One community, by id or slug', params: IdParams, response: { 200: Community } },
      },
      async (request) => service.getCommunity(request.params.id, request.actor),
    );

    app.patch(
      '/api/v1/communities/:id',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Change a community’s name, description or support milestones',
          params: IdParams,
          body: UpdateCommunityBody,
          response: { 200: Community },
        },
      },
      async (request) => service.updateCommunity(request.actor!, request.params.id, request.body),
    );

    app.put(
      '/api/v1/communities/:id/membership',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Join (idempotent)', params: IdParams, response: { 200: MembershipReply } },
      },
      async (request) => service.join(request.actor!, request.params.id),
    );

    app.delete(
      '/api/v1/communities/:id/membership',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Leave (idempotent)', params: IdParams, response: { 200: MembershipReply } },
      },
      async (request) => service.leave(request.actor!, request.params.id),
    );
  };
}
