import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { Counter, Gauge, Histogram } from 'prom-client';
import { createServiceMetrics, type ServiceMetrics } from '@newsfacts/platform/metrics';

/** The gateway's own metric families, beside the HTTP and process ones every service has. */
export interface GatewayMetrics extends ServiceMetrics {
  readonly subgraphFetchDuration: Histogram<'subgraph' | 'outcome'>;
  readonly subgraphFetchesShared: Counter<'subgraph'>;
  readonly subgraphFetchesMerged: Counter<'subgraph'>;
  readonly subgraphFetchRetries: Counter<'subgraph'>;
  readonly responseCacheLookups: Counter<'result'>;
  readonly responseCacheInvalidations: Counter<'reason'>;
  readonly responseCacheStores: Counter;
  readonly responseCacheFollowing: Gauge;
  readonly responseCacheEarlyHits: Counter;
  readonly responseCacheEvictions: Counter;
  readonly rateLimitRejections: Counter<'limit'>;
  readonly graphqlErrors: Counter<'code'>;
  readonly queryPlanCacheLookups: Counter<'result'>;
}

export function createGatewayMetrics(): GatewayMetrics {
  const base = createServiceMetrics('gateway');
  const registers = [base.registry];
  return {
    ...base,
    subgraphFetchDuration: new Histogram({
      name: 'newsfacts_subgraph_fetch_duration_seconds',
      help: 'Fetches from the gateway to each subgraph, by outcome: ok, http_error, timeout or error.',
      labelNames: ['subgraph', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    subgraphFetchesShared: new Counter({
      name: 'newsfacts_subgraph_fetches_shared_total',
      help: 'Subgraph fetches not sent because an identical one was in flight: they took its answer.',
      labelNames: ['subgraph'],
      registers,
    }),
    subgraphFetchesMerged: new Counter({
      name: 'newsfacts_subgraph_fetches_merged_total',
      help: 'Query fetches sent to a subgraph together with others (of the same request, or of concurrent ones for the same caller), as one request.',
      labelNames: ['subgraph'],
      registers,
    }),
    subgraphFetchRetries: new Counter({
      name: 'newsfacts_subgraph_fetch_retries_total',
      help: 'Queries sent to a subgraph again, each time on a new connection, after an attempt was refused or reset unanswered.',
      labelNames: ['subgraph'],
      registers,
    }),
    responseCacheLookups: new Counter({
      name: 'newsfacts_response_cache_lookups_total',
      help: 'Response cache lookups for queries: hit, miss, or stale (begun before a change to something it holds).',
      labelNames: ['result'],
      registers,
    }),
    responseCacheEarlyHits: new Counter({
      name: 'newsfacts_response_cache_early_hits_total',
      help: 'Response cache hits answered ahead of GraphQL processing (cached-answers.ts); counted among the lookups too.',
      registers,
    }),
    responseCacheInvalidations: new Counter({
      name: 'newsfacts_response_cache_invalidations_total',
      help: "Drops of cached answers, by reason: a mutation through this gateway (the changes it lists), a mutation whose changes are unknown (everything), a page of a subgraph's change log, or a change log no gateway sharing the cache had followed, or this one lost its place in (everything).",
      labelNames: ['reason'],
      registers,
    }),
    responseCacheStores: new Counter({
      name: 'newsfacts_response_cache_stores_total',
      help: 'Answers put in the response cache.',
      registers,
    }),
    responseCacheFollowing: new Gauge({
      name: 'newsfacts_response_cache_following',
      help: "1 when this gateway follows every subgraph's change log; 0 while it does not (starting, or a subgraph it cannot read), when it serves nothing from the response cache.",
      registers,
    }),
    responseCacheEvictions: new Counter({
      name: 'newsfacts_response_cache_evictions_total',
      help: 'Answers dropped from the in-memory response cache to make room.',
      registers,
    }),
    rateLimitRejections: new Counter({
      name: 'newsfacts_rate_limit_rejections_total',
      help: 'Requests refused with 429, by the limit they hit: operations, cost or auth-failures.',
      labelNames: ['limit'],
      registers,
    }),
    graphqlErrors: new Counter({
      name: 'newsfacts_graphql_errors_total',
      help: 'Errors in GraphQL answers, by the code the client saw.',
      labelNames: ['code'],
      registers,
    }),
    queryPlanCacheLookups: new Counter({
      name: 'newsfacts_query_plan_cache_lookups_total',
      help: 'Query-plan cache lookups: a hit skips planning; a miss plans the operation and caches it.',
      labelNames: ['result'],
      registers,
    }),
  };
}

/**
 * The gateway's query-plan cache, sized in MiB like Apollo's default one, with its hits,
 * misses and entries visible in the metrics.
 */
export function observedQueryPlanCache<Plan>(
  metrics: GatewayMetrics,
  sizeMiB: number,
): KeyValueCache<Plan> & { clear(): void } {
  const cache = new InMemoryLRUCache<Plan>({
    maxSize: sizeMiB * 2 ** 20,
    sizeCalculation: InMemoryLRUCache.sizeCalculation,
  });
  new Gauge({
    name: 'newsfacts_query_plan_cache_entries',
    help: 'Query plans currently cached.',
    registers: [metrics.registry],
    collect() {
      this.set(cache.keys().length);
    },
  });
  return {
    async get(key: string) {
      const plan = await cache.get(key);
      metrics.queryPlanCacheLookups.inc({ result: plan === undefined ? 'miss' : 'hit' });
      return plan;
    },
    set: (key: string, value: Plan, options?: KeyValueCacheSetOptions) => cache.set(key, value, options),
    delete: (key: string) => cache.delete(key),
    // The gateway empties it when the supergraph changes.
    clear: () => cache.clear(),
  };
}
