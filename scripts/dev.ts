// Starts the whole federation (scripts/lib/federation.ts) as the environment configures it:
// prepares each subgraph's database (migrations and seed), starts the three subgraphs, waits
// until each is ready, then starts the gateway. Ctrl-C (SIGINT) or SIGTERM stops every child.
import { ConfigError } from '@newsfacts/platform/config';
import { DatabaseUnavailableError, describeTarget } from '@newsfacts/platform/db';
import { MigrationError } from '@newsfacts/platform/migrate';
import {
  launchFederation,
  SUBGRAPH_NAMES,
  type ChildExitPolicy,
  type PreparedDatabase,
  type RunningFederation,
} from './lib/federation';
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

/**
 * The one place that decides what a child exiting on its own means. For now the whole
 * federation stops with it; a restart policy (with backoff) would replace this.
 */
const stopTheFederationWhenAChildExits: ChildExitPolicy = (service, code) => {
  if (stopping) return;
  console.error(`[${service.name}] exited with code ${code}; stopping the federation`);
  void shutdown(1);
};

async function main() {
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));
  launching = launchFederation({
    onDatabasePrepared: printDatabase,
    onSeeded: printSeed,
    onLine: printLine,
    onChildExit: stopTheFederationWhenAChildExits,
    signal: aborting.signal,
  });
  const { gatewayUrl, subgraphUrls } = await launching;

  console.log(`
The federation is up.
  explorer    ${gatewayUrl}/explorer
  GraphiQL    ${gatewayUrl}/graphiql
  gateway     ${gatewayUrl}/graphql
${SUBGRAPH_NAMES.map((name) => `  ${name.padEnd(11)} ${subgraphUrls[name]}/graphql`).join('\n')}

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
