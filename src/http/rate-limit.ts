import type { Clock } from '../clock.ts';
import { HttpRefusal } from './errors.ts';

export type RateLimitGroup = 'orders' | 'refills' | 'webhooks';

/** Requests per minute in the Nimbus sandbox (production allows 60, 60 and 30). */
export const SANDBOX_RATE_LIMITS: Readonly<Record<RateLimitGroup, number>> = { orders: 100, refills: 100, webhooks: 50 };
const WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  count: number;
}

/**
 * Fixed one-minute windows per (tenant, group), opened by the first request. Counts real time:
 * a frozen sandbox clock must not freeze the window.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: Readonly<Record<RateLimitGroup, number>>,
    private readonly realClock: Clock,
  ) {}

  forget(tenant: string): void {
    for (const group of Object.keys(this.limits)) this.windows.delete(`${group}\u0000${tenant}`);
  }

  /** Counts one request; returns its X-RateLimit-* headers, or throws the 429. */
  take(tenant: string, group: RateLimitGroup): Record<string, string> {
    const now = this.realClock.now();
    const id = `${group}\u0000${tenant}`;
    let window = this.windows.get(id);
    if (window === undefined || now >= window.startedAt + WINDOW_MS) {
      window = { startedAt: now, count: 0 };
      this.windows.set(id, window);
    }
    const limit = this.limits[group];
    const resetAt = window.startedAt + WINDOW_MS;
    const headers = {
      'X-RateLimit-Limit': String(limit),
      'X-RateLimit-Remaining': String(Math.max(0, limit - window.count - 1)),
      'X-RateLimit-Reset': String(Math.ceil(resetAt / 1000)),
    };
    if (window.count >= limit) {
      const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000));
      throw new HttpRefusal('rate_limit_exceeded', `Too many ${group} requests; retry after ${retryAfter} seconds`, { retryAfter }, {
        ...headers, 'X-RateLimit-Remaining': '0', 'Retry-After': String(retryAfter),
      });
    }
    window.count++;
    return headers;
  }
}
