import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, type ErrorKind, errorKinds, type FieldProblem, problemBody } from '../errors.js';

/** Fastify's own error codes that are the client's fault, by the kind they map to. */
const fastifyCodes: Record<string, ErrorKind> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_VALIDATION: 'validation',
};

function fieldProblems(err: FastifyError & { validationContext?: string }): FieldProblem[] {
  if (!hasZodFastifySchemaValidationErrors(err)) return [];
  const prefix = err.validationContext && err.validationContext !== 'body' ? `${err.validationContext}.` : '';
  const problems: FieldProblem[] = [];
  for (const v of err.validation) {
    const base = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const keys = (v.params as { keys?: string[] }).keys;
    if (v.keyword === 'unrecognized_keys' && keys) {
      for (const k of keys) problems.push({ path: prefix + (base ? `${base}.${k}` : k), message: 'is not a known field' });
    } else {
      problems.push({ path: prefix + base || '(root)', message: v.message ?? 'is invalid' });
    }
  }
  return problems;
}

/** Turns any error into an AppError: the single place where errors meet HTTP statuses. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  // Anything thrown that is not an object (a string, a number) is a programming error.
  if (typeof err !== 'object' || err === null) return new AppError('internal', 'Internal server error');
  const e = err as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const errors = fieldProblems(e);
    return new AppError('validation', errors.map((p) => `${p.path}: ${p.message}`).join('; '), { errors });
  }
  if (e && typeof e.code === 'string' && fastifyCodes[e.code]) {
    return new AppError(fastifyCodes[e.code] as ErrorKind, e.message);
  }
  if (e && typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const kind = (Object.keys(errorKinds) as ErrorKind[]).find((k) => errorKinds[k].status === e.statusCode) ?? 'bad_request';
    return new AppError(kind, e.message);
  }
  return new AppError('internal', 'Internal server error');
}

/** Fastify error handler: logs server faults with the request id, answers problem+json. */
export function problemHandler(err: unknown, request: FastifyRequest, reply: FastifyReply) {
  const appError = toAppError(err);
  if (appError.kind === 'internal' || appError.kind === 'unavailable') {
    request.log.error({ err }, 'request failed');
  } else {
    request.log.info({ problem: appError.kind, detail: appError.message }, 'request rejected');
  }
  if (appError.details.retryAfter) reply.header('retry-after', String(appError.details.retryAfter));
  return reply
    .code(appError.status)
    .type('application/problem+json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(problemBody(appError.kind, appError.message, appError.details, request.url));
}
