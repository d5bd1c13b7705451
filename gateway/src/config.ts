import { z } from 'zod';
import {
  flag,
  loadMetricsAccess,
  logLevel,
  optionalUrl,
  parseConfig,
  port,
  shutdownGraceMs,
  type MetricsAccess,
} from '@newsfacts/platform/config';
import type { DatabaseTarget } from '@newsfacts/platform/db';
import { loadDatabaseTarget, signingSecret, SUBGRAPHS, type SubgraphName } from '@newsfacts/platform/service-config';
import { loadTracingConfig, type TracingConfig } from '@newsfacts/platform/tracing';
import { OriginPatternError, parseOriginList, type OriginPattern } from './security/origins';

export interface Quota {
  operationsPerMinute: number;
  costPerMinute: number;
}

const httpUrl = z
  .string()
  .url()
  .refine((url) => /^https?:\/\//.test(url), { message: 'must be an http(s) URL' });
const positive = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
// Express reads a number as "this many hops" and a string as addresses: "1" must be a number.
const trustProxy = z
  .string()
  .optional()
  .transform((value): boolean | number | string =>
    value === undefined || value === '' || value === 'false'
      ? false
      : value === 'true'
        ? true
        : /^\d+$/.test(value)
          ? Number(value)
          : value,
  );

/**
 * CORS_ORIGINS: the origins whose pages may call the API (see security/origins.ts for the forms).
 * "*" admits every other origin too, but for anonymous reading only: its preflight does not allow
 * the headers a key travels in, so no page can send a key to this API from an unlisted origin.
 */
const corsOrigins = z
  .string()
  .default('')
  .transform((text, context): { patterns: OriginPattern[]; anyOrigin: boolean } => {
    const entries = text.split(/[\s,]+/).filter(Boolean);
    try {
      return {
        patterns: parseOriginList(entries.filter((entry) => entry !== '*').join(',')),
        anyOrigin: entries.includes('*'),
      };
    } catch (error) {
      if (!(error instanceof OriginPatternError)) throw error;
      context.issues.push({ code: 'custom', message: error.message, input: text });
      return z.NEVER;
    }
  });
const booleanFlag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((value) => value === 'true');

/** Where a subgraph answers: its URL when given, else its port on this host. */
const subgraphUrl = (url: string | undefined, subgraphPort: number) =>
  url ?? `http://127.0.0.1:${subgraphPort}/graphql`;

/**
 * The gateway's settings (see .env.example), read from the environment into the shape the
 * gateway uses. Subgraph URLs default to http://127.0.0.1:<NAME>_PORT/graphql, so moving a
 * subgraph's port moves both ends.
 */
function gatewayConfigSchema(env: NodeJS.ProcessEnv) {
  const production = env.NODE_ENV === 'production';
  return z
    .object({
      GATEWAY_PORT: port(4000),
      HOST: z.string().min(1).default('127.0.0.1'),
      LOG_LEVEL: logLevel,
      SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
      REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).max(300_000).default(10_000),
      SUBGRAPH_MAX_SOCKETS: z.coerce.number().int().min(1).max(1024).default(128),
      QUERY_PLAN_CACHE_MIB: z.coerce.number().int().min(1).max(1024).default(30),
      RESPONSE_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(0),
      RESPONSE_CACHE_MAX_MIB: z.coerce.number().int().min(1).max(4096).default(64),
      RESPONSE_CACHE_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
      READ_YOUR_WRITES_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
      EXPORTS_PER_HOUR: positive(20),
      EXPORT_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(500),
      HTTP_CACHE_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(15),
      SHARE_IN_FLIGHT_FETCHES: flag(true),
      MERGE_SUBGRAPH_FETCHES: flag(true),
      MERGE_FETCHES_ACROSS_REQUESTS: flag(true),
      FETCH_MERGE_WINDOW_MS: z.coerce.number().int().min(0).max(1_000).default(0),
      SHUTDOWN_GRACE_MS: shutdownGraceMs,
      SUBGRAPH_SIGNING_SECRET: signingSecret,
      REDIS_URL: optionalUrl,
      REDIS_KEY_PREFIX: z
        .string()
        .regex(/^[\w.-]{1,64}$/, { message: 'letters, digits, _ . - only' })
        .default('newsfacts'),
      ANONYMOUS_ACCESS: z.enum(['off', 'read']).default(production ? 'off' : 'read'),
      ANONYMOUS_OPERATIONS_PER_MINUTE: positive(60),
      ANONYMOUS_COST_PER_MINUTE: positive(200_000),
      KEY_OPERATIONS_PER_MINUTE: positive(600),
      KEY_COST_PER_MINUTE: positive(2_000_000),
      AUTH_FAILURES_PER_MINUTE: positive(20),
      QUOTA_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
      API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
      MAX_REQUEST_BYTES: positive(64 * 1024),
      // A fact package is one report with its text: a write key may send that much.
      MAX_WRITE_REQUEST_BYTES: positive(17 * 1024 * 1024),
      MAX_DEPTH: positive(10),
      MAX_ALIASES: positive(15),
      MAX_DIRECTIVES: positive(20),
      MAX_TOKENS: positive(2_000),
      MAX_COST: positive(50_000),
      ASSUMED_LIST_SIZE: positive(10),
      TRUST_PROXY: trustProxy,
      CORS_ORIGINS: corsOrigins,
      CORS_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
      REQUIRE_TRUSTED_DOCUMENTS: booleanFlag,
      MAX_MANIFEST_BYTES: positive(1024 * 1024),
      EVENTS_URL: httpUrl.optional(),
      EVENTS_PORT: port(SUBGRAPHS.events.defaultPort),
      ACTORS_URL: httpUrl.optional(),
      ACTORS_PORT: port(SUBGRAPHS.actors.defaultPort),
      STATEMENTS_URL: httpUrl.optional(),
      STATEMENTS_PORT: port(SUBGRAPHS.statements.defaultPort),
      IMPORTS_URL: httpUrl.optional(),
      IMPORTS_PORT: port(SUBGRAPHS.imports.defaultPort),
    })
    .refine((values) => values.SUBGRAPH_TIMEOUT_MS <= values.REQUEST_TIMEOUT_MS, {
      message: 'must not exceed REQUEST_TIMEOUT_MS: a fetch cannot outlive the request it serves',
      path: ['SUBGRAPH_TIMEOUT_MS'],
    })
    .transform((parsed) => ({
      host: parsed.HOST,
      port: parsed.GATEWAY_PORT,
      logLevel: parsed.LOG_LEVEL,
      production,
      /** Where each subgraph answers, by its name in the supergraph. */
      subgraphUrls: {
        events: subgraphUrl(parsed.EVENTS_URL, parsed.EVENTS_PORT),
        actors: subgraphUrl(parsed.ACTORS_URL, parsed.ACTORS_PORT),
        statements: subgraphUrl(parsed.STATEMENTS_URL, parsed.STATEMENTS_PORT),
        imports: subgraphUrl(parsed.IMPORTS_URL, parsed.IMPORTS_PORT),
      } satisfies Record<SubgraphName, string>,
      /** Longest wait for one subgraph fetch before the gateway answers without it. */
      subgraphTimeoutMs: parsed.SUBGRAPH_TIMEOUT_MS,
      /** Longest time all of one request's subgraph fetches together may take; above subgraphTimeoutMs. */
      requestTimeoutMs: parsed.REQUEST_TIMEOUT_MS,
      /** Open sockets kept per subgraph; requests beyond it queue in the gateway. */
      subgraphMaxSockets: parsed.SUBGRAPH_MAX_SOCKETS,
      /** Memory for cached query plans, in MiB (planning is the gateway's costliest step per new operation). */
      queryPlanCacheMiB: parsed.QUERY_PLAN_CACHE_MIB,
      /** The response cache (response-cache.ts): the longest an answer is kept, below its hints; 0 keeps it off. */
      responseCache: {
        ttlSeconds: parsed.RESPONSE_CACHE_TTL_SECONDS,
        maxMiB: parsed.RESPONSE_CACHE_MAX_MIB,
        pollMs: parsed.RESPONSE_CACHE_POLL_MS,
      },
      /** After a caller's mutation, how long its queries read from the subgraphs' primaries (0: never). */
      readYourWritesMs: parsed.READ_YOUR_WRITES_MS,
      /** Exports (GET /export.ndjson) a key may start per hour. */
      exportsPerHour: parsed.EXPORTS_PER_HOUR,
      /** Records an export reads from a service at a time (and between two checkpoints). */
      exportPageSize: parsed.EXPORT_PAGE_SIZE,
      /** The longest Cache-Control max-age of a query answered over GET, below its hints (http-caching.ts). */
      httpCacheMaxAgeSeconds: parsed.HTTP_CACHE_MAX_AGE_SECONDS,
      /** Identical subgraph queries in flight at once share one fetch (in-flight.ts); off only to measure it. */
      shareInFlightFetches: parsed.SHARE_IN_FLIGHT_FETCHES,
      /** A query's entity fetches to one subgraph are merged into one request (fetch-merging.ts); off only to measure it. */
      mergeSubgraphFetches: parsed.MERGE_SUBGRAPH_FETCHES,
      mergeFetchesAcrossRequests: parsed.MERGE_FETCHES_ACROSS_REQUESTS,
      fetchMergeWindowMs: parsed.FETCH_MERGE_WINDOW_MS,
      /** On SIGTERM, how long to serve on with /readyz at 503 before closing the port. */
      shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
      signingSecret: parsed.SUBGRAPH_SIGNING_SECRET,
      /** Counters shared by gateway replicas; in memory when unset. */
      redisUrl: parsed.REDIS_URL,
      /** Prefix of the counters' Redis keys, so that environments can share one Redis. */
      redisKeyPrefix: parsed.REDIS_KEY_PREFIX,
      /** `off`, or `read`: callers without a key may read, at the anonymous quota. */
      anonymousAccess: parsed.ANONYMOUS_ACCESS,
      anonymousQuota: {
        operationsPerMinute: parsed.ANONYMOUS_OPERATIONS_PER_MINUTE,
        costPerMinute: parsed.ANONYMOUS_COST_PER_MINUTE,
      } satisfies Quota,
      /** Default quota of a key; a key may carry its own. */
      keyQuota: {
        operationsPerMinute: parsed.KEY_OPERATIONS_PER_MINUTE,
        costPerMinute: parsed.KEY_COST_PER_MINUTE,
      } satisfies Quota,
      /** Failed authentications allowed per IP per minute before further attempts get 429. */
      authFailuresPerMinute: parsed.AUTH_FAILURES_PER_MINUTE,
      /** The quota window: a minute, shortened only by tests that watch a quota recover. */
      quotaWindowSeconds: parsed.QUOTA_WINDOW_SECONDS,
      /** How long a looked-up key is trusted before it is read again (revocation takes effect within it). */
      keyCacheTtlMs: parsed.API_KEY_CACHE_TTL_MS,
      limits: {
        maxRequestBytes: parsed.MAX_REQUEST_BYTES,
        /** For a key with the write scope, which may send a fact package. */
        maxWriteRequestBytes: parsed.MAX_WRITE_REQUEST_BYTES,
        maxDepth: parsed.MAX_DEPTH,
        maxAliases: parsed.MAX_ALIASES,
        maxDirectives: parsed.MAX_DIRECTIVES,
        maxTokens: parsed.MAX_TOKENS,
        maxCost: parsed.MAX_COST,
        /** Items assumed for a list whose size no `first` argument states. */
        assumedListSize: parsed.ASSUMED_LIST_SIZE,
      },
      /** Express's `trust proxy`: set when a proxy in front sets X-Forwarded-For. */
      trustProxy: parsed.TRUST_PROXY,
      cors: {
        /** Pages on these origins may call /graphql, with or without a key. */
        origins: parsed.CORS_ORIGINS.patterns,
        /** Pages on any other origin may read anonymously ("*" in CORS_ORIGINS). */
        anyOrigin: parsed.CORS_ORIGINS.anyOrigin,
        /** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
        maxAgeSeconds: parsed.CORS_MAX_AGE_SECONDS,
      },
      /** Anonymous callers and browser keys may run only trusted documents (by documentId). */
      requireTrustedDocuments: parsed.REQUIRE_TRUSTED_DOCUMENTS,
      /** Largest manifest an admin key may upload in one request. */
      maxManifestBytes: parsed.MAX_MANIFEST_BYTES,
    }));
}

export type GatewayConfig = z.output<ReturnType<typeof gatewayConfigSchema>> & {
  metricsAccess: MetricsAccess;
  /** The gateway's own database, for API keys. */
  database: DatabaseTarget;
  /** Where spans go (OTEL_*); tracing is off without an endpoint. */
  tracing: TracingConfig;
};

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  return {
    ...parseConfig(gatewayConfigSchema(env), env),
    metricsAccess: loadMetricsAccess(env),
    database: loadDatabaseTarget('gateway', env),
    tracing: loadTracingConfig('gateway', env),
  };
}
