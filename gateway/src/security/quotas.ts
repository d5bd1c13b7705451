import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Quota } from '../config';

export type QuotaName = 'operations' | 'cost';

/** A quota's state after a request, for the RateLimit headers. */
export interface QuotaState {
  name: QuotaName;
  limit: number;
  remaining: number;
  resetSeconds: number;
  allowed: boolean;
}

/**
 * Per-minute quotas, counted per API key or per anonymous IP, in operations and in query
 * cost. Counters live in Redis when there is one, so replicas share them, and fall back to
 * memory if Redis stops answering, so an outage of Redis is not an outage of the API.
 */
export class Quotas {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly redis: Redis | undefined,
    /** A minute, except in tests that need to see a quota recover. */
    readonly windowSeconds = 60,
    /** Namespace of the counters, so that environments can share one Redis. */
    private readonly keyPrefix = 'newsfacts',
    /** Told of every refusal (each one becomes a 429), for the metrics. */
    private readonly onRejected: (limit: QuotaName | 'auth-failures' | 'exports') => void = () => {},
  ) {}

  private limiter(prefix: string, points: number, duration = this.windowSeconds): RateLimiterAbstract {
    const id = `${prefix}:${points}:${duration}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = { keyPrefix: `${this.keyPrefix}:${prefix}`, points, duration };
      limiter = this.redis
        ? new RateLimiterRedis({
            ...options,
            storeClient: this.redis,
            insuranceLimiter: new RateLimiterMemory(options),
          })
        : new RateLimiterMemory(options);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Takes `amount` from a subject's quota; `allowed` is false when it does not fit. */
  async consume(name: QuotaName, subject: string, quota: Quota, amount: number): Promise<QuotaState> {
    const limit = name === 'operations' ? quota.operationsPerMinute : quota.costPerMinute;
    try {
      const result = await this.limiter(name, limit).consume(subject, amount);
      return {
        name,
        limit,
        remaining: result.remainingPoints,
        resetSeconds: Math.ceil(result.msBeforeNext / 1000),
        allowed: true,
      };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.onRejected(name);
      return {
        name,
        limit,
        remaining: 0,
        resetSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
        allowed: false,
      };
    }
  }

  /** Takes one from an hourly quota (exports); false once it is used up. */
  async consumeHourly(name: 'exports', subject: string, perHour: number) {
    try {
      await this.limiter(name, perHour, 3600).consume(subject, 1);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.onRejected(name);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
  }

  /** Counts a failed authentication from an IP; false once it has failed too often this minute. */
  async recordAuthFailure(ip: string, perMinute: number): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
    try {
      await this.limiter('auth-failures', perMinute).consume(ip, 1);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.onRejected('auth-failures');
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
    }
  }
}

/** `RateLimit-Policy` and `RateLimit` values (IETF draft-ietf-httpapi-ratelimit-headers). */
export function rateLimitHeaders(states: QuotaState[], windowSeconds: number): Record<string, string> {
  return {
    'RateLimit-Policy': states.map((state) => `"${state.name}";q=${state.limit};w=${windowSeconds}`).join(', '),
    RateLimit: states.map((state) => `"${state.name}";r=${state.remaining};t=${state.resetSeconds}`).join(', '),
  };
}
