/**
 * Our gateway against two peers in front of the same subgraphs (`npm run bench:peers`): stock
 * @apollo/gateway (scripts/bench/peers/stock-gateway.ts) and Hive Gateway
 * (scripts/bench/peers/hive-gateway.ts). The federation runs once on scratch PostgreSQL
 * databases (TEST_DATABASE_URL's server), with a generated graph beside the seed; every gateway
 * signs its subgraph requests as ours does, so the subgraphs see the same traffic from each.
 * The peers check no API keys: they sign for an anonymous reader, except the two that take the
 * write-heavy mix, which sign for the benchmark's own write key (created with `keys create`), the
 * only key anyone sends them. Ours is sent that key and checks it as it would any partner's.
 *
 * First all of them must give identical data for the raid query and a sample of generated
 * events, actors and claims (it stops otherwise). Then, per mix, the gateways take turns under
 * autocannon (ours, stock, Hive, ours, …) for --rounds rounds of --duration seconds:
 *
 *   hot      the raid query, every request the same; each gateway with whatever response cache
 *            and in-flight sharing it has turned on, ours also at its defaults (cache off), and
 *            plain node:http answering the raid query's answer as a constant
 *   diverse  the raid query about a different generated event each request; no response cache
 *   write-heavy
 *            the raid query about a few hot events the benchmark's key created, and 5% mutations
 *            of their titles (scripts/bench/peers/write-heavy.ts); response caches on (ours,
 *            Hive), and a check that no read returns a title older than a write that had
 *            answered before the read was sent, through whichever gateway; the turns start once
 *            ours has had time to follow the change logs, as it does for writes it did not see
 *
 * Writes docs/benchmark-peers.md and its figures as JSON beside it.
 *
 *   npm run bench:peers -- [--duration 10] [--rounds 3] [--connections 16] [--out docs/benchmark-peers.md] [--quick]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { repoRoot } from '@newsfacts/platform/config';
import { seedId } from '@newsfacts/platform/seed-ids';
import { encodePrincipal } from '@newsfacts/platform/signing';
import { RAID_QUERY, RAID_SLUG } from '../../gateway/web/src/examples/raid-query';
import { isolatedEnv, launchFederation, type RunningFederation } from '../lib/federation';
import { createKey } from '../lib/keys-cli';
import { freePort } from '../lib/ports';
import { startService, stopAll, type ServiceProcess } from '../lib/processes';
import { machine, procCpuSeconds } from '../lib/load-machine';
import { sumOf } from '../lib/prometheus';
import { describeSizes, generateGraphInto, syntheticSlug, type GraphSizes } from '../lib/synthetic-graph';
import { random } from '../lib/random';
import { peerEnvironment } from './peers/common';
import {
  CREATE_HOT_EVENT,
  WRITE_SHARE,
  WriteLedger,
  writeHeavyLoop,
  type ConsistencyFigures,
} from './peers/write-heavy';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    out: { type: 'string', default: 'docs/benchmark-peers.md' },
    quick: { type: 'boolean', default: false },
  },
});
const DURATION_S = args.quick ? 2 : Number(args.duration);
const ROUNDS = args.quick ? 1 : Number(args.rounds);
const WARMUP_S = args.quick ? 1 : 3;
const CONNECTIONS = Number(args.connections);
/** The generated graph's shape, in scripts/bench/scale.ts's proportions, small enough to load in seconds. */
const SIZES: GraphSizes = args.quick
  ? { events: 500, actors: 1_000, claims: 1_250, statements: 5_000, seed: 1 }
  : { events: 2_000, actors: 4_000, claims: 5_000, statements: 20_000, seed: 1 };
/**
 * Longer than a whole run, a ceiling below which the subgraphs' cache hints decide: answers of
 * ours go stale only by writes, which drop them (the write-heavy mix checks that).
 */
const OURS_CACHE_TTL_SECONDS = 3600;
/** Events the write-heavy mix reads and writes. */
const HOT_EVENTS = 8;
/**
 * Between the turns of the write-heavy mix: longer than ours takes to follow the change logs
 * (RESPONSE_CACHE_POLL_MS, 500 ms), the way it learns of a write through another gateway.
 */
const WRITE_TURN_GAP_MS = 1_500;
/** Subgraphs in a query's path (not imports, whose worker polls its own database). */
const QUERIED_SUBGRAPHS = ['events', 'actors', 'statements'] as const;
type QueriedSubgraph = (typeof QUERIED_SUBGRAPHS)[number];

/**
 * `ours-uncached` is ours at its defaults beside `ours` with its response cache on, in the hot
 * mix; `plain` is no gateway at all, plain node:http answering a constant, for what HTTP costs.
 */
export type GatewayId = 'ours' | 'ours-uncached' | 'stock' | 'hive' | 'plain';
export type MixId = 'hot' | 'diverse' | 'write-heavy';
const GATEWAY_NAMES: Record<GatewayId, string> = {
  ours: 'ours (gateway/)',
  'ours-uncached': 'ours (gateway/), response cache off',
  stock: 'stock @apollo/gateway 2.14.4',
  hive: 'Hive Gateway 2.15.1',
  plain: 'plain node:http',
};

const ACTOR_QUERY = /* GraphQL */ `
  query Actor($slug: String!) {
    actor(slug: $slug) {
      name
      kind
      aliases
      affiliations {
        title
        organization {
          name
        }
      }
      statements(first: 10) {
        stance
        quote
        saidAt
        claim {
          text
          contested
          event {
            title
          }
        }
        reportedIn {
          title
        }
      }
    }
  }
`;

const CONTESTED_QUERY = /* GraphQL */ `
  query Contested {
    claims(contested: true, first: 20) {
      nodes {
        text
        aspect
        event {
          title
        }
        statements(first: 5) {
          stance
          speaker {
            name
          }
        }
      }
    }
  }
`;

/** One run of one gateway: autocannon's figures and what the processes did meanwhile. */
export interface RunFigures {
  round: number;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** POSTs to each subgraph's /graphql during the run. */
  subgraphFetches: Record<QueriedSubgraph, number>;
  gatewayCpuSeconds: number;
  subgraphCpuSeconds: number;
  /** Ours only: subgraph fetches it did not send because an identical one was in flight. */
  sharedFetches: number | null;
  /** Ours only: answers served from its response cache. */
  responseCacheHits: number | null;
  /** The write-heavy mix only: reads, writes and stale reads. */
  consistency: ConsistencyFigures | null;
}

export interface GatewayFigures {
  gateway: GatewayId;
  name: string;
  /** What it had turned on in this mix. */
  setup: string;
  runs: RunFigures[];
  /** Medians over the rounds. */
  requestsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Sums over the rounds. */
  requests: number;
  errors: number;
  /** Subgraph POSTs over every round divided by the requests the load generator counted. */
  subgraphFetchesPerRequest: number | null;
  subgraphFetchesPerRequestBySubgraph: Record<QueriedSubgraph, number | null>;
  gatewayCpuMsPerRequest: number | null;
  subgraphCpuMsPerRequest: number | null;
  sharedFetches: number | null;
  responseCacheHits: number | null;
  /** Sums over the rounds, with the first few stale reads. */
  consistency: ConsistencyFigures | null;
}

export interface MixFigures {
  mix: MixId;
  description: string;
  gateways: GatewayFigures[];
}

/** The figures as the JSON beside the report holds them; latencies in ms, null where unmeasured. */
export interface PeerFigures {
  measuredAt: string;
  quick: boolean;
  durationSeconds: number;
  warmupSeconds: number;
  rounds: number;
  connections: number;
  machine: { cpu: string; cpus: number; memoryBytes: number; node: string };
  /** One-minute load averages when the run started and when it ended: other work sharing the cores. */
  loadAverage: { start: number; end: number };
  /** The commit the services ran from, and their files that differed from it. */
  code: { commit: string; uncommittedFiles: string[] };
  graph: GraphSizes;
  /** The check that every gateway answers alike, run before any load. */
  identicalData: { checked: boolean; queries: number; gateways: string[]; identical: boolean };
  mixes: MixFigures[];
}

function log(message: string) {
  process.stderr.write(`bench:peers: ${message}\n`);
}

/** A gateway as the load generator sees it: where to send queries, and which process does the work. */
interface Endpoint {
  id: GatewayId;
  setup: string;
  url: string;
  pid: number;
  /** Ours: its /metrics, for the fetches it shared and its response cache hits. */
  metricsUrl?: string;
}

const bodyOf = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

async function post(
  url: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  try {
    return { status: response.status, json: JSON.parse(text) };
  } catch {
    throw new Error(`${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
}

async function waitForGraphql(url: string, service: ServiceProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void service.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`${service.name} exited before it answered`);
    try {
      const { status } = await post(url, bodyOf('{ __typename }'));
      if (status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${service.name} did not answer at ${url} within ${timeoutMs / 1000} s`);
}

/** JSON with object keys sorted: data equal whatever order a gateway writes the fields in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** Where two answers first differ, as a path, for the failure message. */
function firstDifference(a: unknown, b: unknown, at = '$'): string {
  if (canonical(a) === canonical(b)) return '';
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const found = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${at}.${key}`,
      );
      if (found) return found;
    }
  }
  return `${at}: ${JSON.stringify(a)?.slice(0, 200)} vs ${JSON.stringify(b)?.slice(0, 200)}`;
}

/**
 * Every gateway answers every sample query, without errors, with the same data as ours; throws
 * otherwise. A caching gateway is asked twice, so that an answer from its cache is checked too.
 */
async function checkIdenticalData(
  gateways: Array<{ label: string; url: string; twice: boolean }>,
  samples: Array<{ label: string; body: string }>,
): Promise<void> {
  for (const sample of samples) {
    let reference: { label: string; data: unknown } | undefined;
    for (const gateway of gateways) {
      for (let attempt = 0; attempt < (gateway.twice ? 2 : 1); attempt++) {
        const { status, json } = await post(gateway.url, sample.body);
        const answer = json as { data?: unknown; errors?: unknown };
        const label = `${gateway.label}${attempt ? ' (asked again)' : ''}`;
        if (status !== 200 || answer.errors || !answer.data)
          throw new Error(`${label} answered ${sample.label} with ${status}: ${JSON.stringify(json).slice(0, 500)}`);
        if (!reference) reference = { label, data: answer.data };
        else if (canonical(answer.data) !== canonical(reference.data))
          throw new Error(
            `${label} and ${reference.label} answered ${sample.label} differently, first at ${firstDifference(reference.data, answer.data)}`,
          );
      }
    }
  }
}

interface LoadResult {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  consistency?: ConsistencyFigures;
}

/** CONNECTIONS connections sending the next body of `bodies` (in turn) as soon as an answer arrives. */
async function closedLoop(url: string, bodies: string[], seconds: number): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
    // A 200 carrying GraphQL errors is a failure too.
    verifyBody: (body) => !String(body).includes('"errors"'),
  });
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

interface Snapshot {
  gatewayCpu: number;
  subgraphCpu: number;
  fetches: Record<QueriedSubgraph, number>;
  shared: number | null;
  cacheHits: number | null;
}

async function snapshot(federation: RunningFederation, endpoint: Endpoint): Promise<Snapshot> {
  const texts = await Promise.all(
    QUERIED_SUBGRAPHS.map(async (name) => (await fetch(`${federation.subgraphUrls[name]}/metrics`)).text()),
  );
  const fetches = Object.fromEntries(
    QUERIED_SUBGRAPHS.map((name, i) => [
      name,
      sumOf(texts[i]!, 'newsfacts_http_request_duration_seconds_count', { route: '/graphql', method: 'POST' }),
    ]),
  ) as Record<QueriedSubgraph, number>;
  let shared: number | null = null;
  let cacheHits: number | null = null;
  if (endpoint.metricsUrl) {
    const text = await (await fetch(endpoint.metricsUrl)).text();
    const counted = (metric: string, labels: Record<string, string> = {}) =>
      text.includes(metric) ? sumOf(text, metric, labels) : null;
    shared = counted('newsfacts_subgraph_fetches_shared_total');
    cacheHits = counted('newsfacts_response_cache_lookups_total', { result: 'hit' });
  }
  return {
    gatewayCpu: procCpuSeconds(endpoint.pid),
    subgraphCpu: texts.reduce((sum, text) => sum + sumOf(text, 'newsfacts_process_cpu_seconds_total'), 0),
    fetches,
    shared,
    cacheHits,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const finite = (value: number) => (Number.isFinite(value) ? value : null);
const perRequest = (total: number, requests: number) => (requests > 0 ? total / requests : null);

/** How a mix loads a gateway for so many seconds; before each turn, `beforeTurn` if given. */
interface Load {
  run(endpoint: Endpoint, seconds: number): Promise<LoadResult>;
  beforeTurn?: () => Promise<void>;
}

const sameBodies = (bodies: string[]): Load => ({
  run: (endpoint, seconds) => closedLoop(endpoint.url, bodies, seconds),
});

const sumConsistency = (figures: Array<ConsistencyFigures | null>): ConsistencyFigures | null =>
  figures.every((f): f is ConsistencyFigures => f !== null) && figures.length
    ? {
        reads: figures.reduce((sum, f) => sum + f.reads, 0),
        writes: figures.reduce((sum, f) => sum + f.writes, 0),
        staleReads: figures.reduce((sum, f) => sum + f.staleReads, 0),
        staleExamples: figures.flatMap((f) => f.staleExamples).slice(0, 5),
      }
    : null;

/** The mix's rounds: every gateway warmed up, then each in turn for ROUNDS rounds. */
async function measureMix(
  federation: RunningFederation,
  mix: MixId,
  endpoints: Endpoint[],
  load: Load,
): Promise<GatewayFigures[]> {
  for (const endpoint of endpoints) {
    log(`${mix}: warming up ${endpoint.id} for ${WARMUP_S} s`);
    await load.beforeTurn?.();
    await load.run(endpoint, WARMUP_S);
  }
  const runs = new Map<GatewayId, RunFigures[]>(endpoints.map((endpoint) => [endpoint.id, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const endpoint of endpoints) {
      log(`${mix}: round ${round} of ${ROUNDS}, ${endpoint.id}, ${DURATION_S} s`);
      await load.beforeTurn?.();
      const before = await snapshot(federation, endpoint);
      const result = await load.run(endpoint, DURATION_S);
      const after = await snapshot(federation, endpoint);
      runs.get(endpoint.id)!.push({
        round,
        requests: result.requests,
        errors: result.errors,
        requestsPerSecond: result.requests / DURATION_S,
        // With no request answered in time, autocannon's 0 ms is not a latency.
        p50Ms: result.requests ? finite(result.p50) : null,
        p99Ms: result.requests ? finite(result.p99) : null,
        subgraphFetches: Object.fromEntries(
          QUERIED_SUBGRAPHS.map((name) => [name, after.fetches[name] - before.fetches[name]]),
        ) as Record<QueriedSubgraph, number>,
        gatewayCpuSeconds: after.gatewayCpu - before.gatewayCpu,
        subgraphCpuSeconds: after.subgraphCpu - before.subgraphCpu,
        sharedFetches: after.shared === null || before.shared === null ? null : after.shared - before.shared,
        responseCacheHits:
          after.cacheHits === null || before.cacheHits === null ? null : after.cacheHits - before.cacheHits,
        consistency: result.consistency ?? null,
      });
      if (result.consistency?.staleReads)
        log(`${mix}: ${endpoint.id} returned ${result.consistency.staleReads} stale reads`);
    }
  }
  return endpoints.map((endpoint) => {
    const own = runs.get(endpoint.id)!;
    const requests = own.reduce((sum, run) => sum + run.requests, 0);
    const fetchesOf = (name: QueriedSubgraph) => own.reduce((sum, run) => sum + run.subgraphFetches[name], 0);
    const allFetches = QUERIED_SUBGRAPHS.reduce((sum, name) => sum + fetchesOf(name), 0);
    const latencies = (pick: (run: RunFigures) => number | null) =>
      own.map(pick).filter((value): value is number => value !== null);
    const gatewayCpu = own.reduce((sum, run) => sum + run.gatewayCpuSeconds, 0);
    const subgraphCpu = own.reduce((sum, run) => sum + run.subgraphCpuSeconds, 0);
    return {
      gateway: endpoint.id,
      name: GATEWAY_NAMES[endpoint.id],
      setup: endpoint.setup,
      runs: own,
      requestsPerSecond: median(own.map((run) => run.requestsPerSecond)),
      p50Ms: finite(median(latencies((run) => run.p50Ms))),
      p99Ms: finite(median(latencies((run) => run.p99Ms))),
      requests,
      errors: own.reduce((sum, run) => sum + run.errors, 0),
      subgraphFetchesPerRequest: perRequest(allFetches, requests),
      subgraphFetchesPerRequestBySubgraph: Object.fromEntries(
        QUERIED_SUBGRAPHS.map((name) => [name, perRequest(fetchesOf(name), requests)]),
      ) as Record<QueriedSubgraph, number | null>,
      gatewayCpuMsPerRequest: perRequest(gatewayCpu * 1000, requests),
      subgraphCpuMsPerRequest: perRequest(subgraphCpu * 1000, requests),
      sharedFetches: own.every((run) => run.sharedFetches !== null)
        ? own.reduce((sum, run) => sum + run.sharedFetches!, 0)
        : null,
      responseCacheHits: own.every((run) => run.responseCacheHits !== null)
        ? own.reduce((sum, run) => sum + run.responseCacheHits!, 0)
        : null,
      consistency: sumConsistency(own.map((run) => run.consistency)),
    };
  });
}

const fixed = (value: number | null, digits = 1) => (value === null ? '–' : value.toFixed(digits));
const ms = (value: number | null) => (value === null ? '–' : value.toFixed(value < 10 ? 2 : 1));

function mixTable(mix: MixFigures): string[] {
  const consistent = mix.gateways.every((g) => g.consistency !== null);
  const count = (value: number) => value.toLocaleString('en');
  return [
    `| gateway | set up | req/s (median) | req/s by round | p50 ms | p99 ms | errors |${consistent ? ' reads | writes | stale reads |' : ''} subgraph fetches/request (events + actors + statements) | gateway CPU ms/request | subgraphs' CPU ms/request |`,
    `| --- | --- | ---: | --- | ---: | ---: | ---: |${consistent ? ' ---: | ---: | ---: |' : ''} --- | ---: | ---: |`,
    ...mix.gateways.map((g) => {
      const by = g.subgraphFetchesPerRequestBySubgraph;
      const c = g.consistency;
      return `| ${g.name} | ${g.setup} | ${Math.round(g.requestsPerSecond)} | ${g.runs.map((run) => Math.round(run.requestsPerSecond)).join(' / ')} | ${ms(g.p50Ms)} | ${ms(g.p99Ms)} | ${g.errors} |${consistent && c ? ` ${count(c.reads)} | ${count(c.writes)} | ${count(c.staleReads)} |` : ''} ${fixed(g.subgraphFetchesPerRequest, 2)} (${fixed(by.events, 2)} + ${fixed(by.actors, 2)} + ${fixed(by.statements, 2)}) | ${ms(g.gatewayCpuMsPerRequest)} | ${ms(g.subgraphCpuMsPerRequest)} |`;
    }),
  ];
}

/** What the write-heavy mix found: stale reads per gateway, and how stale the first of them were. */
function staleness(mix: MixFigures): string[] {
  return mix.gateways.flatMap((g) => {
    const c = g.consistency;
    if (!c) return [];
    if (!c.staleReads)
      return [
        `- **${mix.mix}**: ${g.name} returned no stale read: each of its ${c.reads.toLocaleString('en')} reads gave the title of the last write that had answered before it was sent, or of a later one (${c.writes.toLocaleString('en')} writes through it).`,
      ];
    const examples = c.staleExamples
      .map((e) => `#${e.returned} where #${e.expected} had answered ${e.sentAfterWriteMs} ms before (${e.event})`)
      .join('; ');
    return [
      `- **${mix.mix}**: ${g.name} returned ${c.staleReads.toLocaleString('en')} stale reads of ${c.reads.toLocaleString('en')} (${((c.staleReads / Math.max(1, c.reads)) * 100).toFixed(1)}%): a title older than a write that had answered before the read was sent. The first: ${examples}.`,
    ];
  });
}

const isPeer = (g: GatewayFigures) => g.gateway === 'stock' || g.gateway === 'hive';

/**
 * Where ours stands against each peer, in the run's own numbers, and which of the measured
 * differences favour the faster side.
 */
function findings(mixes: MixFigures[]): string[] {
  const behind = mixes.flatMap((mix) => {
    const ours = mix.gateways.find((g) => g.gateway === 'ours')!;
    return mix.gateways
      .filter((g) => isPeer(g) && g.requestsPerSecond > ours.requestsPerSecond * 1.1)
      .map((g) => `${g.name} in the ${mix.mix} mix`);
  });
  const lines: string[] = [
    behind.length
      ? `Ours answered more than 10% fewer requests a second than ${behind.length > 1 ? `${behind.slice(0, -1).join(', ')} and ${behind.at(-1)}` : behind[0]}; against the rest it was ahead or within 10%.`
      : 'In no mix did a peer answer more than 10% more requests a second than ours.',
    ``,
  ];
  for (const mix of mixes) {
    const ours = mix.gateways.find((g) => g.gateway === 'ours')!;
    for (const peer of mix.gateways.filter(isPeer)) {
      const ratio = ours.requestsPerSecond > 0 ? peer.requestsPerSecond / ours.requestsPerSecond : NaN;
      const rates = `${Math.round(ours.requestsPerSecond)} req/s against ${Math.round(peer.requestsPerSecond)}`;
      const behind = ratio > 1.1;
      const standing = behind
        ? `ours is behind ${peer.name}: ${rates} (it answered ${ratio.toFixed(1)}× as many)`
        : ratio < 0.9
          ? `ours is ahead of ${peer.name}: ${rates} (ours answered ${(1 / ratio).toFixed(1)}× as many)`
          : `ours and ${peer.name} are within 10%: ${rates}`;
      const compared: Array<[string, number | null, number | null]> = [
        ['subgraph fetches per request', ours.subgraphFetchesPerRequest, peer.subgraphFetchesPerRequest],
        ["CPU ms per request in the gateway's own process", ours.gatewayCpuMsPerRequest, peer.gatewayCpuMsPerRequest],
        ['CPU ms per request in the subgraphs behind it', ours.subgraphCpuMsPerRequest, peer.subgraphCpuMsPerRequest],
      ];
      const figures = compared
        .filter(([, a, b]) => a !== null && b !== null)
        .map(([what, a, b]) => `${what} ${ms(a)} (ours) and ${ms(b)}`);
      // A cost at least a fifth lower on the faster side is named as a reason it is faster, unless
      // both are next to nothing (a twentieth of a fetch or a millisecond).
      const fasterSpendsLess = (ourCost: number, peerCost: number) => {
        const [fast, slow] = behind ? [peerCost, ourCost] : [ourCost, peerCost];
        return fast < slow * 0.8 && slow - fast >= 0.05;
      };
      const reasons = compared
        .filter(([, a, b]) => a !== null && b !== null && fasterSpendsLess(a, b))
        .map(([what]) => what.replace(/ in the subgraphs behind it$/, ' in the subgraphs'));
      const range = (g: GatewayFigures) => {
        const rates = g.runs.map((run) => run.requestsPerSecond);
        return [Math.min(...rates), Math.max(...rates)] as const;
      };
      const [oursLow, oursHigh] = range(ours);
      const [peerLow, peerHigh] = range(peer);
      const overlap =
        ours.runs.length > 1 && oursLow <= peerHigh && peerLow <= oursHigh
          ? ` Their rounds overlap (ours ${Math.round(oursLow)}–${Math.round(oursHigh)}, ${Math.round(peerLow)}–${Math.round(peerHigh)} req/s): on this machine the difference is within the noise.`
          : '';
      const why =
        ratio > 1.1 || ratio < 0.9
          ? (reasons.length
              ? ` The faster side spends less: ${reasons.join('; ')}.`
              : ' No measured cost per request differs by a fifth or more, so these figures do not explain the difference.') +
            overlap
          : '';
      // Answers from a cache that missed a write are not the same work as current ones.
      const stale = peer.consistency?.staleReads
        ? ` Of ${peer.name}'s ${peer.consistency.reads.toLocaleString('en')} reads, ${peer.consistency.staleReads.toLocaleString('en')} were stale, and of ours ${ours.consistency?.staleReads.toLocaleString('en') ?? '–'} (below).`
        : '';
      lines.push(`- **${mix.mix}**: ${standing}; ${figures.join('; ')}.${why}${stale}`);
    }
    const plain = mix.gateways.find((g) => g.gateway === 'plain');
    if (plain && plain.requestsPerSecond > 0)
      lines.push(
        `- **${mix.mix}**: ours answered ${Math.round((ours.requestsPerSecond / plain.requestsPerSecond) * 100)}% as many requests a second as ${plain.name} answering the same bytes as a constant (${Math.round(ours.requestsPerSecond)} against ${Math.round(plain.requestsPerSecond)}; p99 ${ms(ours.p99Ms)} ms against ${ms(plain.p99Ms)}; CPU ms per request in its own process ${ms(ours.gatewayCpuMsPerRequest)} against ${ms(plain.gatewayCpuMsPerRequest)}).`,
      );
  }
  return lines;
}

/** What ours was built from: a report of a gateway with uncommitted changes says so. */
function code(): PeerFigures['code'] {
  const git = (...gitArgs: string[]) => execFileSync('git', gitArgs, { cwd: repoRoot, encoding: 'utf8' });
  try {
    const changed = git('status', '--porcelain', '--', 'gateway/src', 'services', 'packages');
    return {
      commit: git('rev-parse', '--short', 'HEAD').trim(),
      // Porcelain lines are two status letters, a space and the path.
      uncommittedFiles: changed
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3)),
    };
  } catch {
    return { commit: 'unknown', uncommittedFiles: [] };
  }
}

async function main() {
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  const source = code();
  log('starting the federation on scratch PostgreSQL databases');
  const federation = await launchFederation({
    env: {
      ...isolatedEnv(),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      ANONYMOUS_ACCESS: 'read',
      ANONYMOUS_OPERATIONS_PER_MINUTE: '100000000',
      ANONYMOUS_COST_PER_MINUTE: '100000000000',
      KEY_OPERATIONS_PER_MINUTE: '100000000',
      KEY_COST_PER_MINUTE: '100000000000',
      MAX_COST: '10000000',
    },
    ports: 'free',
    databases: { kind: 'scratch', prefix: 'nf_peers' },
    output: [],
  });
  const peers: ServiceProcess[] = [];
  const peerOutput: string[] = [];
  const stopEverything = async () => {
    await stopAll(peers);
    await federation.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void stopEverything().finally(() => process.exit(130));
    });
  }
  let figures: PeerFigures;
  let report: string;
  try {
    log(`generating ${describeSizes(SIZES)}`);
    await generateGraphInto(federation.env, SIZES);

    // The write-heavy mix's writer: a key of its own with the write scope, as a partner's, and
    // the events it writes to, which only it (or an admin key) may change.
    log("creating the benchmark's own write key, and the events it writes to");
    const writer = await createKey(federation.env, 'bench:peers writer', 'read,write');
    const writerPrincipal = encodePrincipal({ kind: 'key', keyId: writer.keyId, scopes: ['READ', 'WRITE'] });
    const writerHeaders = { authorization: `Bearer ${writer.key}` };
    const ledger = new WriteLedger();
    for (let i = 1; i <= HOT_EVENTS; i++) {
      const label = `Write-heavy event ${i}`;
      const { status, json } = await post(
        `${federation.gatewayUrl}/graphql`,
        bodyOf(CREATE_HOT_EVENT, {
          input: {
            slug: `write-heavy-${i}`,
            title: WriteLedger.title(label, 0),
            summary: 'An event the peer benchmark writes to: its title changes again and again.',
            kind: 'SHELLING',
            startedAt: '2023-05-23T00:00:00Z',
            datePrecision: 'DAY',
            place: 'kozinka',
            parent: RAID_SLUG,
            participants: [{ actor: seedId.actor('vyacheslav-gladkov'), role: 'COMMENTATOR' }],
          },
        }),
        writerHeaders,
      );
      const created = (json as { data?: { createEvent?: { event?: { id: string; slug: string } } } }).data?.createEvent
        ?.event;
      if (status !== 200 || !created)
        throw new Error(`creating ${label} answered ${status}: ${JSON.stringify(json).slice(0, 500)}`);
      ledger.add({ ...created, label });
    }

    const subgraphUrls = Object.fromEntries(QUERIED_SUBGRAPHS.map((name) => [name, federation.subgraphUrls[name]]));
    const start = async (name: string, entry: string, env: (port: number) => NodeJS.ProcessEnv, ours = false) => {
      const port = await freePort();
      const service = startService(name, entry, env(port), (from, line) => peerOutput.push(`[${from}] ${line}`));
      peers.push(service);
      const url = `http://127.0.0.1:${port}/graphql`;
      await waitForGraphql(url, service).catch((error: Error) => {
        throw new Error(`${error.message}\n${peerOutput.join('\n')}`);
      });
      return { url, pid: service.child.pid!, metricsUrl: ours ? `http://127.0.0.1:${port}/metrics` : undefined };
    };
    const startPeer = (name: string, entry: string, caching: boolean, principal?: string) =>
      start(name, entry, (port) => ({
        ...process.env,
        ...peerEnvironment({
          port,
          subgraphUrls,
          signingSecret: federation.env.SUBGRAPH_SIGNING_SECRET!,
          caching,
          principal,
        }),
      }));
    log(
      'starting ours with its response cache, stock @apollo/gateway, and Hive Gateway with and without its own; a stock and a caching Hive for the writer',
    );
    const [oursCaching, stock, hivePlain, hiveCaching, stockWriter, hiveWriter] = await Promise.all([
      // A second gateway of ours on the same databases, as the federation's but for the cache.
      start(
        'gateway-caching',
        'gateway/src/index.ts',
        (port) => ({
          ...federation.env,
          GATEWAY_PORT: String(port),
          RESPONSE_CACHE_TTL_SECONDS: String(OURS_CACHE_TTL_SECONDS),
        }),
        true,
      ),
      startPeer('stock', 'scripts/bench/peers/stock-gateway.ts', false),
      startPeer('hive', 'scripts/bench/peers/hive-gateway.ts', false),
      startPeer('hive-caching', 'scripts/bench/peers/hive-gateway.ts', true),
      startPeer('stock-writer', 'scripts/bench/peers/stock-gateway.ts', false, writerPrincipal),
      startPeer('hive-caching-writer', 'scripts/bench/peers/hive-gateway.ts', true, writerPrincipal),
    ]);
    const ours = {
      url: `${federation.gatewayUrl}/graphql`,
      pid: federation.processes.gateway.child.pid!,
      metricsUrl: `${federation.gatewayUrl}/metrics`,
    };

    // The same random events for the check and, in the same order, for every gateway's diverse runs.
    const next = random(SIZES.seed);
    const pick = (count: number) => Math.floor(next() * count);
    const raidBody = bodyOf(RAID_QUERY, { slug: RAID_SLUG });
    const diverseBodies = Array.from({ length: 5_000 }, () =>
      bodyOf(RAID_QUERY, { slug: syntheticSlug.event(pick(SIZES.events)) }),
    );
    const samples = [
      { label: `the raid query (${RAID_SLUG})`, body: raidBody },
      // The busiest generated events and actors, then random ones.
      ...[0, 1, ...Array.from({ length: 30 }, () => pick(SIZES.events))].map((index) => ({
        label: `the raid query about ${syntheticSlug.event(index)}`,
        body: bodyOf(RAID_QUERY, { slug: syntheticSlug.event(index) }),
      })),
      ...[0, ...Array.from({ length: 15 }, () => pick(SIZES.actors))].map((index) => ({
        label: `an actor's statements (${syntheticSlug.actor(index)})`,
        body: bodyOf(ACTOR_QUERY, { slug: syntheticSlug.actor(index) }),
      })),
      { label: 'the contested claims list', body: bodyOf(CONTESTED_QUERY) },
    ];
    const checked = [
      { label: 'ours', url: ours.url, twice: false },
      { label: 'ours with its response cache', url: oursCaching.url, twice: true },
      { label: 'stock @apollo/gateway', url: stock.url, twice: false },
      { label: 'Hive Gateway', url: hivePlain.url, twice: false },
      { label: 'Hive Gateway with its response cache', url: hiveCaching.url, twice: true },
    ];
    log(`checking that ${checked.length} gateways give identical data for ${samples.length} queries`);
    await checkIdenticalData(checked, samples);
    const raidAnswer = await fetch(oursCaching.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raidBody,
    }).then((response) => response.text());
    const plain = await start('plain-http', 'scripts/bench/peers/plain-http.ts', (port) => ({
      ...process.env,
      PEER_PORT: String(port),
      PLAIN_HTTP_ANSWER: raidAnswer,
    }));

    const OURS_DEFAULTS = 'its defaults: in-flight sharing of identical subgraph fetches, no response cache';
    const PEER_DEFAULTS = 'its defaults (no cache of any kind)';
    const OURS_CACHING = `response cache on (\`RESPONSE_CACHE_TTL_SECONDS=${OURS_CACHE_TTL_SECONDS}\`, in memory) and in-flight sharing`;
    const HIVE_CACHING = 'response cache (`session: () => null`) and inbound in-flight deduplication';
    const hot = await measureMix(
      federation,
      'hot',
      [
        { id: 'ours', setup: OURS_CACHING, ...oursCaching },
        { id: 'stock', setup: PEER_DEFAULTS, ...stock },
        { id: 'hive', setup: HIVE_CACHING, ...hiveCaching },
        { id: 'ours-uncached', setup: OURS_DEFAULTS, ...ours },
        {
          id: 'plain',
          setup: "no gateway: reads each request and answers the raid query's answer, a constant",
          ...plain,
        },
      ],
      sameBodies([raidBody]),
    );
    const diverse = await measureMix(
      federation,
      'diverse',
      [
        { id: 'ours', setup: OURS_DEFAULTS, ...ours },
        { id: 'stock', setup: PEER_DEFAULTS, ...stock },
        { id: 'hive', setup: 'its defaults; no response cache', ...hivePlain },
      ],
      sameBodies(diverseBodies),
    );
    // The hot events' raid query (their titles checked), and the raid's own (never written).
    const writeReads = [
      ...ledger.events.map((event) => ({ body: bodyOf(RAID_QUERY, { slug: event.slug }), event })),
      { body: raidBody },
    ];
    const SIGNED_FOR_WRITER = "signs for the benchmark's write key";
    const writeHeavy = await measureMix(
      federation,
      'write-heavy',
      [
        { id: 'ours', setup: `${OURS_CACHING}; sent the benchmark's write key`, ...oursCaching },
        { id: 'stock', setup: `${PEER_DEFAULTS}; ${SIGNED_FOR_WRITER}`, ...stockWriter },
        { id: 'hive', setup: `${HIVE_CACHING}; ${SIGNED_FOR_WRITER}`, ...hiveWriter },
      ],
      {
        beforeTurn: async () => {
          const wait = ledger.lastWriteAnsweredAt + WRITE_TURN_GAP_MS - performance.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        },
        // The same sequence of reads and writes for every turn.
        run: (endpoint, seconds) =>
          writeHeavyLoop({
            url: endpoint.url,
            headers: writerHeaders,
            connections: CONNECTIONS,
            seconds,
            ledger,
            reads: writeReads,
            random: random(SIZES.seed),
          }),
      },
    );
    const mixes: MixFigures[] = [
      { mix: 'hot', description: `the raid query (${RAID_SLUG}), every request the same`, gateways: hot },
      {
        mix: 'diverse',
        description: `the raid query about a random generated event each request (${diverseBodies.length} in a fixed order, the same for every gateway)`,
        gateways: diverse,
      },
      {
        mix: 'write-heavy',
        description: `the raid query about ${HOT_EVENTS} hot events and about the raid, with ${WRITE_SHARE * 100}% of requests changing a hot event's title`,
        gateways: writeHeavy,
      },
    ];
    const cpu = os.cpus();
    figures = {
      measuredAt: new Date().toISOString(),
      quick: args.quick === true,
      durationSeconds: DURATION_S,
      warmupSeconds: WARMUP_S,
      rounds: ROUNDS,
      connections: CONNECTIONS,
      machine: { cpu: cpu[0]?.model ?? 'unknown', cpus: cpu.length, memoryBytes: os.totalmem(), node: process.version },
      loadAverage: { start: loadAtStart, end: os.loadavg()[0]! },
      code: source,
      graph: SIZES,
      identicalData: { checked: true, queries: samples.length, gateways: checked.map((g) => g.label), identical: true },
      mixes,
    };
    report = [
      `# Peer gateways`,
      ``,
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:peers${args.quick ? ' -- --quick' : ''}\`: ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} of ${DURATION_S} s per gateway and mix, taking turns (ours, stock, Hive, ours, …) after ${WARMUP_S} s of warm-up each; took ${Math.round((Date.now() - started) / 1000)} s.`,
      ``,
      ...machine(CONNECTIONS),
      `- Load average (1 min) at the start and at the end: ${figures.loadAverage.start.toFixed(1)} and ${figures.loadAverage.end.toFixed(1)}, on ${cpu.length} cores that whatever else the machine runs shares with the gateways and autocannon`,
      `- Code: commit ${source.commit}${source.uncommittedFiles.length ? `, with uncommitted changes to ${source.uncommittedFiles.length} files under gateway/src, services/ and packages/ (listed in the JSON)` : ''}`,
      ``,
      `The three gateways stand in front of the same subgraph processes and databases: the seed plus a generated graph of ${SIZES.events.toLocaleString('en')} events, ${SIZES.actors.toLocaleString('en')} actors, ${SIZES.claims.toLocaleString('en')} claims and ${SIZES.statements.toLocaleString('en')} statements (scripts/lib/synthetic-graph.ts). Each signs every subgraph request as ours does, for an anonymous reader (in the write-heavy mix, for the benchmark's own write key); the peers check no API keys, quotas, cost or depth limits, which ours does on every request.`,
      ``,
      `**Identical data:** before any load, ${checked.map((g) => g.label).join(', ')} answered ${samples.length} queries (the raid query; the raid query about the two busiest and 30 random generated events; an actor's statements for the busiest and 15 random generated actors; the contested claims list) with no errors and the same data. The gateways with a response cache were asked each twice, so their cached answers were compared too.`,
      ``,
      ...mixes.flatMap((mix) => [`## ${mix.mix}: ${mix.description}`, ``, ...mixTable(mix), ``]),
      `Latencies and req/s are medians over the rounds. Subgraph fetches are POSTs counted at each subgraph's /metrics (\`newsfacts_http_request_duration_seconds_count\`) during the runs, divided by the requests the load generator counted: autocannon, or in the write-heavy mix the benchmark's own loop (scripts/bench/peers/write-heavy.ts). Autocannon counts no request still in flight when a run ends, up to one per connection; the write-heavy loop counts those too, and sends no new one after the run's end. CPU is user + system time of the gateway's process (/proc/<pid>/stat) and of the three subgraphs (their /metrics), per request. PostgreSQL's CPU is not in it, and the load generator shares the machine's cores with every process.`,
      ...mixes.flatMap(({ mix, gateways }) =>
        gateways
          .filter((g) => g.gateway === 'ours' || g.gateway === 'ours-uncached')
          .map((g) => {
            const counted = [
              g.sharedFetches === null
                ? 'exposed no count of shared fetches'
                : `sent ${g.sharedFetches.toLocaleString('en')} subgraph fetches fewer because an identical one was in flight`,
              ...(g.responseCacheHits === null
                ? []
                : [
                    `answered ${g.responseCacheHits.toLocaleString('en')} of ${g.requests.toLocaleString('en')} requests from its response cache`,
                  ]),
            ];
            return `In the ${mix} mix ${g.name} ${counted.join(' and ')}.`;
          }),
      ),
      ``,
      `## Where we are behind, and why`,
      ``,
      ...findings(mixes),
      ...mixes.flatMap(staleness),
      ``,
      `Ours has a response cache, off by default (\`RESPONSE_CACHE_TTL_SECONDS\` 0): the hot mix runs a second gateway of ours with it on, and ours at its defaults beside it. A repeat of a request ours has answered from that cache is answered by the first handler on /graphql (gateway/src/cached-answers.ts), ahead of express's other middleware and Apollo Server, from the entry's serialized bytes: it is still authenticated, counted against the operation quota and charged its cost against the cost quota, and the entry's tags are checked against the changes dropped since it was made; it is not parsed or validated again, since the same text from the same kind of caller was when the entry was made. The peers do none of the checks. Stock @apollo/gateway has no response cache and no in-flight sharing. Plain node:http is no gateway: it shows what HTTP itself costs on this machine, for the same answer.`,
      ``,
      `**Write-heavy:** the benchmark creates its own API key with the write scope (\`keys create --scopes read,write\`) and, through ours with it, ${HOT_EVENTS} events under the raid, which only that key may change. Each connection sends the raid query about one of them or about the raid, or in ${WRITE_SHARE * 100}% of requests \`updateEvent\` giving one of them a new title; a title ends in a number that grows with every write of the run, through any gateway, and one event is never written twice at once. Ours is sent the key and checks it as any partner's; the two peers in this mix are a stock @apollo/gateway and a Hive Gateway with its response cache, started to sign every subgraph request for that key (no other caller reaches them), the others signing for an anonymous reader. A read is stale if its title is older than that of the last write to that event that had answered before the read was sent, through whichever gateway. Each turn starts at least ${WRITE_TURN_GAP_MS / 1000} s after the last write answered: ours learns of a write through another gateway from the subgraphs' change logs, which it reads every 500 ms (\`RESPONSE_CACHE_POLL_MS\`); of a write through itself, before that write answers.`,
      ``,
    ].join('\n');
  } finally {
    await stopEverything();
  }
  const out = path.resolve(repoRoot, args.out!);
  writeFileSync(out, report);
  process.stdout.write(report);
  log(`wrote ${path.relative(repoRoot, out)}`);
  const json = `${out.replace(/\.md$/, '')}.json`;
  writeFileSync(json, `${JSON.stringify(figures, null, 2)}\n`);
  log(`wrote ${path.relative(repoRoot, json)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:peers: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
