import type express from 'express';
import { sendError } from '@newsfacts/platform/http';
import type { Logger } from '@newsfacts/platform/logger';
import type { GatewayConfig } from '../config';
import { hashKey, malformedKeyReason } from '../keys/format';
import { unusableReason, type ApiKey, type KeyStore } from '../keys/store';
import { OriginPatternError, originMatches, parseOriginPattern } from './origins';
import { addressBucket, type Principal } from './principal';
import type { Quotas } from './quotas';
import { ErrorCode } from '@newsfacts/platform/errors';

/** Reads the key from `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function presentedKey(req: express.Request): string | null {
  const authorization = req.header('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1]! : authorization;
  }
  return req.header('x-api-key') ?? null;
}

/**
 * Why a browser key (one with origins) may not be used from this request, or null when it may.
 * The Origin header is what a browser sets and a page cannot change; a server can forge it, but
 * a browser key is public anyway (it sits in a page), so the check keeps other sites' pages from
 * spending its quota, and its read-only scope keeps anyone from doing more than read.
 */
export function browserKeyRefusal(origins: readonly string[], origin: string | undefined): string | null {
  if (origin === undefined) {
    return (
      'This is a browser key: it works only from a page on its origins, and this request has no Origin header. ' +
      'Call from the page, or use a partner key on a server.'
    );
  }
  const allowed = origins.some((text) => {
    try {
      return originMatches(parseOriginPattern(text), origin);
    } catch (error) {
      if (error instanceof OriginPatternError) return false; // a stored entry no longer valid admits nothing
      throw error;
    }
  });
  return allowed ? null : `This browser key works only from ${origins.join(', ')}; this request came from ${origin}.`;
}

/** A small time-bounded cache of key lookups, so a busy key does not cost a query per request. */
class KeyCache {
  private readonly entries = new Map<string, { record: ApiKey | null; at: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  async get(key: string, load: () => Promise<ApiKey | null>): Promise<ApiKey | null> {
    if (this.ttlMs === 0) return load();
    const hash = hashKey(key);
    const hit = this.entries.get(hash);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.record;
    const record = await load();
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(hash, { record, at: Date.now() });
    return record;
  }
}

/** Who is calling, or why the request is refused before anything else is done. */
type Decision =
  { principal: Principal } | { refusal: 'unauthenticated'; message: string } | { refusal: 'origin'; message: string };

export interface Authenticator {
  /**
   * Decides who is calling and puts the Principal in `res.locals.principal`, or answers 401
   * (no usable key) or 429 (this address failed too often). A random string is refused by its
   * checksum without a database lookup; failures count against the caller's address, and only
   * failures are limited, so that nobody can lock a valid key out by failing from its address.
   */
  handler: express.RequestHandler;
  /**
   * The caller, when the request authenticates as it is; null when handler would refuse it
   * (nothing is counted then: handler answers it, and counts the failure, once).
   */
  callerOf(req: express.Request): Promise<Principal | null>;
}

export function authenticator({
  store,
  quotas,
  config,
  logger,
}: {
  store: KeyStore;
  quotas: Quotas;
  config: GatewayConfig;
  logger: Logger;
}): Authenticator {
  const cache = new KeyCache(config.keyCacheTtlMs);
  const ip = (req: express.Request) => addressBucket(req.ip ?? req.socket.remoteAddress ?? 'unknown');

  const refuse = async (req: express.Request, res: express.Response, message: string) => {
    const failure = await quotas.recordAuthFailure(ip(req), config.authFailuresPerMinute);
    logger.warn({ requestId: res.locals.requestId, ip: ip(req), reason: message }, 'authentication failed');
    if (!failure.allowed) return tooManyFailures(res, failure.retryAfterSeconds);
    res.setHeader('WWW-Authenticate', 'Bearer realm="newsfacts"');
    sendError(res, 401, ErrorCode.UNAUTHENTICATED, `${message}. Send a key as Authorization: Bearer <key>.`);
  };
  const tooManyFailures = (res: express.Response, retryAfterSeconds: number) => {
    res.setHeader('Retry-After', String(retryAfterSeconds));
    sendError(
      res,
      429,
      ErrorCode.RATE_LIMITED,
      `Too many failed authentications from this address; retry in ${retryAfterSeconds} s.`,
    );
  };

  const decide = async (req: express.Request): Promise<Decision> => {
    const key = presentedKey(req);
    if (key === null) {
      if (config.anonymousAccess === 'off') return { refusal: 'unauthenticated', message: 'This API needs an API key' };
      return {
        principal: {
          kind: 'anonymous',
          ip: ip(req),
          // In development people explore without a key; in production exploring needs one.
          scopes: config.production ? ['READ'] : ['READ', 'EXPLORE'],
          quota: config.anonymousQuota,
        },
      };
    }
    const malformed = malformedKeyReason(key);
    if (malformed) return { refusal: 'unauthenticated', message: `The API key is not valid: ${malformed}` };
    const record = await cache.get(key, () => store.findByKey(key));
    if (!record) return { refusal: 'unauthenticated', message: 'The API key is not valid: no such key' };
    const unusable = unusableReason(record);
    if (unusable) return { refusal: 'unauthenticated', message: `The API key is not valid: ${unusable}` };
    const browser = record.origins.length > 0;
    if (browser) {
      const refusal = browserKeyRefusal(record.origins, req.header('origin'));
      if (refusal) return { refusal: 'origin', message: refusal };
    }
    return {
      principal: {
        kind: 'key',
        keyId: record.keyId,
        name: record.name,
        // A key that sits in a page is public: whatever it was given, it can only read.
        scopes: browser ? record.scopes.filter((scope) => scope === 'READ') : record.scopes,
        browser,
        quota: {
          operationsPerMinute: record.operationsPerMinute ?? config.keyQuota.operationsPerMinute,
          costPerMinute: record.costPerMinute ?? config.keyQuota.costPerMinute,
        },
      },
    };
  };

  return {
    handler: async (req, res, next) => {
      try {
        const decision = await decide(req);
        if ('principal' in decision) {
          res.locals.principal = decision.principal;
          return next();
        }
        // A browser key from elsewhere is not an authentication failure: the key is real, so it
        // does not count against the address.
        if (decision.refusal === 'origin') return sendError(res, 403, ErrorCode.ORIGIN_NOT_ALLOWED, decision.message);
        await refuse(req, res, decision.message);
      } catch (error) {
        next(error);
      }
    },
    callerOf: async (req) => {
      const decision = await decide(req);
      return 'principal' in decision ? decision.principal : null;
    },
  };
}
