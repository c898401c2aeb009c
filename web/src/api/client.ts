import { syncServerClock } from './serverClock';
import type { FieldProblem, Problem } from './types';

/** A failed API call: the server's problem+json, or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  /** Field problems of a validation failure, by field path (`title`, `intent.quantity`, `milestones.0.goal`). */
  readonly fields: Record<string, string>;
  /** The problem's other members (`remaining` of a sold-out, `limit` and `alreadyOrdered` of a limit-exceeded…). */
  readonly extra: Record<string, unknown>;

  constructor(problem: Problem, extra: Record<string, unknown> = {}) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.fields = Object.fromEntries((problem.errors ?? []).map((e: FieldProblem) => [e.path, e.message]));
    this.extra = extra;
  }

  /** The last segment of the problem type: `validation`, `not-found`, `conflict`, `network`… */
  get kind(): string {
    return this.type.split('/').pop() ?? this.type;
  }

  get isNetwork(): boolean {
    return this.status === 0;
  }
}

const CSRF_COOKIE = 'covalue_csrf';
const CSRF_HEADER = 'x-csrf-token';
const SAFE = new Set(['GET', 'HEAD']);

/** The CSRF token the server set in a readable cookie; echoed on every write. */
export function csrfToken(): string | undefined {
  for (const part of document.cookie.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === CSRF_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

/**
 * The address of an API resource for a plain link (a CSV download): the session cookie goes with a
 * same-origin navigation, and a GET needs no CSRF header.
 */
export function apiUrl(path: string, query?: Query): string {
  return withQuery(`/api/v1${path}`, query);
}

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors']);

/**
 * Calls the API under /api/v1 with the session cookie and, on writes, the CSRF header. `headers`
 * adds request headers (the `Idempotency-Key` of an order or a payment).
 */
export async function request<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  options: { query?: Query; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<T> {
  const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method)) {
    const token = csrfToken();
    if (token) headers[CSRF_HEADER] = token;
  }
  let res: Response;
  const sentAt = Date.now();
  try {
    res = await fetch(withQuery(`/api/v1${path}`, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError({ type: 'network', title: 'Network error', status: 0, detail: (err as Error).message });
  }
  const date = res.headers.get('date');
  // The header is whole seconds: the server's time was half a second later on average.
  if (date) syncServerClock(Date.parse(date) + 500, sentAt, Date.now(), false);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const body: unknown = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) {
    const problem = body as (Partial<Problem> & Record<string, unknown>) | null;
    const extra = Object.fromEntries(Object.entries(problem ?? {}).filter(([k]) => !PROBLEM_MEMBERS.has(k)));
    throw new ApiError(
      {
        type: problem?.type ?? `http-${res.status}`,
        title: problem?.title ?? res.statusText,
        status: res.status,
        detail: problem?.detail ?? res.statusText,
        errors: problem?.errors,
      },
      extra,
    );
  }
  return body as T;
}
