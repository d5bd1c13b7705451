// Starts the whole federation (scripts/lib/federation.ts) as the environment configures it:
// prepares each subgraph's database (migrations and seed), starts the three subgraphs, waits
// until each is ready, then starts the gateway. Once it is up, a service that crashes is started
// again with backoff while the rest keep serving (the gateway answers without it meanwhile), as
// Compose and Kubernetes would; one that keeps crashing is left stopped. Ctrl-C (SIGINT) or
// SIGTERM stops every child.
import { ConfigError } from '@newsfacts/platform/config';
import { DatabaseUnavailableError, describeTarget } from '@newsfacts/platform/db';
import { MigrationError } from '@newsfacts/platform/migrate';
import {
  launchFederation,
  SUBGRAPH_NAMES,
  type ChildExitPolicy,
  type PreparedDatabase,
  type RestartOptions,
  type RunningFederation,
} from './lib/federation';
import { withLocalSigningSecret } from './lib/local-secret';
import { DEFAULT_RESTART_POLICY } from './lib/restarts';
import type { ImportCounts } from './lib/seed';

let stopping = false;
// Aborting a launch still under way makes it stop what it has started.
const aborting = new AbortController();
let launching: Promise<RunningFederation> | undefined;

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
// The banner's example request body (the slug's quotes escaped inside the JSON string).
const EXAMPLE =
  '{"query":"{ event(slug: \\"belgorod-incursion-2023\\") { title contestedClaims { text statements ' +
  '{ stance speaker { name } } } } }"}';

/** Child logs are JSON lines; show them as `[name] level message`. */
function printLine(name: string, line: string) {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    const level = LEVELS[entry.level ?? 30] ?? 'info';
    console.log(`[${name}] ${level} ${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`);
  } catch {
    console.log(`[${name}] ${line}`);
  }
}

function printDatabase({ name, target, applied }: PreparedDatabase) {
  console.log(
    `[${name}] database: ${describeTarget(target)}` +
      (applied.length ? ` (applied ${applied.length} migration(s))` : ''),
  );
}

function printSeed(counts: ImportCounts) {
  const said = Object.entries(counts).filter(([, count]) => count > 0);
  console.log(`[imports] seed package imported: ${said.map(([outcome, count]) => `${count} ${outcome}`).join(', ')}`);
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  aborting.abort();
  const federation = await launching?.catch(() => undefined);
  await federation?.stop();
  process.exit(code);
}

/** A child that exits while the federation is starting: it cannot come up whole, so it stops. */
const stopTheFederationWhenAChildExits: ChildExitPolicy = (service, code) => {
  if (stopping) return;
  console.error(`[${service.name}] exited with code ${code} while starting; stopping the federation`);
  void shutdown(1);
};

/** Once up, crashes are restarted with backoff (scripts/lib/restarts.ts); this says what happens. */
const restartWhatCrashes: RestartOptions = {
  onRestarting(service, exit, delayMs, crashes) {
    console.error(
      `[${service.name}] ${exit}; starting it again in ${delayMs / 1000} s ` +
        `(crash ${crashes} of ${DEFAULT_RESTART_POLICY.maxCrashes} allowed within ${DEFAULT_RESTART_POLICY.windowMs / 1000} s). ` +
        `The rest keep serving${service.name === 'gateway' ? '' : '; the gateway answers without it meanwhile'}.`,
    );
  },
  onRestarted(service) {
    console.log(`[${service.name}] restarted (pid ${service.child.pid}) and ready`);
  },
  onRestartFailed(service, error) {
    console.error(`[${service.name}] did not come back: ${error.message}`);
  },
  onGaveUp(service, exit, crashes) {
    console.error(
      `[${service.name}] ${exit}, its ${crashes}th crash within ${DEFAULT_RESTART_POLICY.windowMs / 1000} s: ` +
        `it is not started again. The rest of the federation keeps serving without it; ` +
        `see its log lines above, then Ctrl-C and start again.`,
    );
  },
};

async function main() {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  launching = launchFederation({
    // Kept in the data folder, for local commands that sign as the gateway (npm run search:rebuild).
    env: withLocalSigningSecret(process.env),
    onDatabasePrepared: printDatabase,
    onSeeded: printSeed,
    onLine: printLine,
    onChildExit: stopTheFederationWhenAChildExits,
    restart: restartWhatCrashes,
    signal: aborting.signal,
  });
  const { gatewayUrl, subgraphUrls, processes } = await launching;

  console.log(`
The federation is up.
  explorer    ${gatewayUrl}/explorer
  GraphiQL    ${gatewayUrl}/graphiql
  gateway     ${gatewayUrl}/graphql (pid ${processes.gateway.child.pid})
${SUBGRAPH_NAMES.map((name) => `  ${name.padEnd(11)} ${subgraphUrls[name]}/graphql (pid ${processes[name].child.pid})`).join('\n')}

Try it:
  curl -s ${gatewayUrl}/graphql -H 'content-type: application/json' \\
    -d '${EXAMPLE}'

Ctrl-C stops everything.`);
}

main().catch(async (error: unknown) => {
  // Already stopping (a signal, or a child that exited during start-up): the cause is printed.
  if (stopping) return;
  const known =
    error instanceof ConfigError || error instanceof DatabaseUnavailableError || error instanceof MigrationError;
  console.error(known ? (error as Error).message : error);
  await shutdown(1);
});
