/**
 * The federation's benchmark (`npm run bench`): loopback only, bounded in time, on scratch
 * PostgreSQL databases (TEST_DATABASE_URL's server). Writes a markdown report (docs/benchmark.md
 * by default) with the machine it ran on, and its figures as JSON beside it (docs/benchmark.json).
 *
 *   S0  plain node:http answering a fixed JSON body: the machine's ceiling
 *   S1  a Prisma-backed query sent straight to the events subgraph (signed as the gateway would)
 *   S2  the same query through the gateway
 *   S3  the raid query: one event, its actors and their contested claims, three subgraphs
 *   S4  the raid query at a fixed rate, half of S3's maximum
 *   S5  a query touching N = 1, 10, 100, 1000 actors across all three subgraphs
 *   soak  the raid query at the S4 rate for --soak seconds, sampling the gateway's memory
 *
 * Ratios are of numbers measured in this one run, so a noisy machine moves both sides.
 *
 *   npm run bench -- [--duration 10] [--connections 16] [--soak 300] [--out docs/benchmark.md] [--quick]
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { repoRoot } from '@newsfacts/platform/config';
import { signRequest } from '@newsfacts/platform/signing';
import { RAID_QUERY } from '../../gateway/web/src/examples/raid-query';
import { isolatedEnv, launchFederation, type RunningFederation as Federation } from '../lib/federation';
import { importSection, measureImports, type ImportFigures } from './imports';
import { freePort } from '../lib/ports';
import { insertProbeGraph, PROBE_QUERY, probeSelection } from '../lib/probe-graph';
import { machine, procCpuSeconds } from '../lib/load-machine';
import { sumOf } from '../lib/prometheus';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '16' },
    soak: { type: 'string', default: '300' },
    out: { type: 'string', default: 'docs/benchmark.md' },
    quick: { type: 'boolean', default: false },
  },
});
const DURATION_S = args.quick ? 2 : Number(args.duration);
const WARMUP_S = args.quick ? 1 : 3;
const CONNECTIONS = Number(args.connections);
const SOAK_S = args.quick ? 6 : Number(args.soak);
const PROBE_SIZES = [1, 10, 100, 1000];
const IMPORT_STATEMENTS = args.quick ? 1_000 : 10_000;

const SIMPLE_QUERY = /* GraphQL */ `
  query Simple($slug: String!) {
    event(slug: $slug) {
      title
      summary
      kind
      startedAt
      datePrecision
      location {
        name
        region
        country
      }
    }
  }
`;

interface Measured {
  scenario: string;
  requests: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  cpuMsPerRequest: number;
  /** The gateway's part of cpuMsPerRequest (null where there is no gateway in the path). */
  gatewayCpuMsPerRequest: number | null;
  sqlPerRequest: number | null;
}

/**
 * The figures as the JSON file beside the markdown report holds them (benchmark.json beside
 * benchmark.md), for tools and tests that should not parse a table. Latencies are in ms; a
 * figure that could not be measured (no request answered within the run, say) is null.
 */
export interface BenchmarkFigures {
  measuredAt: string;
  quick: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  machine: { cpu: string; cpus: number; memoryBytes: number; node: string };
  scenarios: ScenarioFigures[];
  soak: { rate: number; seconds: number; requests: number; errors: number; samples: number };
  /** The report's verdicts, as measured on this machine. */
  holds: { s2OverS1: boolean; s4: boolean; s5SqlConstant: boolean; memoryFlat: boolean };
  /** A synthetic fact package's import: throughput, and its dry run's time. */
  imports?: ImportFigures;
}

export interface ScenarioFigures {
  /** The report's first column: S0 … S5. */
  id: 'S0' | 'S1' | 'S2' | 'S3' | 'S4' | 'S5';
  scenario: string;
  /** S5's N, the actors one query touches; null for the other scenarios. */
  probeSize: number | null;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  cpuMsPerRequest: number | null;
  gatewayCpuMsPerRequest: number | null;
  sqlStatementsPerRequest: number | null;
}

function log(message: string) {
  process.stderr.write(`bench: ${message}\n`);
}

async function scrape(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

interface Target {
  /** Where CPU and SQL statements are read before and after a run. */
  snapshot(): Promise<{ cpuSeconds: number; gatewayCpuSeconds: number | null; sqlStatements: number | null }>;
}

function federationTarget(federation: Federation): Target {
  // The services in a query's path; the imports service is not, and its job worker polls its
  // own database all the time, which would keep the SQL count from ever standing still.
  const urls = [
    federation.gatewayUrl,
    ...Object.entries(federation.subgraphUrls)
      .filter(([name]) => name !== 'imports')
      .map(([, url]) => url),
  ];
  return {
    async snapshot() {
      const expositions = await Promise.all(urls.map(scrape));
      return {
        cpuSeconds: expositions.reduce((sum, text) => sum + sumOf(text, 'newsfacts_process_cpu_seconds_total'), 0),
        gatewayCpuSeconds: sumOf(expositions[0]!, 'newsfacts_process_cpu_seconds_total'),
        sqlStatements: expositions.reduce((sum, text) => sum + sumOf(text, 'newsfacts_sql_statements_total'), 0),
      };
    },
  };
}

interface Request {
  url: string;
  body: string;
  headers: Record<string, string>;
}

interface LoadResult {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
}

/** As many requests as CONNECTIONS connections can make, each sending the next on an answer. */
async function closedLoop(request: Request, seconds: number): Promise<LoadResult> {
  const result = await autocannon({
    url: request.url,
    method: 'POST',
    body: request.body,
    headers: { 'content-type': 'application/json', ...request.headers },
    connections: CONNECTIONS,
    duration: seconds,
    // A 200 carrying GraphQL errors (a masked timeout, say) is a failure too.
    verifyBody: (body) => !String(body).includes('"errors"'),
  });
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

const percentile = (sorted: number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? NaN;

/**
 * Requests at a fixed rate, evenly spaced, whether or not earlier ones have been answered (an
 * open model, as traffic arrives). Latency counts from when a request was due, so a stall
 * shows in the percentiles instead of slowing the sender down.
 */
async function fixedRate(request: Request, rate: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let errors = 0;
  const send = (due: number) =>
    new Promise<void>((resolve) => {
      const req = http.request(
        request.url,
        { method: 'POST', agent, headers: { 'content-type': 'application/json', ...request.headers } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            if (res.statusCode === 200 && !body.includes('"errors"')) latencies.push(performance.now() - due);
            else errors++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end(request.body);
    });
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const sent: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sent.push(send(due));
  }
  await Promise.all(sent);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + errors,
    errors,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

/** SQL statements one request makes, from a few requests sent one at a time to an idle federation. */
async function statementsPerRequest(target: Target, request: Request, samples = 5): Promise<number | null> {
  // Requests of an earlier run may still be answering; wait until the count stands still.
  let before = await target.snapshot();
  if (before.sqlStatements === null) return null;
  for (let settled = 0; settled < 3;) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await target.snapshot();
    settled = now.sqlStatements === before.sqlStatements ? settled + 1 : 0;
    before = now;
  }
  for (let i = 0; i < samples; i++) {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...request.headers },
      body: request.body,
    });
    await response.arrayBuffer();
  }
  const after = await target.snapshot();
  return (after.sqlStatements! - before.sqlStatements!) / samples;
}

async function measure(
  scenario: string,
  target: Target,
  request: Request,
  options: { rate?: number } = {},
): Promise<Measured> {
  const run = (seconds: number) =>
    options.rate ? fixedRate(request, options.rate, seconds) : closedLoop(request, seconds);
  const sqlPerRequest = await statementsPerRequest(target, request);
  log(`${scenario}: warm-up ${WARMUP_S} s`);
  await run(WARMUP_S);
  const before = await target.snapshot();
  log(`${scenario}: ${DURATION_S} s`);
  const result = await run(DURATION_S);
  const after = await target.snapshot();
  const { requests } = result;
  return {
    scenario,
    requests,
    requestsPerSecond: requests / DURATION_S,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    cpuMsPerRequest: requests ? ((after.cpuSeconds - before.cpuSeconds) * 1000) / requests : NaN,
    gatewayCpuMsPerRequest:
      requests && after.gatewayCpuSeconds !== null && before.gatewayCpuSeconds !== null
        ? ((after.gatewayCpuSeconds - before.gatewayCpuSeconds) * 1000) / requests
        : null,
    // Apart from the load: requests still in flight when a run ends would blur the count.
    sqlPerRequest,
  };
}

/** S0's server: a separate process, so it has the same core to itself that a service has. */
async function startCeilingServer(body: string) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const body = ${JSON.stringify(body)};
       require('node:http').createServer((req, res) => { req.resume(); req.on('end', () => { res.setHeader('content-type', 'application/json'); res.end(body); }); }).listen(${port}, '127.0.0.1', () => console.log('ready'));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const target: Target = {
    snapshot: async () => ({ cpuSeconds: procCpuSeconds(child.pid!), gatewayCpuSeconds: null, sqlStatements: null }),
  };
  return { url: `http://127.0.0.1:${port}/`, target, stop: () => child.kill() };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '–');

async function main() {
  const started = Date.now();
  log('starting the federation on scratch PostgreSQL databases');
  const federation: Federation = await launchFederation({
    env: {
      // Its own secret, in-memory counters and an open /metrics (scraped for CPU and SQL counts).
      ...isolatedEnv(),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      ANONYMOUS_ACCESS: 'read',
      ANONYMOUS_OPERATIONS_PER_MINUTE: '100000000',
      ANONYMOUS_COST_PER_MINUTE: '100000000000',
      MAX_COST: '10000000',
    },
    ports: 'free',
    databases: { kind: 'scratch', prefix: 'nf_bench' },
    // Kept so that a failed start says what the services printed.
    output: [],
  });
  // Interrupted, it still stops the services and drops its scratch databases.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void federation.stop().finally(() => process.exit(130));
    });
  }
  const sections: string[] = [];
  let figures: BenchmarkFigures | undefined;
  try {
    const gatewayGraphql = `${federation.gatewayUrl}/graphql`;
    const target = federationTarget(federation);
    const raidBody = JSON.stringify({ query: RAID_QUERY, variables: { slug: 'belgorod-incursion-2023' } });
    const simpleBody = JSON.stringify({ query: SIMPLE_QUERY, variables: { slug: 'belgorod-incursion-2023' } });

    // The gateway's answer to the simple query, served verbatim by the ceiling server.
    const simpleAnswer = await (
      await fetch(gatewayGraphql, { method: 'POST', headers: { 'content-type': 'application/json' }, body: simpleBody })
    ).text();
    const ceiling = await startCeilingServer(simpleAnswer);
    const results: Measured[] = [];
    try {
      results.push(
        await measure('S0 plain node:http', ceiling.target, { url: ceiling.url, body: simpleBody, headers: {} }),
      );
    } finally {
      ceiling.stop();
    }

    // Signed as the gateway signs; the signature stays valid for five minutes, longer than a run.
    const signed = signRequest(
      federation.env.SUBGRAPH_SIGNING_SECRET!,
      'events',
      { kind: 'anonymous', scopes: ['READ'] },
      simpleBody,
    );
    results.push(
      await measure('S1 one subgraph, direct', target, {
        url: `${federation.subgraphUrls.events}/graphql`,
        body: simpleBody,
        headers: signed,
      }),
    );
    results.push(
      await measure('S2 the same through the gateway', target, { url: gatewayGraphql, body: simpleBody, headers: {} }),
    );
    const s3 = await measure('S3 raid query, three subgraphs', target, {
      url: gatewayGraphql,
      body: raidBody,
      headers: {},
    });
    results.push(s3);
    const halfRate = Math.max(1, Math.floor(s3.requestsPerSecond / 2));
    const s4 = await measure(
      `S4 raid query at ${halfRate} req/s, evenly spaced`,
      target,
      { url: gatewayGraphql, body: raidBody, headers: {} },
      { rate: halfRate },
    );
    results.push(s4);

    log('inserting the probe graph for S5');
    await insertProbeGraph(
      {
        events: federation.env.EVENTS_DATABASE_URL!,
        actors: federation.env.ACTORS_DATABASE_URL!,
        statements: federation.env.STATEMENTS_DATABASE_URL!,
      },
      PROBE_SIZES,
    );
    const s5: Measured[] = [];
    for (const size of PROBE_SIZES) {
      const body = JSON.stringify({ query: PROBE_QUERY, variables: probeSelection(size) });
      const probe = await (
        await fetch(gatewayGraphql, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      ).json();
      if ((probe as { errors?: unknown }).errors)
        throw new Error(`S5 probe at N=${size} failed: ${JSON.stringify((probe as { errors: unknown }).errors)}`);
      s5.push(await measure(`S5 N = ${size}`, target, { url: gatewayGraphql, body, headers: {} }));
    }
    results.push(...s5);

    log(`soak: the raid query at ${halfRate} req/s for ${SOAK_S} s`);
    const samples: Array<{ at: number; rss: number; heap: number }> = [];
    const sampler = setInterval(
      async () => {
        const text = await scrape(federation.gatewayUrl).catch(() => '');
        if (text)
          samples.push({
            at: Date.now(),
            rss: sumOf(text, 'newsfacts_process_resident_memory_bytes'),
            heap: sumOf(text, 'newsfacts_nodejs_heap_size_used_bytes'),
          });
      },
      Math.max(1000, (SOAK_S * 1000) / 60),
    );
    const soakStart = Date.now();
    const soak = await fixedRate({ url: gatewayGraphql, body: raidBody, headers: {} }, halfRate, SOAK_S);
    clearInterval(sampler);
    const fifth = Math.max(1, Math.floor(samples.length / 5));
    const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const firstRss = average(samples.slice(0, fifth).map((s) => s.rss));
    const lastRss = average(samples.slice(-fifth).map((s) => s.rss));
    const firstHeap = average(samples.slice(0, fifth).map((s) => s.heap));
    const lastHeap = average(samples.slice(-fifth).map((s) => s.heap));

    // The report.
    const byName = (prefix: string) => results.find((r) => r.scenario.startsWith(prefix))!;
    const s0 = byName('S0');
    const s1 = byName('S1');
    const s2 = byName('S2');
    const sqlCounts = s5.map((r) => r.sqlPerRequest);
    const sqlFlat = sqlCounts.every((count) => count !== null && Math.abs(count - sqlCounts[0]!) < 0.05);
    const rows = results.map(
      (r) =>
        `| ${r.scenario} | ${Math.round(r.requestsPerSecond)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.errors} | ${ms(r.cpuMsPerRequest)} | ${r.gatewayCpuMsPerRequest === null ? '–' : ms(r.gatewayCpuMsPerRequest)} | ${r.sqlPerRequest === null ? '–' : r.sqlPerRequest.toFixed(2)} |`,
    );
    const verdict = (ok: boolean) => (ok ? 'holds' : '**missed**');
    const finite = (value: number | null) => (value !== null && Number.isFinite(value) ? value : null);
    const cpu = os.cpus();
    figures = {
      measuredAt: new Date().toISOString(),
      quick: args.quick === true,
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      connections: CONNECTIONS,
      machine: { cpu: cpu[0]?.model ?? 'unknown', cpus: cpu.length, memoryBytes: os.totalmem(), node: process.version },
      scenarios: results.map((r) => ({
        id: r.scenario.slice(0, 2) as ScenarioFigures['id'],
        scenario: r.scenario,
        probeSize: s5.includes(r) ? PROBE_SIZES[s5.indexOf(r)]! : null,
        requests: r.requests,
        requestsPerSecond: r.requestsPerSecond,
        // With no request answered in time, autocannon's 0 ms is not a latency.
        p50Ms: r.requests ? finite(r.p50) : null,
        p99Ms: r.requests ? finite(r.p99) : null,
        errors: r.errors,
        cpuMsPerRequest: finite(r.cpuMsPerRequest),
        gatewayCpuMsPerRequest: finite(r.gatewayCpuMsPerRequest),
        sqlStatementsPerRequest: finite(r.sqlPerRequest),
      })),
      soak: { rate: halfRate, seconds: SOAK_S, requests: soak.requests, errors: soak.errors, samples: samples.length },
      holds: {
        s2OverS1: s2.requestsPerSecond / s1.requestsPerSecond >= 0.5,
        s4: s4.p99 <= 3 * s4.p50 && s4.errors === 0,
        s5SqlConstant: sqlFlat,
        memoryFlat: lastRss <= firstRss * 1.1,
      },
    };
    sections.push(
      `# Benchmark`,
      ``,
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench${args.quick ? ' -- --quick' : ''}\` (${DURATION_S} s per scenario after ${WARMUP_S} s of warm-up; took ${Math.round((Date.now() - started) / 1000)} s).`,
      ``,
      ...machine(CONNECTIONS),
      ``,
      `| scenario | requests/s | p50 ms | p99 ms | errors | CPU ms/request | of it, gateway | SQL statements/request |`,
      `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
      ...rows,
      ``,
      `CPU is user + system time of every server process in the path (gateway and all three subgraphs; S0 its one process), divided by requests; PostgreSQL's own CPU is not in it. The load generator shares the machine's two cores with them.`,
      ``,
      `| target | measured | verdict |`,
      `| --- | --- | --- |`,
      `| S2/S1 throughput ≥ 0.5 | ${(s2.requestsPerSecond / s1.requestsPerSecond).toFixed(2)} | ${verdict(s2.requestsPerSecond / s1.requestsPerSecond >= 0.5)} |`,
      `| S3/S0 throughput (for the record) | ${(s3.requestsPerSecond / s0.requestsPerSecond).toFixed(3)} | – |`,
      `| S4: p99 ≤ 3 × p50, no errors | p50 ${ms(s4.p50)} ms, p99 ${ms(s4.p99)} ms (${(s4.p99 / s4.p50).toFixed(1)}×), ${s4.errors} errors | ${verdict(s4.p99 <= 3 * s4.p50 && s4.errors === 0)} |`,
      `| S5: SQL statements per request constant in N | ${sqlCounts.map((c, i) => `N=${PROBE_SIZES[i]}: ${c?.toFixed(2)}`).join(', ')} | ${verdict(sqlFlat)} |`,
      `| Gateway memory flat over the soak | RSS ${(firstRss / 2 ** 20).toFixed(0)} → ${(lastRss / 2 ** 20).toFixed(0)} MiB, heap used ${(firstHeap / 2 ** 20).toFixed(0)} → ${(lastHeap / 2 ** 20).toFixed(0)} MiB (first vs last fifth of ${samples.length} samples over ${Math.round((Date.now() - soakStart) / 1000)} s; ${soak.requests} requests, ${soak.errors} errors) | ${verdict(lastRss <= firstRss * 1.1)} |`,
      ``,
    );
    log(`importing a synthetic package of ${IMPORT_STATEMENTS} statements`);
    try {
      const imports = await measureImports(federation, IMPORT_STATEMENTS);
      figures.imports = imports;
      sections.push(...importSection(imports));
    } catch (error) {
      // Said in the report, not thrown: the query figures above stand on their own.
      sections.push(
        `## Imports`,
        ``,
        `The import of ${IMPORT_STATEMENTS} statements did not complete: ${(error as Error).message}`,
        ``,
      );
    }
  } finally {
    await federation.stop();
  }
  const out = path.resolve(repoRoot, args.out!);
  writeFileSync(out, `${sections.join('\n')}\n`);
  process.stdout.write(`${sections.join('\n')}\n`);
  log(`wrote ${path.relative(repoRoot, out)}`);
  if (figures) {
    const json = `${out.replace(/\.md$/, '')}.json`;
    writeFileSync(json, `${JSON.stringify(figures, null, 2)}\n`);
    log(`wrote ${path.relative(repoRoot, json)}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
