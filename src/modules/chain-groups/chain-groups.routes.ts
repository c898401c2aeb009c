import {
  Agreement,
  AgreementTerms,
  AgreementVersion,
  AgreementVersionParams,
  ChainGroup,
  ChainGroupListQuery,
  ChainGroupMemberParams,
  ChainGroupOrganisationParams,
  FormChainGroupBody,
  SetMemberRoleBody,
  SetOrganisationRoleBody,
} from '../../contracts/chain-groups.js';
import { IdParams, Page } from '../../contracts/common.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { ChainGroupsService } from './chain-groups.service.js';

const tags = ['chain-groups'];

export function chainGroupsRoutes(service: ChainGroupsService) {
  return (app: HttpApp) => {
    app.post(
      '/api/v1/chain-groups',
      {
        config: { access: 'operator' },
        schema: {
          tags,
          summary: 'Form a chain group around an accepted need',
          body: FormChainGroupBody,
          response: { 201: ChainGroup },
        },
      },
      async (request, reply) => reply.code(201).send(await service.formChainGroup(request.actor!, request.body)),
    );

    app.get(
      '/api/v1/chain-groups',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Chain groups, newest first, optionally of one need',
          querystring: ChainGroupListQuery,
          response: { 200: Page(ChainGroup) },
        },
      },
      async (request) => service.listChainGroups(request.query.limit, request.query.cursor, request.query.needId),
    );

    app.get(
      '/api/v1/chain-groups/:id',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'One chain group with its participants', params: IdParams, response: { 200: ChainGroup } },
      },
      async (request) => service.getChainGroup(request.params.id),
    );

    app.put(
      '/api/v1/chain-groups/:id/members/:memberId',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Add a member with a role, or change their role (leads and operators)',
          params: ChainGroupMemberParams,
          body: SetMemberRoleBody,
          response: { 200: ChainGroup },
        },
      },
      async (request) => service.putMember(request.actor!, request.params.id, request.params.memberId, request.body.role),
    );

    app.delete(
      '/api/v1/chain-groups/:id/members/:memberId',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'Remove a member (leads and operators; idempotent)', params: ChainGroupMemberParams },
      },
      async (request, reply) => {
        await service.removeMember(request.actor!, request.params.id, request.params.memberId);
        return reply.code(204).send();
      },
    );

    app.put(
      '/api/v1/chain-groups/:id/organisations/:organisationId',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Add a partner organisation with a role, or change its role (leads and operators)',
          params: ChainGroupOrganisationParams,
          body: SetOrganisationRoleBody,
          response: { 200: ChainGroup },
        },
      },
      async (request) =>
        service.putOrganisation(request.actor!, request.params.id, request.params.organisationId, request.body.role),
    );

    app.delete(
      '/api/v1/chain-groups/:id/organisations/:organisationId',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Remove an organisation (leads and operators; idempotent)',
          params: ChainGroupOrganisationParams,
        },
      },
      async (request, reply) => {
        await service.removeOrganisation(request.actor!, request.params.id, request.params.organisationId);
        return reply.code(204).send();
      },
    );

    app.get(
      '/api/v1/chain-groups/:id/agreement',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'The current value-sharing agreement with every party’s acceptance',
          params: IdParams,
          response: { 200: Agreement },
        },
      },
      async (request) => service.getAgreement(request.params.id),
    );

    app.get(
      '/api/v1/chain-groups/:id/agreement/versions',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Every version of the agreement, newest first (one page)',
          params: IdParams,
          response: { 200: Page(AgreementVersion) },
        },
      },
      async (request) => ({ items: await service.listAgreementVersions(request.params.id), nextCursor: null }),
    );

    app.post(
      '/api/v1/chain-groups/:id/agreement/versions',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Propose a new version of the agreement (leads and operators); every party must accept it again',
          params: IdParams,
          body: AgreementTerms,
          response: { 201: Agreement },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await service.proposeAgreement(request.actor!, request.params.id, request.body)),
    );

    app.post(
      '/api/v1/chain-groups/:id/agreement/versions/:version/accept',
      {
        config: { access: 'member' },
        schema: {
          tags,
          summary: 'Accept the current version, as a participant member or a partner of a participant organisation',
          params: AgreementVersionParams,
          response: { 200: Agreement },
        },
      },
      async (request) => service.acceptAgreement(request.actor!, request.params.id, request.params.version),
    );
  };
}
