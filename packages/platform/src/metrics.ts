import { AsyncLocalStorage } from 'node:async_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ChangeNotice } from './change-notices';
import { recordSqlStatement } from './tracing';

/**
 * Prometheus metrics for one service process, served at /metrics. Every service has the HTTP
 * and SQL families; the gateway adds its subgraph fetches, query-plan cache and quota
 * rejections. A registry per service (not prom-client's global one) lets tests build several
 * services in one process.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly httpRequestDuration: Histogram<'route' | 'method' | 'status'>;
  readonly sqlStatements: Counter<'outcome'>;
  readonly sqlStatementDuration: Histogram<'outcome'>;
  readonly sqlStatementsPerRequest: Histogram;
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createServiceMetrics(service: string, options: { processMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  // CPU, memory, event-loop lag and GC: the process-level numbers a soak test watches.
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'newsfacts_' });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'newsfacts_http_request_duration_seconds',
      help: 'HTTP requests by route, method and status, and how long they took.',
      labelNames: ['route', 'method', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    sqlStatements: new Counter({
      name: 'newsfacts_sql_statements_total',
      help: 'SQL statements sent to the database, by outcome (ok or error).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    sqlStatementDuration: new Histogram({
      name: 'newsfacts_sql_statement_duration_seconds',
      help: 'Time from sending a SQL statement to its result.',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    sqlStatementsPerRequest: new Histogram({
      name: 'newsfacts_sql_statements_per_request',
      help: 'SQL statements one GraphQL request made; with batched loaders it does not grow with the answer.',
      buckets: [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64],
      registers: [registry],
    }),
  };
}

/** Pool occupancy, read when Prometheus scrapes. */
export function observePool(
  metrics: ServiceMetrics,
  stats: () => { total: number; idle: number; waiting: number; max: number },
): void {
  new Gauge({
    name: 'newsfacts_db_pool_connections',
    help: 'Database pool connections: total open, idle, requests waiting for one, and the maximum.',
    labelNames: ['state'],
    registers: [metrics.registry],
    collect() {
      const current = stats();
      for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.set({ state }, current[state]);
    },
  });
}

/** What one request has done so far, visible to everything that runs on its behalf. */
export interface RequestScope {
  requestId: string;
  sqlStatements: number;
  /** The changes its writes logged, for the answer to tell (change-notices.ts). */
  changes: ChangeNotice[];
}

const requestScopes = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, run: () => T): T {
  return requestScopes.run(scope, run);
}

export function currentRequestScope(): RequestScope | undefined {
  return requestScopes.getStore();
}

/** The database layer calls this for every statement it sends; inside a trace it becomes a span too. */
export function statementObserver(metrics: ServiceMetrics) {
  return (seconds: number, ok: boolean, sql: string): void => {
    recordSqlStatement(sql, seconds, ok);
    const outcome = ok ? 'ok' : 'error';
    metrics.sqlStatements.inc({ outcome });
    metrics.sqlStatementDuration.observe({ outcome }, seconds);
    const scope = currentRequestScope();
    if (scope) scope.sqlStatements += 1;
  };
}
