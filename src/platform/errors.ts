/**
 * The one error type of Covalue. Services throw it; the HTTP layer maps its kind to a status and
 * an RFC 9457 problem+json body. The set of kinds is closed: add one here, with its status and type.
 */
export const errorKinds = {
  bad_request: { status: 400, type: 'bad-request', title: 'Bad request' },
  validation: { status: 422, type: 'validation', title: 'Validation failed' },
  unauthorized: { status: 401, type: 'unauthorized', title: 'Not signed in' },
  forbidden: { status: 403, type: 'forbidden', title: 'Not allowed' },
  not_found: { status: 404, type: 'not-found', title: 'Not found' },
  conflict: { status: 409, type: 'conflict', title: 'Conflict' },
  payload_too_large: { status: 413, type: 'payload-too-large', title: 'Payload too large' },
  unsupported_media_type: { status: 415, type: 'unsupported-media-type', title: 'Unsupported media type' },
  rate_limited: { status: 429, type: 'rate-limited', title: 'Too many requests' },
  sold_out: { status: 409, type: 'sold-out', title: 'Sold out' },
  not_live: { status: 409, type: 'not-live', title: 'Not live' },
  limit_exceeded: { status: 422, type: 'limit-exceeded', title: 'Limit exceeded' },
  idempotency_mismatch: { status: 422, type: 'idempotency-key-reused', title: 'Idempotency key reused with another request' },
  webhook_rejected: { status: 400, type: 'webhook-rejected', title: 'Webhook rejected' },
  unavailable: { status: 503, type: 'unavailable', title: 'Service unavailable' },
  internal: { status: 500, type: 'internal', title: 'Internal server error' },
} as const satisfies Record<string, { status: number; type: string; title: string }>;

export type ErrorKind = keyof typeof errorKinds;

/** Base of every problem `type` URI. Stable: clients match on it. */
export const PROBLEM_BASE = 'https://covalue.dev/problems/';

export interface FieldProblem {
  path: string;
  message: string;
}

export interface AppErrorDetails {
  /** Field-level problems, for `validation` errors. */
  errors?: FieldProblem[];
  /** Seconds until a retry may succeed, for `rate_limited`. */
  retryAfter?: number;
  /** Extra machine-readable members of the problem body. */
  extra?: Record<string, unknown>;
}

export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly details: AppErrorDetails = {},
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return errorKinds[this.kind].status;
  }

  /** A validation error for one field. */
  static invalid(path: string, message: string): AppError {
    return new AppError('validation', `${path}: ${message}`, { errors: [{ path, message }] });
  }

  static notFound(what: string): AppError {
    return new AppError('not_found', `${what} not found`);
  }
}

/** The RFC 9457 body for an error kind. */
export function problemBody(kind: ErrorKind, detail: string, details: AppErrorDetails = {}, instance?: string) {
  const k = errorKinds[kind];
  return {
    type: PROBLEM_BASE + k.type,
    title: k.title,
    status: k.status,
    detail,
    ...(instance ? { instance } : {}),
    ...(details.errors ? { errors: details.errors } : {}),
    ...(details.extra ?? {}),
  };
}
