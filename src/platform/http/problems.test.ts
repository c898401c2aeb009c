import Fastify, { errorCodes, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, type ErrorKind, errorKinds, PROBLEM_BASE, problemBody } from '../errors.js';
import { problemHandler, toAppError } from './problems.js';

const kinds = Object.keys(errorKinds) as ErrorKind[];

/** The contract clients rely on, written out by hand so that a change in errors.ts shows up here. */
const expected: Record<ErrorKind, { status: number; type: string }> = {
  bad_request: { status: 400, type: 'https://covalue.dev/problems/bad-request' },
  validation: { status: 422, type: 'https://covalue.dev/problems/validation' },
  unauthorized: { status: 401, type: 'https://covalue.dev/problems/unauthorized' },
  forbidden: { status: 403, type: 'https://covalue.dev/problems/forbidden' },
  not_found: { status: 404, type: 'https://covalue.dev/problems/not-found' },
  conflict: { status: 409, type: 'https://covalue.dev/problems/conflict' },
  payload_too_large: { status: 413, type: 'https://covalue.dev/problems/payload-too-large' },
  unsupported_media_type: { status: 415, type: 'https://covalue.dev/problems/unsupported-media-type' },
  rate_limited: { status: 429, type: 'https://covalue.dev/problems/rate-limited' },
  sold_out: { status: 409, type: 'https://covalue.dev/problems/sold-out' },
  not_live: { status: 409, type: 'https://covalue.dev/problems/not-live' },
  limit_exceeded: { status: 422, type: 'https://covalue.dev/problems/limit-exceeded' },
  idempotency_mismatch: { status: 422, type: 'https://covalue.dev/problems/idempotency-key-reused' },
  webhook_rejected: { status: 400, type: 'https://covalue.dev/problems/webhook-rejected' },
  unavailable: { status: 503, type: 'https://covalue.dev/problems/unavailable' },
  internal: { status: 500, type: 'https://covalue.dev/problems/internal' },
};
const table = Object.entries(expected) as [ErrorKind, { status: number; type: string }][];

describe('problemBody', () => {
  it('has exactly the kinds of the table, no more and no fewer', () => {
    expect([...kinds].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(table)('maps %s to its status and type URI', (kind, { status, type }) => {
    const body = problemBody(kind, 'what went wrong');
    expect(body).toEqual({ type, title: errorKinds[kind].title, status, detail: 'what went wrong' });
    expect(body.type.startsWith(PROBLEM_BASE)).toBe(true);
    expect(body.title.length).toBeGreaterThan(0);
  });

  it('gives every kind a distinct type', () => {
    const types = kinds.map((k) => problemBody(k, '').type);
    expect(new Set(types).size).toBe(types.length);
  });

  it('adds the instance, field errors and extra members when given', () => {
    const body = problemBody(
      'validation',
      'email: is invalid',
      { errors: [{ path: 'email', message: 'is invalid' }], extra: { hint: 'x' } },
      '/api/v1/things',
    );
    expect(body).toEqual({
      type: 'https://covalue.dev/problems/validation',
      title: 'Validation failed',
      status: 422,
      detail: 'email: is invalid',
      instance: '/api/v1/things',
      errors: [{ path: 'email', message: 'is invalid' }],
      hint: 'x',
    });
  });
});

describe('toAppError', () => {
  it.each(table)('keeps an AppError of kind %s as it is, with status %i', (kind, { status }) => {
    const err = new AppError(kind, 'detail');
    const mapped = toAppError(err);
    expect(mapped).toBe(err);
    expect(mapped.status).toBe(status);
  });

  it('maps a body that is too large to 413 payload-too-large', () => {
    const mapped = toAppError(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    expect(mapped.kind).toBe('payload_too_large');
    expect(mapped.status).toBe(413);
  });

  it('maps invalid or empty JSON to 400 bad-request', () => {
    for (const err of [new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY()]) {
      const mapped = toAppError(err);
      expect(mapped.kind).toBe('bad_request');
      expect(mapped.status).toBe(400);
    }
  });

  it('maps an unsupported or missing content type to 415 unsupported-media-type', () => {
    for (const err of [
      new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/csv'),
      new errorCodes.FST_ERR_CTP_EMPTY_TYPE(),
      new errorCodes.FST_ERR_CTP_INVALID_TYPE(),
    ]) {
      const mapped = toAppError(err);
      expect(mapped.kind).toBe('unsupported_media_type');
      expect(mapped.status).toBe(415);
    }
  });

  it('maps another 4xx error by its status, falling back to bad-request', () => {
    const notFound = Object.assign(new Error('nothing here'), { statusCode: 404 });
    expect(toAppError(notFound).kind).toBe('not_found');
    const teapot = Object.assign(new Error('short and stout'), { statusCode: 418 });
    expect(toAppError(teapot).kind).toBe('bad_request');
  });

  it('maps an unknown Error to 500 with a generic detail that does not leak its message', () => {
    const mapped = toAppError(new Error('connection to postgres://admin:hunter2@db failed'));
    expect(mapped.kind).toBe('internal');
    expect(mapped.status).toBe(500);
    expect(mapped.message).toBe('Internal server error');
    expect(mapped.message).not.toContain('hunter2');
  });

  it('maps a 5xx error with a status code to a generic 500', () => {
    const mapped = toAppError(Object.assign(new Error('upstream secret'), { statusCode: 502 }));
    expect(mapped.kind).toBe('internal');
    expect(mapped.message).toBe('Internal server error');
  });

  it('maps null and plain objects to a generic 500', () => {
    expect(toAppError(null).kind).toBe('internal');
    expect(toAppError({}).kind).toBe('internal');
  });

  it('maps a thrown string or number to a generic 500', () => {
    expect(toAppError('secret string').kind).toBe('internal');
    expect(toAppError(42).kind).toBe('internal');
  });
});

describe('problemHandler on a server', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    const server = Fastify({ logger: false, bodyLimit: 1024 }).withTypeProvider<ZodTypeProvider>();
    server.setValidatorCompiler(validatorCompiler);
    server.setSerializerCompiler(serializerCompiler);
    server.setErrorHandler(problemHandler);
    server.post(
      '/echo',
      { schema: { body: z.strictObject({ name: z.string().min(2), age: z.number().int() }) } },
      async (req) => req.body,
    );
    server.get('/boom', async () => {
      throw new Error('password=hunter2 at db.internal');
    });
    server.get('/thrown-string', async () => {
      throw 'password=hunter2';
    });
    server.get('/kind/:kind', async (req) => {
      throw new AppError((req.params as { kind: ErrorKind }).kind, 'thrown by a service');
    });
    server.get('/limited', async () => {
      throw new AppError('rate_limited', 'Too many attempts', { retryAfter: 30 });
    });
    await server.ready();
    app = server;
  });
  afterAll(() => app.close());

  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': contentType }, payload });

  it('answers a body over the limit with 413 problem+json', async () => {
    const res = await post(JSON.stringify({ name: 'x'.repeat(4096), age: 1 }));
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}payload-too-large`, status: 413, instance: '/echo' });
  });

  it('answers invalid JSON with 400 problem+json', async () => {
    const res = await post('{"name": ');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}bad-request`, status: 400 });
  });

  it('answers an unsupported media type with 415 problem+json', async () => {
    const res = await post('name,age', 'text/csv');
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ type: `${PROBLEM_BASE}unsupported-media-type`, status: 415 });
  });

  it('answers a schema violation with 422 and one field problem per field', async () => {
    const res = await post(JSON.stringify({ name: 'x', age: 'old', extra: true }));
    expect(res.statusCode).toBe(422);
    const body = res.json();
    expect(body.type).toBe(`${PROBLEM_BASE}validation`);
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['age', 'extra', 'name']);
  });

  it('answers an unknown error with a generic 500 that does not leak its message', async () => {
    const res = await app.inject({ url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toEqual({
      type: `${PROBLEM_BASE}internal`,
      title: 'Internal server error',
      status: 500,
      detail: 'Internal server error',
      instance: '/boom',
    });
    expect(res.body).not.toContain('hunter2');
  });

  it('answers a thrown string with a generic 500 problem+json', async () => {
    const res = await app.inject({ url: '/thrown-string' });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).not.toContain('hunter2');
  });

  it.each(table)('answers an AppError of kind %s with its status and type', async (kind, { status, type }) => {
    const res = await app.inject({ url: `/kind/${kind}` });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ type, status, detail: 'thrown by a service', instance: `/kind/${kind}` });
  });

  it('sets Retry-After for rate-limited errors', async () => {
    const res = await app.inject({ url: '/limited' });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.json().type).toBe(`${PROBLEM_BASE}rate-limited`);
  });
});
