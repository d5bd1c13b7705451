/**
 * The one way to start the whole federation, for `npm start`, the benchmarks and the e2e tests:
 * prepares each database (migrations), starts the four subgraphs as processes, waits until each
 * is ready, imports the seed packages through the imports service, then starts the gateway and
 * waits for it too.
 *
 * Everything a child needs travels in its environment (ports, database URLs, the signing secret),
 * and the launcher reads its own view of it back through the services' config loaders, so the two
 * cannot disagree, and a bad setting fails here, before anything has started.
 */
import { randomBytes } from 'node:crypto';
import type { DatabaseTarget } from '@newsfacts/platform/db';
import {
  DATABASES,
  loadSubgraphConfig,
  SUBGRAPHS,
  type DatabaseName,
  type SubgraphName,
} from '@newsfacts/platform/service-config';
import { loadGatewayConfig } from '../../gateway/src/config';
import { prepareDatabase } from './databases';
import { CrashHistory, type RestartPolicy } from './restarts';
import { importSeed, type ImportCounts } from './seed';
import { freePort } from './ports';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from './processes';
import { createScratchDatabases, type ScratchDatabases } from './scratch-database';

export const SUBGRAPH_NAMES = Object.keys(SUBGRAPHS) as SubgraphName[];
export type ServiceName = SubgraphName | 'gateway';

/** Where the four databases (three subgraphs' and the gateway's) live. */
export type DatabaseChoice =
  /** As the environment says: `<NAME>_DATABASE_URL` where set, otherwise embedded PGlite under DATA_DIR. */
  | { kind: 'environment' }
  /** Embedded PGlite in `<dataDir>/<name>`, whatever database URLs the environment holds. */
  | { kind: 'embedded'; dataDir: string }
  /** Given PostgreSQL databases, left in place by stop() (for a caller that launches twice on them). */
  | { kind: 'postgres'; urls: Record<DatabaseName, string> }
  /** Fresh databases `<prefix>_<name>_…` on TEST_DATABASE_URL's server, dropped by stop(). */
  | { kind: 'scratch'; prefix: string };

export interface PreparedDatabase {
  name: DatabaseName;
  target: DatabaseTarget;
  /** The migrations applied just now. */
  applied: string[];
}

/**
 * What to do when a child exits while nobody is stopping the federation: during start-up always,
 * and afterwards unless `restart` is given. The caller decides (`npm start` stops everything).
 */
export type ChildExitPolicy = (service: ServiceProcess, code: number | null) => void;

/** Restarting the children that crash once the federation is up, and hearing about it. */
export interface RestartOptions {
  policy?: RestartPolicy;
  /** A child exited on its own and will be started again after `delayMs`. */
  onRestarting?(service: ServiceProcess, exit: string, delayMs: number, crashesInWindow: number): void;
  /** The new process answers on /readyz. */
  onRestarted?(service: ServiceProcess): void;
  /** The new process failed to become ready; it is handled as another crash. */
  onRestartFailed?(service: ServiceProcess, error: Error): void;
  /** It crashed too often: it stays stopped, the rest keep running. */
  onGaveUp?(service: ServiceProcess, exit: string, crashesInWindow: number): void;
}

export interface LaunchOptions {
  /** Settings over process.env for every child (log level, quotas, …). */
  env?: NodeJS.ProcessEnv;
  /** Flags for node in every child, such as `--cpu-prof`. */
  nodeArgs?: string[];
  /** `environment` (the default): `<NAME>_PORT` or each service's default port; `free`: ports the OS picks. */
  ports?: 'environment' | 'free';
  /** Default: `{ kind: 'environment' }`, as `npm start` runs. */
  databases?: DatabaseChoice;
  /** Migrate every database before starting (default true). */
  prepare?: boolean;
  /** Import the seed packages once the subgraphs are up (default: as `prepare`). */
  seed?: boolean;
  onDatabasePrepared?: (database: PreparedDatabase) => void;
  /**
   * Runs once the subgraphs are up and seeded, before the gateway starts: the moment to work on
   * the gateway's database (API keys), which an embedded one allows in one process at a time.
   */
  beforeGateway?: (env: NodeJS.ProcessEnv) => Promise<void>;
  /** What importing the seed did: all UNCHANGED on a database seeded before. */
  onSeeded?: (counts: ImportCounts) => void;
  /** Each line a child prints (they log JSON lines). */
  onLine?: (name: string, line: string) => void;
  /** Collects each line a child prints as `[name] line`; a failed start then throws with them appended. */
  output?: string[];
  onChildExit?: ChildExitPolicy;
  /** Once the federation is up, a child that exits on its own is started again, with backoff. */
  restart?: RestartOptions;
  /** Aborting while the launch is under way stops what it has started and drops scratch databases; it then rejects. */
  signal?: AbortSignal;
}

export interface RunningFederation {
  /** `http://host:port` of the gateway; /graphql, /readyz and /metrics are under it. */
  gatewayUrl: string;
  /** `http://host:port` of each subgraph. */
  subgraphUrls: Record<SubgraphName, string>;
  /** The environment the children run with (ports, database URLs, the signing secret). */
  env: NodeJS.ProcessEnv;
  /** The current process of each service (a restarted one replaces its predecessor here). */
  processes: Record<ServiceName, ServiceProcess>;
  /** Stops every child (SIGTERM, then SIGKILL after a grace) and drops scratch databases. Safe to call twice. */
  stop(): Promise<void>;
}

/** A secret for the gateway to sign its subgraph requests with, good for one local run. */
export function newSigningSecret(): string {
  return randomBytes(32).toString('hex');
}

/**
 * For a throw-away federation (tests, the benchmark): settings a developer's shell may carry that
 * would change what it does — its signing secret, a shared Redis for the counters, a /metrics token.
 */
export function isolatedEnv(): NodeJS.ProcessEnv {
  return { SUBGRAPH_SIGNING_SECRET: newSigningSecret(), METRICS_TOKEN: '', REDIS_URL: '' };
}

const entryOf = (name: ServiceName) => (name === 'gateway' ? 'gateway/src/index.ts' : `services/${name}/src/index.ts`);
const envKey = (name: ServiceName, setting: 'PORT' | 'DATABASE_URL') => `${name.toUpperCase()}_${setting}`;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function launchFederation(options: LaunchOptions = {}): Promise<RunningFederation> {
  const { signal, output } = options;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  const started: ServiceProcess[] = [];
  let scratch: ScratchDatabases<DatabaseName> | undefined;
  // True once the launcher stops its children itself: onChildExit hears only of exits nobody asked for.
  let stopping = false;
  const stopChildren = () => {
    stopping = true;
    for (const timer of pendingRestarts) clearTimeout(timer);
    return stopAll(started);
  };
  const pendingRestarts = new Set<NodeJS.Timeout>();
  const onAbort = () => void stopChildren();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    signal?.throwIfAborted();
    if (options.ports === 'free') {
      for (const name of [...SUBGRAPH_NAMES, 'gateway'] as const) env[envKey(name, 'PORT')] = String(await freePort());
    }
    const databases = options.databases ?? { kind: 'environment' };
    if (databases.kind === 'embedded') {
      env.DATA_DIR = databases.dataDir;
      for (const name of DATABASES) delete env[envKey(name, 'DATABASE_URL')];
    }
    if (databases.kind === 'scratch') scratch = await createScratchDatabases(databases.prefix, DATABASES);
    const urls = databases.kind === 'postgres' ? databases.urls : scratch?.urls;
    if (urls) for (const name of DATABASES) env[envKey(name, 'DATABASE_URL')] = urls[name];
    env.SUBGRAPH_SIGNING_SECRET ??= newSigningSecret();
    signal?.throwIfAborted();

    const subgraphs = SUBGRAPH_NAMES.map((name) => loadSubgraphConfig(name, env));
    const gateway = loadGatewayConfig(env);

    if (options.prepare ?? true) {
      const targets: Array<[DatabaseName, DatabaseTarget]> = [
        ...subgraphs.map((config): [DatabaseName, DatabaseTarget] => [config.name, config.database]),
        ['gateway', gateway.database],
      ];
      // Embedded databases open in one process at a time: each is prepared and closed here,
      // before the subgraph that owns it starts.
      await Promise.all(
        targets.map(async ([name, target]) => {
          const { applied } = await prepareDatabase(name, target);
          options.onDatabasePrepared?.({ name, target, applied });
        }),
      );
      signal?.throwIfAborted();
    }

    const onLine = (name: string, line: string) => {
      output?.push(`[${name}] ${line}`);
      options.onLine?.(name, line);
    };
    const subgraphUrls = Object.fromEntries(
      subgraphs.map((config) => [config.name, `http://${config.host}:${config.port}`]),
    ) as Record<SubgraphName, string>;
    const gatewayUrl = `http://${gateway.host}:${gateway.port}`;
    const readyUrl = (name: ServiceName) => `${name === 'gateway' ? gatewayUrl : subgraphUrls[name]}/readyz`;
    const processes = {} as Record<ServiceName, ServiceProcess>;
    const crashes = new Map<ServiceName, CrashHistory>();
    // Set once everything is up: from then on a crash is restarted (if asked), not fatal.
    let up = false;
    const start = (name: ServiceName): ServiceProcess => {
      const service = startService(name, entryOf(name), env, onLine, [], options.nodeArgs);
      started.push(service);
      processes[name] = service;
      void service.exited.then((code) => {
        if (stopping) return;
        if (up && options.restart) restartLater(name, service, code);
        else options.onChildExit?.(service, code);
      });
      return service;
    };
    const restartLater = (name: ServiceName, service: ServiceProcess, code: number | null) => {
      const restart = options.restart!;
      let history = crashes.get(name);
      if (!history) crashes.set(name, (history = new CrashHistory(restart.policy)));
      const decision = history.crashed();
      const exit = service.child.signalCode ? `was killed by ${service.child.signalCode}` : `exited with code ${code}`;
      if (!decision.restart) {
        restart.onGaveUp?.(service, exit, decision.crashesInWindow);
        return;
      }
      restart.onRestarting?.(service, exit, decision.delayMs, decision.crashesInWindow);
      const timer = setTimeout(() => {
        pendingRestarts.delete(timer);
        if (stopping) return;
        const next = start(name);
        waitUntilReady(readyUrl(name), next).then(
          () => restart.onRestarted?.(next),
          (error: Error) => {
            // One that exited before it was ready is counted by its own exit; a hung one is stopped, and so counted.
            if (next.child.exitCode === null && next.child.signalCode === null) next.child.kill('SIGKILL');
            restart.onRestartFailed?.(next, error);
          },
        );
      }, decision.delayMs);
      pendingRestarts.add(timer);
    };
    for (const name of SUBGRAPH_NAMES) start(name);
    await Promise.all(SUBGRAPH_NAMES.map((name) => waitUntilReady(readyUrl(name), processes[name])));
    signal?.throwIfAborted();
    if (options.seed ?? options.prepare ?? true) {
      const counts = await importSeed(`${subgraphUrls.imports}/graphql`, env.SUBGRAPH_SIGNING_SECRET);
      options.onSeeded?.(counts);
      signal?.throwIfAborted();
    }

    await options.beforeGateway?.(env);
    signal?.throwIfAborted();
    // The gateway last: once it says it is ready, every subgraph behind it already is.
    start('gateway');
    await waitUntilReady(readyUrl('gateway'), processes.gateway);
    signal?.throwIfAborted();
    up = true;

    let stopped: Promise<void> | undefined;
    const stop = () =>
      (stopped ??= (async () => {
        await stopChildren();
        await scratch?.drop();
      })());
    return { gatewayUrl, subgraphUrls, env, processes, stop };
  } catch (error) {
    await stopChildren();
    await scratch?.drop().catch(() => {});
    if (signal?.aborted) throw signal.reason;
    throw output ? new Error(`${messageOf(error)}\n${output.join('\n')}`, { cause: error }) : error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
