import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { Counter, Gauge, Histogram } from 'prom-client';
import { createServiceMetrics, type ServiceMetrics } from '@newsfacts/platform/metrics';

/** The gateway's own metric families, beside the HTTP and process ones every service has. */
export interface GatewayMetrics extends ServiceMetrics {
  readonly subgraphFetchDuration: Histogram<'subgraph' | 'outcome'>;
  readonly subgraphFetchesShared: Counter<'subgraph'>;
  readonly subgraphFetchRetries: Counter<'subgraph'>;
  readonly responseCacheLookups: Counter<'result'>;
  readonly responseCacheEarlyHits: Counter;
  readonly responseCacheInvalidations: Counter<'cause'>;
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
    subgraphFetchRetries: new Counter({
      name: 'newsfacts_subgraph_fetch_retries_total',
      help: 'Queries sent to a subgraph a second time, on a new connection, after the first was refused or reset unanswered.',
      labelNames: ['subgraph'],
      registers,
    }),
    responseCacheLookups: new Counter({
      name: 'newsfacts_response_cache_lookups_total',
      help: 'Response cache lookups for queries: hit, miss, or stale (stored before a write it depends on).',
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
      help: "Subgraph versions moved: by a mutation through this gateway, or by a subgraph's change log.",
      labelNames: ['cause'],
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
