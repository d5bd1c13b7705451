// A response cache for read operations: the answer to a query, kept under the operation, its
// variables and the caller's scopes, so a key never sees what its scopes would not allow.
//
// Invalidation is by subgraph. Each answer is stored with the version of every subgraph its
// query plan fetched from, and is served only while those versions stand. A version moves
//  - when a mutation passes through a gateway, before its answer leaves: every fact subgraph's
//    version, since a write in one may move references in another (a merge moves speakers);
//  - when a subgraph's change log moves (polled every RESPONSE_CACHE_POLL_MS), which catches
//    writes that did not pass through any gateway, such as an import's.
// So once a mutation has answered, no gateway sharing the store serves an answer from before it.
// Versions and answers live in Redis when REDIS_URL is set (every replica sees one store), in
// memory otherwise. Errors and partial answers are never stored.
import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { Redis } from 'ioredis';
import fetch from 'node-fetch';
import { CHANGE_LOG_SIGNAL_PATH } from '@newsfacts/platform/subgraph';
import { FACT_SUBGRAPHS, type FactSubgraphName } from '@newsfacts/platform/service-config';
import { encodePrincipal, PRINCIPAL_HEADER, SIGNATURE_HEADER, signature } from '@newsfacts/platform/signing';
import type { Logger } from '@newsfacts/platform/logger';
import type { GatewayContext } from './context';
import type { GatewayMetrics } from './metrics';

type Versions = Record<string, number>;

export interface CachedAnswer {
  versions: Versions;
  /** The GraphQL result as sent: data only, never errors. */
  result: { data: Record<string, unknown> };
}

/** Where answers and subgraph versions are kept. */
export interface ResponseCacheStore {
  get(key: string): Promise<CachedAnswer | undefined>;
  set(key: string, answer: CachedAnswer, ttlSeconds: number): Promise<void>;
  versions(subgraphs: readonly string[]): Promise<Versions>;
  bump(subgraphs: readonly string[]): Promise<void>;
}

export class MemoryResponseCacheStore implements ResponseCacheStore {
  private readonly answers: InMemoryLRUCache<CachedAnswer>;
  private readonly current = new Map<string, number>();

  constructor(maxMiB: number, onEviction: () => void) {
    this.answers = new InMemoryLRUCache<CachedAnswer>({
      maxSize: maxMiB * 2 ** 20,
      sizeCalculation: InMemoryLRUCache.sizeCalculation,
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') onEviction();
      },
    });
  }

  get = (key: string) => this.answers.get(key);
  set = (key: string, answer: CachedAnswer, ttlSeconds: number) => this.answers.set(key, answer, { ttl: ttlSeconds });
  versions = async (subgraphs: readonly string[]) =>
    Object.fromEntries(subgraphs.map((name) => [name, this.current.get(name) ?? 0]));
  bump = async (subgraphs: readonly string[]) => {
    for (const name of subgraphs) this.current.set(name, (this.current.get(name) ?? 0) + 1);
  };
}

export class RedisResponseCacheStore implements ResponseCacheStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string) {
    const stored = await this.redis.get(`${this.prefix}:response:${key}`);
    return stored ? (JSON.parse(stored) as CachedAnswer) : undefined;
  }

  async set(key: string, answer: CachedAnswer, ttlSeconds: number) {
    await this.redis.set(`${this.prefix}:response:${key}`, JSON.stringify(answer), 'EX', ttlSeconds);
  }

  async versions(subgraphs: readonly string[]) {
    if (!subgraphs.length) return {};
    const values = await this.redis.mget(subgraphs.map((name) => this.versionKey(name)));
    return Object.fromEntries(subgraphs.map((name, index) => [name, Number(values[index] ?? 0)]));
  }

  async bump(subgraphs: readonly string[]) {
    const multi = this.redis.multi();
    for (const name of subgraphs) multi.incr(this.versionKey(name));
    await multi.exec();
  }

  private versionKey(subgraph: string) {
    return `${this.prefix}:response-version:${subgraph}`;
  }
}

export interface ResponseCacheOptions {
  store: ResponseCacheStore;
  ttlSeconds: number;
  metrics: GatewayMetrics;
  logger: Logger;
}

/** The subgraphs a request's query plan fetched from, set by the gateway's didResolveQueryPlan hook. */
const planSubgraphs = new WeakMap<object, Set<string>>();

/** The gateway calls this with each request's query plan. */
export function noteQueryPlan(contextValue: object, queryPlan: { node?: unknown }): void {
  const services = new Set<string>();
  const visit = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const plan = node as { kind?: unknown; serviceName?: unknown };
    if (plan.kind === 'Fetch' && typeof plan.serviceName === 'string') services.add(plan.serviceName);
    // Sequence, Parallel, Flatten, Defer and Condition nodes hold their children under various names.
    for (const value of Object.values(node)) visit(value);
  };
  visit(queryPlan.node);
  planSubgraphs.set(contextValue, services);
}

/** The subgraphs noted for a request, if its plan was seen. */
export const subgraphsFetchedBy = (contextValue: object): ReadonlySet<string> | undefined =>
  planSubgraphs.get(contextValue);

/** Where a request's answer is kept: its operation, variables and the caller's scopes. */
export const cacheKey = (context: GraphQLRequestContext<GatewayContext>) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        context.source ?? '',
        context.operationName ?? null,
        context.request.variables ?? {},
        [...context.contextValue.principal.scopes].sort(),
      ]),
    )
    .digest('base64url');

/** Whether a stored answer may still be served: every subgraph it came from is at the version it was made at. */
export async function stillCurrent(store: ResponseCacheStore, cached: CachedAnswer): Promise<boolean> {
  const current = await store.versions(Object.keys(cached.versions));
  return Object.entries(cached.versions).every(([name, version]) => current[name] === version);
}

export function responseCache(options: ResponseCacheOptions): ApolloServerPlugin<GatewayContext> {
  const { store, metrics, logger } = options;
  return {
    async requestDidStart() {
      let key: string | undefined;
      let versionsBefore: Versions | undefined;
      return {
        async responseForOperation(context) {
          if (context.operation.operation !== 'query') return null;
          key = cacheKey(context);
          try {
            const cached = await store.get(key);
            if (cached) {
              if (await stillCurrent(store, cached)) {
                metrics.responseCacheLookups.inc({ result: 'hit' });
                context.response.http.headers.set('x-cache', 'HIT');
                return { http: context.response.http, body: { kind: 'single', singleResult: cached.result } };
              }
              metrics.responseCacheLookups.inc({ result: 'stale' });
            } else {
              metrics.responseCacheLookups.inc({ result: 'miss' });
            }
            // Read before the answer is made: a write meanwhile leaves it stored as already stale.
            versionsBefore = await store.versions(FACT_SUBGRAPHS);
          } catch (error) {
            key = undefined;
            logger.warn({ err: error }, 'response cache unavailable; answering without it');
          }
          context.response.http.headers.set('x-cache', 'MISS');
          return null;
        },
        async willSendResponse(context) {
          const { response, operation, errors } = context;
          if (operation?.operation === 'mutation') {
            // Before the answer leaves: no read after it may be served from before it.
            await store.bump(FACT_SUBGRAPHS).catch((error: unknown) => {
              logger.error({ err: error }, 'could not invalidate the response cache after a mutation');
            });
            metrics.responseCacheInvalidations.inc({ cause: 'mutation' });
            return;
          }
          if (!key || !versionsBefore || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (errors?.length || result.errors?.length || result.data == null) return;
          if ((response.http.status ?? 200) !== 200) return;
          const fetched = subgraphsFetchedBy(context.contextValue);
          // No plan seen (an operation the gateway answered alone): bound to every subgraph.
          const subgraphs = fetched ? [...fetched].filter((name) => name in versionsBefore!) : [...FACT_SUBGRAPHS];
          const versions = Object.fromEntries(subgraphs.map((name) => [name, versionsBefore![name]!]));
          await store
            .set(key, { versions, result: { data: result.data } }, options.ttlSeconds)
            .catch((error: unknown) => {
              logger.warn({ err: error }, 'could not store an answer in the response cache');
            });
        },
      };
    },
  };
}

/**
 * Watches each fact subgraph's change log and moves its version when it moves: writes that
 * reach a subgraph without a gateway (an import) invalidate what they touched within `intervalMs`.
 */
export function watchChangeLogs(options: {
  store: ResponseCacheStore;
  subgraphUrls: Record<FactSubgraphName, string>;
  signingSecret: string;
  intervalMs: number;
  metrics: GatewayMetrics;
  logger: Logger;
}): { stop(): void; pollNow(): Promise<void> } {
  const seen = new Map<string, string>();
  const principal = encodePrincipal({ kind: 'anonymous', scopes: ['READ'] });
  const body = '{}';
  const poll = async () => {
    await Promise.all(
      FACT_SUBGRAPHS.map(async (name) => {
        try {
          const url = new URL(CHANGE_LOG_SIGNAL_PATH, options.subgraphUrls[name]);
          const response = await fetch(url.href, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              [PRINCIPAL_HEADER]: principal,
              [SIGNATURE_HEADER]: signature(options.signingSecret, name, principal, body),
            },
            body,
            timeout: 2_000,
          });
          if (!response.ok) return;
          const { signal } = (await response.json()) as { signal: string };
          const before = seen.get(name);
          seen.set(name, signal);
          if (before !== undefined && before !== signal) {
            await options.store.bump([name]);
            options.metrics.responseCacheInvalidations.inc({ cause: 'change-log' });
          }
        } catch (error) {
          options.logger.debug({ err: error, subgraph: name }, 'change log not read this time');
        }
      }),
    );
  };
  let running = poll();
  const timer = setInterval(() => {
    running = running.then(poll);
  }, options.intervalMs);
  timer.unref();
  return {
    stop: () => clearInterval(timer),
    pollNow: () => (running = running.then(poll)),
  };
}
