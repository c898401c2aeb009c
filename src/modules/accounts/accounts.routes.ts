import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  IssuedToken,
  LoginBody,
  Me,
  MemberReply,
  RegisterBody,
  SessionReply,
  TokenBody,
  TokenInfo,
} from '../../contracts/accounts.js';
import { IdParams } from '../../contracts/common.js';
import { CSRF_COOKIE, SESSION_COOKIE } from '../../platform/auth/cookies.js';
import type { HttpApp } from '../../platform/http/server.js';
import type { AccountsService } from './accounts.service.js';

const tags = ['accounts'];

/** Routes of /api/v1/auth and /api/v1/me. */
export function accountsRoutes(service: AccountsService) {
  async function signIn(request: FastifyRequest, reply: FastifyReply, memberId: string) {
    const session = await service.startSession(memberId, request.headers['user-agent']);
    const common = {
      path: '/',
      sameSite: 'lax' as const,
      secure: request.protocol === 'https',
      expires: session.expiresAt,
    };
    reply.setCookie(SESSION_COOKIE, session.token, { ...common, httpOnly: true, signed: true });
    reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
  }

  return (app: HttpApp) => {
    app.post(
      '/api/v1/auth/register',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'Create a member account and sign in', body: RegisterBody, response: { 201: MemberReply } },
      },
      async (request, reply) => {
        const member = await service.register(request.body, request.ip);
        await signIn(request, reply, member.id);
        return reply.code(201).send({ member });
      },
    );

    app.post(
      '/api/v1/auth/login',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'Sign in with email and password', body: LoginBody, response: { 200: MemberReply } },
      },
      async (request, reply) => {
        const member = await service.checkCredentials(request.body.email, request.body.password, request.ip);
        await signIn(request, reply, member.id);
        return { member };
      },
    );

    app.post(
      '/api/v1/auth/logout',
      { config: { access: 'public' }, schema: { tags, summary: 'Sign out (ends the session)' } },
      async (request, reply) => {
        const raw = request.cookies[SESSION_COOKIE];
        const unsigned = raw ? request.unsignCookie(raw) : undefined;
        if (unsigned?.valid && unsigned.value) await service.endSession(unsigned.value);
        reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/v1/auth/tokens',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Issue a bearer token for an API client',
          body: TokenBody,
          response: { 201: IssuedToken },
        },
      },
      async (request, reply) => {
        const member = await service.checkCredentials(request.body.email, request.body.password, request.ip);
        return reply.code(201).send(await service.issueToken(member.id, request.body.name ?? 'API token'));
      },
    );

    app.get(
      '/api/v1/auth/session',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Who is signed in: me is null for a visitor (no 401 without credentials)',
          response: { 200: SessionReply },
        },
      },
      async (request) => {
        const actor = request.actor;
        if (!actor) return { me: null };
        return { me: { ...(await service.getMe(actor.memberId)), ...(actor.csrfToken ? { csrfToken: actor.csrfToken } : {}) } };
      },
    );

    app.get(
      '/api/v1/me',
      { config: { access: 'member' }, schema: { tags, summary: 'The signed-in member', response: { 200: Me } } },
      async (request) => {
        const actor = request.actor!;
        return { ...(await service.getMe(actor.memberId)), ...(actor.csrfToken ? { csrfToken: actor.csrfToken } : {}) };
      },
    );

    app.get(
      '/api/v1/me/tokens',
      {
        config: { access: 'member' },
        schema: { tags, summary: 'My API tokens', response: { 200: z.object({ items: z.array(TokenInfo) }) } },
      },
      async (request) => ({ items: await service.listTokens(request.actor!.memberId) }),
    );

    app.delete(
      '/api/v1/me/tokens/:id',
      { config: { access: 'member' }, schema: { tags, summary: 'Revoke one of my API tokens', params: IdParams } },
      async (request, reply) => {
        await service.revokeToken(request.actor!.memberId, request.params.id);
        return reply.code(204).send();
      },
    );
  };
}
