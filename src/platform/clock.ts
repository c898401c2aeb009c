/** Where every piece of Covalue gets the time from; inject a ManualClock in tests. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that only moves when told to, for tests and simulations.
 * @example const clock = new ManualClock('2026-01-01T00:00:00Z'); clock.advance({ days: 61 });
 */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: string | Date = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  set(to: string | Date): void {
    this.current = new Date(to).getTime();
  }
  advance(by: { ms?: number; seconds?: number; minutes?: number; hours?: number; days?: number }): void {
    this.current +=
      (by.ms ?? 0) +
      (by.seconds ?? 0) * 1000 +
      (by.minutes ?? 0) * 60_000 +
      (by.hours ?? 0) * 3_600_000 +
      (by.days ?? 0) * 86_400_000;
  }
}
