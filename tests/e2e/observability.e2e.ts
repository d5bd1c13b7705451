/**
 * What operators see, through the real gateway and subgraphs: SQL statements and subgraph
 * fetches per request that stay the same whether a query touches 1 or 1,000 entities (read
 * from each service's /metrics), the metric families at /metrics and who may read them, and
 * one request id in the logs of every service a request crossed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedId } from '@newsfacts/platform/seed-ids';
import { insertProbeGraph, PROBE_QUERY, probeSelection } from '../../scripts/lib/probe-graph';
import { sumOf } from '../../scripts/lib/prometheus';
import { postGraphQL, startFederation, type Federation } from '../helpers/federation';

let federation: Federation;

beforeAll(async () => {
  // Info-level logs, to follow a request id through every service.
  federation = await startFederation({
    env: {
      LOG_LEVEL: 'info',
      ANONYMOUS_OPERATIONS_PER_MINUTE: '10000',
      ANONYMOUS_COST_PER_MINUTE: '100000000',
      MAX_COST: '1000000',
    },
  });
}, 120_000);

afterAll(async () => {
  await federation?.stop();
});

async function metricsOf(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/**
 * SQL statements each subgraph holding facts sent, and fetches the gateway made, while `run` ran.
 * (The imports service is left out: its job worker polls its own database whatever the requests.)
 */
async function countWork(run: () => Promise<void>) {
  const services = Object.entries(federation.subgraphUrls).filter(([name]) => name !== 'imports');
  const before = await Promise.all(services.map(([, url]) => metricsOf(url)));
  const gatewayBefore = await metricsOf(federation.gatewayUrl);
  await run();
  const after = await Promise.all(services.map(([, url]) => metricsOf(url)));
  const gatewayAfter = await metricsOf(federation.gatewayUrl);
  const statements = Object.fromEntries(
    services.map(([name], index) => [
      name,
      sumOf(after[index]!, 'newsfacts_sql_statements_total') - sumOf(before[index]!, 'newsfacts_sql_statements_total'),
    ]),
  );
  const fetches =
    sumOf(gatewayAfter, 'newsfacts_subgraph_fetch_duration_seconds_count') -
    sumOf(gatewayBefore, 'newsfacts_subgraph_fetch_duration_seconds_count');
  return { statements, fetches };
}

describe('batched data access', () => {
  const SIZES = [1, 10, 100, 1000];

  beforeAll(async () => {
    await insertProbeGraph(
      {
        events: federation.env.EVENTS_DATABASE_URL!,
        actors: federation.env.ACTORS_DATABASE_URL!,
        statements: federation.env.STATEMENTS_DATABASE_URL!,
      },
      SIZES,
    );
  }, 120_000);

  it('the same SQL statements and subgraph fetches for 1, 10, 100 and 1,000 entities', async () => {
    const work: Array<Awaited<ReturnType<typeof countWork>> & { size: number }> = [];
    for (const size of SIZES) {
      const selection = probeSelection(size);
      let actorsSeen = 0;
      const counted = await countWork(async () => {
        const { status, body } = await federation.query(PROBE_QUERY, selection);
        expect(status).toBe(200);
        expect(body.errors).toBeUndefined();
        interface ProbeEvent {
          participants: Array<{ actor: { aliases: string[] } }>;
          claims: Array<{ statements: Array<{ speaker: { name: string } | null }> }>;
        }
        const nodes: ProbeEvent[] = body.data!.events.nodes;
        expect(nodes).toHaveLength(selection.events);
        actorsSeen = nodes.flatMap((event) => event.participants).filter((p) => p.actor.aliases.length === 1).length;
        expect(
          nodes.flatMap((event) => event.claims.flatMap((claim) => claim.statements)).every((s) => s.speaker?.name),
        ).toBe(true);
      });
      // Each answer really holds `size` actors, each resolved across subgraphs.
      expect(actorsSeen).toBe(size);
      work.push({ size, ...counted });
    }
    const smallest = work[0]!;
    expect(smallest.fetches).toBeGreaterThan(1);
    for (const name of ['events', 'actors', 'statements']) expect(smallest.statements[name]).toBeGreaterThan(0);
    for (const measured of work) {
      expect({ size: measured.size, statements: measured.statements, fetches: measured.fetches }).toEqual({
        size: measured.size,
        statements: smallest.statements,
        fetches: smallest.fetches,
      });
    }
  });
});

describe('/metrics', () => {
  it('the gateway shows requests, subgraph fetches, query plans, rate limits and process figures', async () => {
    // A query no other test sends, so that its plan is new to the cache.
    const raid = `{ event(slug: "belgorod-incursion-2023") { title metricsProbe: claims { text } participants { actor { name } } } }`;
    const gateway = { service: 'gateway' };
    const before = await metricsOf(federation.gatewayUrl);
    for (let i = 0; i < 2; i++) expect((await federation.query(raid)).body.errors).toBeUndefined();
    const text = await metricsOf(federation.gatewayUrl);
    const grew = (metric: string, labels: Record<string, string>) =>
      sumOf(text, metric, { ...gateway, ...labels }) - sumOf(before, metric, { ...gateway, ...labels });
    expect(
      grew('newsfacts_http_request_duration_seconds_count', { route: '/graphql', method: 'POST', status: '200' }),
    ).toBe(2);
    for (const subgraph of ['events', 'actors', 'statements']) {
      expect(grew('newsfacts_subgraph_fetch_duration_seconds_count', { subgraph, outcome: 'ok' })).toBe(2);
    }
    // The first asking planned the query; the second found the plan in the cache.
    expect(grew('newsfacts_query_plan_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(grew('newsfacts_query_plan_cache_lookups_total', { result: 'hit' })).toBe(1);
    expect(sumOf(text, 'newsfacts_query_plan_cache_entries', gateway)).toBeGreaterThanOrEqual(1);
    expect(text).toContain('# TYPE newsfacts_rate_limit_rejections_total counter');
    expect(sumOf(text, 'newsfacts_process_resident_memory_bytes', gateway)).toBeGreaterThan(10_000_000);
  });

  it('each subgraph shows its SQL statements, per-request counts and pool', async () => {
    // Its own traffic, measured as deltas, so that it holds whether or not other tests ran first.
    const statements = { service: 'statements' };
    const [SQL, PER_REQUEST] = ['newsfacts_sql_statements_total', 'newsfacts_sql_statements_per_request'];
    const grew = (after: string, before: string, metric: string, labels: Record<string, string> = {}) =>
      sumOf(after, metric, labels) - sumOf(before, metric, labels);
    const claim = `query($id: ID!) { claim(id: $id) { text statements { quote } } }`;
    const variables = { id: seedId.claim('raid-perpetrator-ukrainian-armed-formations') };
    const before = await metricsOf(federation.subgraphUrls.statements);
    const gatewayBefore = await metricsOf(federation.gatewayUrl);
    for (let i = 0; i < 2; i++) {
      const { status, body } = await federation.query(claim, variables);
      expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
      expect(body.data!.claim.statements.length).toBeGreaterThan(0);
    }
    const fetchCount = 'newsfacts_subgraph_fetch_duration_seconds_count';
    const fetches = grew(await metricsOf(federation.gatewayUrl), gatewayBefore, fetchCount, { subgraph: 'statements' });
    expect(fetches).toBeGreaterThanOrEqual(2);
    // A request is counted when its response closes, which can be just after the gateway has the answer.
    const statementsMetrics = () => metricsOf(federation.subgraphUrls.statements);
    const requestsCounted = async () => grew(await statementsMetrics(), before, `${PER_REQUEST}_count`, statements);
    await expect.poll(requestsCounted).toBe(fetches);
    const text = await statementsMetrics();
    // At least one statement for each request, and every one of them made on behalf of a request.
    expect(grew(text, before, SQL, { ...statements, outcome: 'ok' })).toBeGreaterThanOrEqual(fetches);
    expect(grew(text, before, `${PER_REQUEST}_sum`, statements)).toBe(grew(text, before, SQL, statements));
    expect(sumOf(text, 'newsfacts_db_pool_connections', { ...statements, state: 'max' })).toBe(10);
    expect(sumOf(text, 'newsfacts_db_pool_connections', { ...statements, state: 'total' })).toBeGreaterThan(0);
  });

  it('a 429 is counted by the limit it hit', async () => {
    const rejections = { service: 'gateway', limit: 'auth-failures' };
    const before = sumOf(await metricsOf(federation.gatewayUrl), 'newsfacts_rate_limit_rejections_total', rejections);
    const statuses: number[] = [];
    // 20 failed authentications a minute are allowed from one address (AUTH_FAILURES_PER_MINUTE).
    for (let attempt = 0; attempt < 21; attempt++) {
      const { status } = await postGraphQL(`${federation.gatewayUrl}/graphql`, '{ __typename }', undefined, {
        authorization: 'Bearer not-a-key',
      });
      statuses.push(status);
    }
    expect(statuses).toEqual([...Array<number>(20).fill(401), 429]);
    const text = await metricsOf(federation.gatewayUrl);
    expect(sumOf(text, 'newsfacts_rate_limit_rejections_total', rejections) - before).toBe(1);
  });

  it('in production /metrics needs METRICS_TOKEN: 403 without one configured, 401 with a wrong one, 200 with it', async () => {
    const { startService, stopAll, waitUntilReady } = await import('../../scripts/lib/processes');
    const { freePort } = await import('../helpers/federation');
    const token = 'metrics-token-for-tests-0123456789';
    const run = async (env: NodeJS.ProcessEnv) => {
      const port = await freePort();
      const service = startService(
        'events',
        'services/events/src/index.ts',
        { ...federation.env, NODE_ENV: 'production', EVENTS_PORT: String(port), ...env },
        () => {},
      );
      try {
        await waitUntilReady(`http://127.0.0.1:${port}/readyz`, service);
        const anonymous = await fetch(`http://127.0.0.1:${port}/metrics`);
        const wrong = await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { authorization: 'Bearer not-the-token-at-all' },
        });
        const right = await fetch(`http://127.0.0.1:${port}/metrics`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return [anonymous.status, wrong.status, right.status];
      } finally {
        await stopAll([service]);
      }
    };
    expect(await run({})).toEqual([403, 403, 403]);
    expect(await run({ METRICS_TOKEN: token })).toEqual([401, 401, 200]);
  });
});

describe('request ids across services', () => {
  it('the X-Request-Id a client sends is on the access line of the gateway and of every subgraph the query reached', async () => {
    const requestId = `trace-${Date.now()}`;
    const { status } = await postGraphQL(
      `${federation.gatewayUrl}/graphql`,
      `query($id: ID!) { claim(id: $id) { text event { title } statements { speaker { name } } } }`,
      { id: seedId.claim('raid-perpetrator-ukrainian-armed-formations') },
      { 'x-request-id': requestId },
    );
    expect(status).toBe(200);
    const accessLines = () =>
      federation.output
        .filter((line) => line.includes(requestId))
        .map(
          (line) =>
            JSON.parse(line.slice(line.indexOf('{'))) as {
              service: string;
              msg: string;
              requestId: string;
              sqlStatements: number;
            },
        )
        .filter((entry) => entry.msg === 'request');
    await expect
      .poll(() => new Set(accessLines().map((entry) => entry.service)), { timeout: 5_000 })
      .toEqual(new Set(['gateway', 'events', 'actors', 'statements']));
    for (const entry of accessLines()) {
      expect(entry.requestId).toBe(requestId);
      if (entry.service !== 'gateway') expect(entry.sqlStatements).toBeGreaterThan(0);
    }
  });
});
