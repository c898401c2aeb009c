import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { AppError } from '../errors.js';
import { rateLimitRepository as repo } from './rate-limit.repository.js';

export interface Limit {
  /** Bucket name and subject, e.g. `login:ip:127.0.0.1`. */
  key: string;
  max: number;
  windowSeconds: number;
}

/**
 * Fixed-window counters kept in the database, so every server process shares them.
 */
export class RateLimiter {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  private window(limit: Limit): { start: string; end: string; retryAfter: number } {
    const now = this.clock.now().getTime();
    const size = limit.windowSeconds * 1000;
    const start = Math.floor(now / size) * size;
    return {
      start: new Date(start).toISOString(),
      end: new Date(start + size).toISOString(),
      retryAfter: Math.max(1, Math.ceil((start + size - now) / 1000)),
    };
  }

  /** Counts one hit; throws `rate_limited` when the window already holds `max`. */
  async hit(limit: Limit): Promise<void> {
    const w = this.window(limit);
    const hits = await repo.add(this.db.kysely, limit.key, w.start, w.end, 1);
    if (hits > limit.max) throw tooMany(w.retryAfter);
  }

  /** Gives back one hit counted by `hit` (e.g. a sign-in that turned out right). */
  async refund(limit: Limit): Promise<void> {
    const w = this.window(limit);
    await repo.add(this.db.kysely, limit.key, w.start, w.end, -1);
  }

  /** Forgets windows that have ended. */
  async prune(): Promise<void> {
    await repo.deleteEndedBefore(this.db.kysely, this.clock.now().toISOString());
  }
}

function tooMany(retryAfter: number): AppError {
  return new AppError('rate_limited', `Too many attempts; try again in ${retryAfter} s`, { retryAfter });
}
