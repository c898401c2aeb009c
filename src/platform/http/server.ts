import { timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { type Access, type Actor, type Authenticator, allows } from '../auth/actor.js';
import { CSRF_HEADER, SESSION_COOKIE } from '../auth/cookies.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import { problemHandler } from './problems.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call this route; required on every /api route. */
    access?: Access;
  }
  interface FastifyRequest {
    /** The signed-in caller, or null. Set before validation. */
    actor: Actor | null;
  }
}

/** The Fastify instance every module registers its routes on, typed by Zod schemas. */
export type HttpApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A module's routes: a function that registers them. */
export type RoutesPlugin = (app: HttpApp) => void | Promise<void>;

export interface HttpOptions {
  logger: Logger;
  bodyLimit: number;
  trustProxy: boolean;
  cookieSecret: string;
  version: string;
  authenticator: () => Authenticator;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Reads the caller from the signed session cookie or the bearer token. */
async function authenticate(request: FastifyRequest, auth: Authenticator): Promise<Actor | null> {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError('unauthorized', 'Authorization header must be "Bearer <token>"');
    const actor = await auth.fromBearerToken(match[1]);
    if (!actor) throw new AppError('unauthorized', 'The bearer token is unknown or revoked');
    return actor;
  }
  const raw = request.cookies[SESSION_COOKIE];
  if (!raw) return null;
  const unsigned = request.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  return auth.fromSessionToken(unsigned.value);
}

/**
 * Builds the HTTP server shell: Zod validation and serialisation, OpenAPI at /api/openapi.json
 * with a reference at /api/docs, problem+json errors, request ids, security headers, cookies,
 * and the access check every /api route declares.
 */
export async function createHttpServer(options: HttpOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    // genReqId validates an incoming x-request-id itself; Fastify would otherwise take it verbatim.
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : newId('req');
    },
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  // An empty body sent as JSON is no body (clients that always set Content-Type may PUT with none);
  // anything else is parsed by Fastify's own parser, which refuses __proto__ and constructor keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') return done(null, undefined);
    return parseJson(request, body as string, done);
  });

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(problemHandler);
  app.setNotFoundHandler((request, reply) =>
    problemHandler(new AppError('not_found', `No route for ${request.method} ${request.url.split('?')[0]}`), request, reply),
  );

  app.decorateRequest('actor', null);
  // While shutting down, answer in-flight requests with `Connection: close` so keep-alive sockets end
  // with their last response instead of holding the server open.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Every /api route must say who may call it: a forgotten guard fails at start-up, not in production.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && !route.url.startsWith('/api/docs') && route.url !== '/api/openapi.json') {
      if (route.config?.access === undefined) {
        throw new Error(`route ${route.method} ${route.url} does not declare config.access`);
      }
    }
  });

  await app.register(fastifyCookie, { secret: options.cookieSecret, hook: 'onRequest' });
  await app.register(fastifyHelmet, {
    // The API reference page brings its own policy; the web app's policy is set where it is served.
    contentSecurityPolicy: false,
    crossOriginEmbedderPolicy: false,
  });

  app.addHook('preValidation', async (request: FastifyRequest, _reply: FastifyReply) => {
    const access = request.routeOptions.config?.access;
    if (access === undefined) return;
    request.actor = await authenticate(request, options.authenticator());
    const verdict = allows(access, request.actor);
    if (verdict === 'unauthorized') throw new AppError('unauthorized', 'Sign in to do this');
    if (verdict === 'forbidden') throw new AppError('forbidden', `This needs the role ${[access].flat().join(' or ')}`);
    // Cookies ride along with cross-site requests; a write signed in by cookie must echo the CSRF token.
    const actor = request.actor;
    if (actor?.via === 'session' && !SAFE_METHODS.has(request.method)) {
      const sent = request.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !actor.csrfToken || !sameToken(sent, actor.csrfToken)) {
        throw new AppError('forbidden', `Missing or wrong ${CSRF_HEADER} header for a cookie-authenticated write`);
      }
    }
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Covalue API',
        description:
          'Value co-creation: scenes, needs, solutions, campaigns and a verifiable contribution log. ' +
          'Errors are RFC 9457 application/problem+json. Browsers authenticate with the session cookie ' +
          '(writes echo the x-csrf-token header); other clients send Authorization: Bearer <token>.',
        version: options.version,
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}
