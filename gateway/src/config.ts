import { z } from 'zod';
import { loadMetricsAccess, logLevel, optionalUrl, parseConfig, port, shutdownGraceMs, type MetricsAccess } from '@newsfacts/platform/config';
import type { DatabaseTarget } from '@newsfacts/platform/db';
import { loadDatabaseTarget, signingSecret, SUBGRAPHS, type SubgraphName } from '@newsfacts/platform/service-config';

export interface Quota {
  operationsPerMinute: number;
  costPerMinute: number;
}

export interface GatewayConfig {
  host: string;
  port: number;
  logLevel: z.infer<typeof logLevel>;
  production: boolean;
  /** Where each subgraph answers, by its name in the supergraph. */
  subgraphUrls: Record<SubgraphName, string>;
  /** Longest wait for one subgraph fetch before the gateway answers without it. */
  subgraphTimeoutMs: number;
  /** Longest time all of one request's subgraph fetches together may take; above subgraphTimeoutMs. */
  requestTimeoutMs: number;
  /** Open sockets kept per subgraph; requests beyond it queue in the gateway. */
  subgraphMaxSockets: number;
  /** Memory for cached query plans, in MiB (planning is the gateway's costliest step per new operation). */
  queryPlanCacheMiB: number;
  metricsAccess: MetricsAccess;
  /** On SIGTERM, how long to serve on with /readyz at 503 before closing the port. */
  shutdownGraceMs: number;
  signingSecret: string;
  /** The gateway's own database, for API keys. */
  database: DatabaseTarget;
  /** Counters shared by gateway replicas; in memory when unset. */
  redisUrl: string | undefined;
  /** Prefix of the counters' Redis keys, so that environments can share one Redis. */
  redisKeyPrefix: string;
  /** `off`, or `read`: callers without a key may read, at the anonymous quota. */
  anonymousAccess: 'off' | 'read';
  anonymousQuota: Quota;
  /** Default quota of a key; a key may carry its own. */
  keyQuota: Quota;
  /** Failed authentications allowed per IP per minute before further attempts get 429. */
  authFailuresPerMinute: number;
  /** The quota window: a minute, shortened only by tests that watch a quota recover. */
  quotaWindowSeconds: number;
  /** How long a looked-up key is trusted before it is read again (revocation takes effect within it). */
  keyCacheTtlMs: number;
  limits: {
    maxRequestBytes: number;
    maxDepth: number;
    maxAliases: number;
    maxDirectives: number;
    maxTokens: number;
    maxCost: number;
    /** Items assumed for a list whose size no `first` argument states. */
    assumedListSize: number;
  };
  /** Express's `trust proxy`: set when a proxy in front sets X-Forwarded-For. */
  trustProxy: boolean | number | string;
}

const httpUrl = z.string().url().refine((url) => /^https?:\/\//.test(url), { message: 'must be an http(s) URL' });
const positive = (fallback: number) => z.coerce.number().int().min(1).default(fallback);

/**
 * The gateway's settings (see .env.example). Subgraph URLs default to
 * http://127.0.0.1:<NAME>_PORT/graphql, so moving a subgraph's port moves both ends.
 */
export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const production = env.NODE_ENV === 'production';
  const schema = z.object({
    GATEWAY_PORT: port(4000),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: logLevel,
    SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(5_000),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(50).max(300_000).default(10_000),
    SUBGRAPH_MAX_SOCKETS: z.coerce.number().int().min(1).max(1024).default(128),
    QUERY_PLAN_CACHE_MIB: z.coerce.number().int().min(1).max(1024).default(30),
    SHUTDOWN_GRACE_MS: shutdownGraceMs,
    SUBGRAPH_SIGNING_SECRET: signingSecret,
    REDIS_URL: optionalUrl,
    REDIS_KEY_PREFIX: z.string().regex(/^[\w.-]{1,64}$/, { message: 'letters, digits, _ . - only' }).default('newsfacts'),
    ANONYMOUS_ACCESS: z.enum(['off', 'read']).default(production ? 'off' : 'read'),
    ANONYMOUS_OPERATIONS_PER_MINUTE: positive(60),
    ANONYMOUS_COST_PER_MINUTE: positive(200_000),
    KEY_OPERATIONS_PER_MINUTE: positive(600),
    KEY_COST_PER_MINUTE: positive(2_000_000),
    AUTH_FAILURES_PER_MINUTE: positive(20),
    QUOTA_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    API_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    MAX_REQUEST_BYTES: positive(64 * 1024),
    MAX_DEPTH: positive(10),
    MAX_ALIASES: positive(15),
    MAX_DIRECTIVES: positive(20),
    MAX_TOKENS: positive(2_000),
    MAX_COST: positive(50_000),
    ASSUMED_LIST_SIZE: positive(10),
    // Express reads a number as "this many hops" and a string as addresses: "1" must be a number.
    TRUST_PROXY: z
      .string()
      .optional()
      .transform((value) => (value === undefined || value === '' || value === 'false' ? false : value === 'true' ? true : /^\d+$/.test(value) ? Number(value) : value)),
    ...Object.fromEntries(
      Object.keys(SUBGRAPHS).flatMap((name) => [
        [`${name.toUpperCase()}_URL`, httpUrl.optional()],
        [`${name.toUpperCase()}_PORT`, port(SUBGRAPHS[name as SubgraphName].defaultPort)],
      ]),
    ),
  });
  const parsed = parseConfig(
    schema.refine((values) => (values.SUBGRAPH_TIMEOUT_MS as number) <= (values.REQUEST_TIMEOUT_MS as number), {
      message: 'must not exceed REQUEST_TIMEOUT_MS: a fetch cannot outlive the request it serves',
      path: ['SUBGRAPH_TIMEOUT_MS'],
    }),
    env,
  ) as Record<string, any>;
  const subgraphUrls = Object.fromEntries(
    Object.keys(SUBGRAPHS).map((name) => {
      const prefix = name.toUpperCase();
      return [name, (parsed[`${prefix}_URL`] as string | undefined) ?? `http://127.0.0.1:${parsed[`${prefix}_PORT`]}/graphql`];
    }),
  ) as Record<SubgraphName, string>;
  return {
    host: parsed.HOST,
    port: parsed.GATEWAY_PORT,
    logLevel: parsed.LOG_LEVEL,
    production,
    subgraphUrls,
    subgraphTimeoutMs: parsed.SUBGRAPH_TIMEOUT_MS,
    requestTimeoutMs: parsed.REQUEST_TIMEOUT_MS,
    subgraphMaxSockets: parsed.SUBGRAPH_MAX_SOCKETS,
    queryPlanCacheMiB: parsed.QUERY_PLAN_CACHE_MIB,
    metricsAccess: loadMetricsAccess(env),
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS,
    signingSecret: parsed.SUBGRAPH_SIGNING_SECRET,
    database: loadDatabaseTarget('gateway', env),
    redisUrl: parsed.REDIS_URL,
    redisKeyPrefix: parsed.REDIS_KEY_PREFIX,
    anonymousAccess: parsed.ANONYMOUS_ACCESS,
    anonymousQuota: { operationsPerMinute: parsed.ANONYMOUS_OPERATIONS_PER_MINUTE, costPerMinute: parsed.ANONYMOUS_COST_PER_MINUTE },
    keyQuota: { operationsPerMinute: parsed.KEY_OPERATIONS_PER_MINUTE, costPerMinute: parsed.KEY_COST_PER_MINUTE },
    authFailuresPerMinute: parsed.AUTH_FAILURES_PER_MINUTE,
    quotaWindowSeconds: parsed.QUOTA_WINDOW_SECONDS,
    keyCacheTtlMs: parsed.API_KEY_CACHE_TTL_MS,
    limits: {
      maxRequestBytes: parsed.MAX_REQUEST_BYTES,
      maxDepth: parsed.MAX_DEPTH,
      maxAliases: parsed.MAX_ALIASES,
      maxDirectives: parsed.MAX_DIRECTIVES,
      maxTokens: parsed.MAX_TOKENS,
      maxCost: parsed.MAX_COST,
      assumedListSize: parsed.ASSUMED_LIST_SIZE,
    },
    trustProxy: parsed.TRUST_PROXY,
  };
}
