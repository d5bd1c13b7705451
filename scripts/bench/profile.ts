/**
 * CPU per raid query (`npm run bench:profile`), before and after the fast paths, in one run.
 *
 * One federation is launched on scratch PostgreSQL databases (TEST_DATABASE_URL's server) with a
 * generated graph beside the seed, at its defaults ("after"); a second runs beside it on the same
 * databases with the fast paths off ("before": `RAW_SQL_READS=false`, every read through Prisma;
 * `MERGE_SUBGRAPH_FETCHES=false` and `MERGE_FETCHES_ACROSS_REQUESTS=false`, every fetch of
 * the plan sent on its own). Both must answer a sample of queries alike. Then, for
 * --rounds rounds, each is sent --requests raid queries about random generated events (a
 * different list each round, the same for both sides; nothing repeats often enough for a cache or
 * in-flight sharing to help), --concurrency at a time, the sides taking turns and swapping who
 * goes first. CPU is user + system time of the gateway and of each queried subgraph from
 * /proc/<pid>/stat; SQL statements are each subgraph's `newsfacts_sql_statements_total`.
 *
 * With --cpu-prof DIR every process also runs under `node --cpu-prof`, and the report lists where
 * each spent its time during the measured rounds (profiling adds its own cost to the figures).
 *
 * Writes docs/profile.md and its figures as JSON beside it.
 *
 *   npm run bench:profile -- [--rounds 6] [--requests 100] [--concurrency 16] [--cpu-prof DIR] [--out docs/profile.md] [--quick]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@newsfacts/platform/config';
import { RAID_QUERY } from '../../gateway/web/src/examples/raid-query';
import { summarizeProfile, monotonicMicros, type ProfileSummary, type Window } from '../lib/cpu-profile';
import { isolatedEnv, launchFederation, type LaunchOptions, type RunningFederation } from '../lib/federation';
import { machine, machineFigures, procCpuSeconds, type MachineFigures } from '../lib/load-machine';
import { sumOf } from '../lib/prometheus';
import { random } from '../lib/random';
import { describeSizes, generateGraphInto, syntheticSlug, type GraphSizes } from '../lib/synthetic-graph';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    requests: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '16' },
    'cpu-prof': { type: 'string' },
    out: { type: 'string', default: 'docs/profile.md' },
    quick: { type: 'boolean', default: false },
  },
});
const ROUNDS = args.quick ? 2 : Number(args.rounds);
const REQUESTS = args.quick ? 30 : Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const WARMUP_REQUESTS = args.quick ? 20 : 200;
const PROFILE_DIR = args['cpu-prof'] ? path.resolve(args['cpu-prof']) : undefined;
const SIZES: GraphSizes = args.quick
  ? { events: 500, actors: 1_000, claims: 1_250, statements: 5_000, seed: 1 }
  : { events: 2_000, actors: 4_000, claims: 5_000, statements: 20_000, seed: 1 };
const PROCESSES = ['gateway', 'events', 'actors', 'statements'] as const;
type ProcessName = (typeof PROCESSES)[number];
const SUBGRAPHS = ['events', 'actors', 'statements'] as const;
const SIDES = ['before', 'after'] as const;
type Side = (typeof SIDES)[number];
const SIDE_SETTING: Record<Side, string> = {
  before:
    '`RAW_SQL_READS=false`, `MERGE_SUBGRAPH_FETCHES=false` and `MERGE_FETCHES_ACROSS_REQUESTS=false`: every read through Prisma, and every fetch of a query plan sent on its own, as the federation ran before these fast paths',
  after:
    'the defaults: the loaders’ reads as plain SQL on the driver, the plan’s query fetches to one subgraph merged within each request and across concurrent requests for the same caller',
};

/** /metrics answers in production only to its token. */
const METRICS_TOKEN = randomBytes(24).toString('hex');
const log = (message: string) => process.stderr.write(`bench:profile: ${message}\n`);
const bodyOf = (index: number) =>
  JSON.stringify({ query: RAID_QUERY, variables: { slug: syntheticSlug.event(index) } });

async function ask(federation: RunningFederation, body: string): Promise<string> {
  const response = await fetch(`${federation.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"'))
    throw new Error(`the gateway answered ${response.status}: ${text.slice(0, 400)}`);
  return text;
}

/** Sends every body, `CONCURRENCY` at a time. */
async function send(federation: RunningFederation, bodies: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) await ask(federation, bodies[next++]!);
    }),
  );
}

interface Snapshot {
  cpu: Record<ProcessName, number>;
  statements: Record<(typeof SUBGRAPHS)[number], number>;
}

async function snapshot(federation: RunningFederation): Promise<Snapshot> {
  const texts = await Promise.all(
    SUBGRAPHS.map(async (name) =>
      (
        await fetch(`${federation.subgraphUrls[name]}/metrics`, {
          headers: { authorization: `Bearer ${METRICS_TOKEN}` },
        })
      ).text(),
    ),
  );
  return {
    cpu: Object.fromEntries(
      PROCESSES.map((name) => [name, procCpuSeconds(federation.processes[name].child.pid!)]),
    ) as Snapshot['cpu'],
    statements: Object.fromEntries(
      SUBGRAPHS.map((name, i) => [name, sumOf(texts[i]!, 'newsfacts_sql_statements_total')]),
    ) as Snapshot['statements'],
  };
}

export interface SideFigures {
  side: Side;
  setting: string;
  requests: number;
  /** CPU ms per raid query, by process, and their total. */
  cpuMsPerRequest: Record<ProcessName | 'total', number>;
  /** The total of each round, for the spread. */
  totalCpuMsPerRequestByRound: number[];
  sqlStatementsPerRequest: Record<(typeof SUBGRAPHS)[number], number>;
  profiles?: Partial<Record<ProcessName, ProfileSummary>>;
}

function launch(side: Side, options: Pick<LaunchOptions, 'databases' | 'prepare' | 'seed'>) {
  const recent: string[] = [];
  return launchFederation({
    ...options,
    env: {
      ...isolatedEnv(),
      // As deployed: graphql-js, express and Apollo skip their development-time checks.
      NODE_ENV: 'production',
      METRICS_TOKEN,
      ANONYMOUS_ACCESS: 'read',
      ANONYMOUS_OPERATIONS_PER_MINUTE: '100000000',
      ANONYMOUS_COST_PER_MINUTE: '100000000000',
      ...(side === 'before'
        ? { RAW_SQL_READS: 'false', MERGE_SUBGRAPH_FETCHES: 'false', MERGE_FETCHES_ACROSS_REQUESTS: 'false' }
        : {}),
    },
    nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}/${side}`] : [],
    ports: 'free',
    onLine: (name, line) => {
      // The last lines only, for a failure's message: every request logs one.
      recent.push(`[${side} ${name}] ${line}`);
      if (recent.length > 50) recent.shift();
    },
  }).catch((error: Error) => {
    throw new Error(`${error.message}\n${recent.join('\n')}`, { cause: error });
  });
}

function profilesOf(side: Side, federation: RunningFederation, windows: Window[]) {
  const dir = `${PROFILE_DIR}/${side}`;
  const files = readdirSync(dir);
  const profiles: Partial<Record<ProcessName, ProfileSummary>> = {};
  // For a closer look at the profiles: which of their samples fall in the measured rounds.
  writeFileSync(`${dir}/windows.json`, JSON.stringify(windows));
  for (const name of PROCESSES) {
    // The main thread's (thread 0); tsx's loader thread writes one of its own.
    const file = files.find((candidate) => candidate.includes(`.${federation.processes[name].child.pid}.0.`));
    if (file) profiles[name] = summarizeProfile(path.join(dir, file), windows);
  }
  return profiles;
}

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

function report(figures: ProfileFigures): string {
  const [before, after] = [figures.sides.before, figures.sides.after];
  const ratio = (name: ProcessName | 'total') => after.cpuMsPerRequest[name] / before.cpuMsPerRequest[name];
  const rows = [...PROCESSES, 'total' as const].map(
    (name) =>
      `| ${name} | ${ms(before.cpuMsPerRequest[name])} | ${ms(after.cpuMsPerRequest[name])} | ${ratio(name).toFixed(2)} |`,
  );
  const statements = SUBGRAPHS.map(
    (name) =>
      `| ${name} | ${before.sqlStatementsPerRequest[name].toFixed(2)} | ${after.sqlStatementsPerRequest[name].toFixed(2)} |`,
  );
  const profileSection = (side: SideFigures) =>
    PROCESSES.flatMap((name) => {
      const profile = side.profiles?.[name];
      if (!profile) return [];
      return [
        `#### ${side.side}: ${name} (${ms(profile.busyMs / side.requests)} ms sampled per request${profile.windowed ? '' : ', whole run: no sample fell in a measured round'})`,
        ``,
        `| area | ms | share |`,
        `| --- | ---: | ---: |`,
        ...profile.areas.slice(0, 8).map((a) => `| ${a.name} | ${ms(a.ms)} | ${percent(a.share)} |`),
        ``,
        `| function | self ms | share |`,
        `| --- | ---: | ---: |`,
        ...profile.functions.slice(0, 12).map((f) => `| \`${f.name}\` | ${ms(f.ms)} | ${percent(f.share)} |`),
        ``,
      ];
    });
  const spread = (side: SideFigures) => side.totalCpuMsPerRequestByRound.map(ms).join(' / ');
  const [was, now] = [before.cpuMsPerRequest.total, after.cpuMsPerRequest.total];
  const target = [
    `## Against the target`,
    ``,
    `Total CPU per raid query (gateway and three subgraphs) went from ${ms(was)} ms to ${ms(now)} ms, ${percent(1 - now / was)} less. The target is at most half of before, ${ms(was / 2)} ms: ${now <= was / 2 ? 'met' : `missed by ${ms(now - was / 2)} ms per query`}.`,
    ...(after.profiles
      ? [
          ``,
          `What the fast side still spends its time on, by process: the largest areas in the measured rounds, each with the work Node did for it (its socket writes and reads, streams, timers):`,
          ``,
          ...PROCESSES.flatMap((name) => {
            const profile = after.profiles?.[name];
            return profile
              ? [
                  `- ${name}: ${profile.areas
                    .slice(0, 6)
                    .map((a) => `${a.name} ${percent(a.share)}`)
                    .join(', ')}`,
                ]
              : [];
          }),
        ]
      : []),
    ``,
  ];
  return [
    `# CPU per raid query`,
    ``,
    `Measured ${figures.measuredAt.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:profile${figures.command}\`: ${figures.rounds} rounds of ${figures.requestsPerRound} raid queries per side, ${figures.concurrency} at a time, the sides taking turns (and swapping who goes first) after ${figures.warmupRequests} warm-up queries each.`,
    ``,
    ...machine(figures.concurrency).map((line) =>
      line.replace(/autocannon in the same machine, \d+ connections/, `the load generator in the same machine`),
    ),
    `- Load average (1 min) at the start and at the end: ${figures.loadAverage.start.toFixed(1)} and ${figures.loadAverage.end.toFixed(1)}`,
    `- Graph: the seed plus ${SIZES.events.toLocaleString('en')} generated events, ${SIZES.actors.toLocaleString('en')} actors, ${SIZES.claims.toLocaleString('en')} claims and ${SIZES.statements.toLocaleString('en')} statements; each query asks about a random generated event (\`syntheticSlug.event(i)\`), so neither a cache nor in-flight sharing helps`,
    `- Both federations run at their defaults in production mode (\`NODE_ENV=production\`; response cache off, every protection on: signatures, quotas, cost and depth limits, per-request logs and metrics), anonymous reads allowed; they differ only in the three settings below${figures.cpuProfiled ? '. **Every process ran under `--cpu-prof`**, whose sampling adds to the CPU figures' : ''}`,
    ``,
    `| process | before: CPU ms / query | after: CPU ms / query | after ÷ before |`,
    `| --- | ---: | ---: | ---: |`,
    ...rows,
    ``,
    `Before: ${SIDE_SETTING.before}. After: ${SIDE_SETTING.after}. CPU is user + system time from /proc/<pid>/stat over the measured rounds (10 ms ticks), divided by the queries sent; PostgreSQL's own CPU is not in it. Total per round, before: ${spread(before)}; after: ${spread(after)}.`,
    ``,
    `| subgraph | before: SQL statements / query | after |`,
    `| --- | ---: | ---: |`,
    ...statements,
    ``,
    ...target,
    ...(figures.cpuProfiled
      ? [
          `## Where the time goes`,
          ``,
          `From the V8 profiles, counting only samples taken during the measured rounds. An area is a package under node_modules or a folder of this repository, with the time Node's own code (sockets, streams, timers) spent on its behalf; functions are by self time.`,
          ``,
          ...profileSection(after),
          ...profileSection(before),
        ]
      : []),
  ].join('\n');
}

export interface ProfileFigures {
  measuredAt: string;
  command: string;
  rounds: number;
  requestsPerRound: number;
  concurrency: number;
  warmupRequests: number;
  cpuProfiled: boolean;
  graph: GraphSizes;
  machine: MachineFigures;
  loadAverage: { start: number; end: number };
  identicalAnswers: number;
  sides: Record<Side, SideFigures>;
}

async function main() {
  const loadAtStart = os.loadavg()[0]!;
  if (PROFILE_DIR) for (const side of SIDES) rmSync(`${PROFILE_DIR}/${side}`, { recursive: true, force: true });
  if (PROFILE_DIR) for (const side of SIDES) mkdirSync(`${PROFILE_DIR}/${side}`, { recursive: true });
  log('starting the federation ("after") on scratch PostgreSQL databases');
  const after = await launch('after', { databases: { kind: 'scratch', prefix: 'nf_profile' } });
  let before: RunningFederation | undefined;
  const federations = () => ({ before: before!, after });
  const stopEverything = async () => {
    await before?.stop();
    await after.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stopEverything().finally(() => process.exit(130)));
  const windows: Record<Side, Window[]> = { before: [], after: [] };
  const totals = Object.fromEntries(
    SIDES.map((side) => [
      side,
      {
        requests: 0,
        cpu: {} as Record<string, number>,
        statements: {} as Record<string, number>,
        byRound: [] as number[],
      },
    ]),
  ) as Record<
    Side,
    { requests: number; cpu: Record<string, number>; statements: Record<string, number>; byRound: number[] }
  >;
  let identical = 0;
  try {
    log(`generating ${describeSizes(SIZES)}`);
    await generateGraphInto(after.env, SIZES);
    log('starting the second federation ("before", fast paths off) on the same databases');
    const urls = Object.fromEntries(
      ['events', 'actors', 'statements', 'imports', 'gateway'].map((name) => [
        name,
        after.env[`${name.toUpperCase()}_DATABASE_URL`]!,
      ]),
    ) as Record<'events' | 'actors' | 'statements' | 'imports' | 'gateway', string>;
    before = await launch('before', { databases: { kind: 'postgres', urls }, prepare: false, seed: false });

    const next = random(SIZES.seed);
    const pickBodies = (count: number) =>
      Array.from({ length: count }, () => bodyOf(Math.floor(next() * SIZES.events)));
    const samples = [bodyOf(0), bodyOf(1), ...pickBodies(30)];
    log(`checking that both answer ${samples.length} raid queries alike`);
    for (const body of samples) {
      const [a, b] = [await ask(before, body), await ask(after, body)];
      if (a !== b) throw new Error(`the two sides answered differently:\n${a.slice(0, 400)}\n${b.slice(0, 400)}`);
      identical++;
    }
    for (const side of SIDES) await send(federations()[side], pickBodies(WARMUP_REQUESTS));
    for (let round = 1; round <= ROUNDS; round++) {
      const bodies = pickBodies(REQUESTS);
      for (const side of round % 2 ? SIDES : [...SIDES].reverse()) {
        const federation = federations()[side];
        const start = await snapshot(federation);
        const window = { start: monotonicMicros(), end: 0 };
        await send(federation, bodies);
        window.end = monotonicMicros();
        windows[side].push(window);
        const end = await snapshot(federation);
        const total = totals[side];
        total.requests += bodies.length;
        let roundCpu = 0;
        for (const name of PROCESSES) {
          const used = end.cpu[name] - start.cpu[name];
          total.cpu[name] = (total.cpu[name] ?? 0) + used;
          roundCpu += used;
        }
        for (const name of SUBGRAPHS)
          total.statements[name] = (total.statements[name] ?? 0) + end.statements[name] - start.statements[name];
        total.byRound.push((roundCpu * 1000) / bodies.length);
        log(`round ${round} of ${ROUNDS}, ${side}: ${ms((roundCpu * 1000) / bodies.length)} CPU ms per query`);
      }
    }
  } finally {
    await stopEverything();
  }
  const sides = Object.fromEntries(
    SIDES.map((side) => {
      const total = totals[side];
      const perRequest = (value: number) => value / total.requests;
      const cpuMs = Object.fromEntries(PROCESSES.map((name) => [name, perRequest(total.cpu[name]! * 1000)]));
      const figures: SideFigures = {
        side,
        setting: SIDE_SETTING[side],
        requests: total.requests,
        cpuMsPerRequest: {
          ...(cpuMs as Record<ProcessName, number>),
          total: PROCESSES.reduce((sum, name) => sum + cpuMs[name]!, 0),
        },
        totalCpuMsPerRequestByRound: total.byRound,
        sqlStatementsPerRequest: Object.fromEntries(
          SUBGRAPHS.map((name) => [name, perRequest(total.statements[name]!)]),
        ) as SideFigures['sqlStatementsPerRequest'],
        profiles: PROFILE_DIR ? profilesOf(side, side === 'before' ? before! : after, windows[side]) : undefined,
      };
      return [side, figures];
    }),
  ) as Record<Side, SideFigures>;
  const figures: ProfileFigures = {
    measuredAt: new Date().toISOString(),
    command: process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : '',
    rounds: ROUNDS,
    requestsPerRound: REQUESTS,
    concurrency: CONCURRENCY,
    warmupRequests: WARMUP_REQUESTS,
    cpuProfiled: Boolean(PROFILE_DIR),
    machine: machineFigures(),
    loadAverage: { start: loadAtStart, end: os.loadavg()[0]! },
    graph: SIZES,
    identicalAnswers: identical,
    sides,
  };
  const out = path.resolve(repoRoot, args.out!);
  const text = report(figures);
  writeFileSync(out, `${text}\n`);
  writeFileSync(out.replace(/\.md$/, '.json'), `${JSON.stringify(figures, null, 2)}\n`);
  process.stdout.write(`${text}\n`);
  log(`wrote ${path.relative(repoRoot, out)} and its JSON`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:profile: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
