// Starts the whole federation: prepares each subgraph's database (migrations and seed),
// starts the three subgraphs, waits until each is ready, then starts the gateway.
// Ctrl-C (SIGINT) or SIGTERM stops every child.
import { ConfigError } from '@newsfacts/platform/config';
import { DatabaseUnavailableError, describeTarget } from '@newsfacts/platform/db';
import { MigrationError } from '@newsfacts/platform/migrate';
import { randomBytes } from 'node:crypto';
import { loadDatabaseTarget, loadSubgraphConfig, SUBGRAPHS, type SubgraphName } from '@newsfacts/platform/service-config';
import { loadGatewayConfig } from '../gateway/src/config';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from './lib/processes';
import { prepareDatabase } from './lib/databases';

const names = Object.keys(SUBGRAPHS) as SubgraphName[];
const running: ServiceProcess[] = [];
let stopping = false;

/** Child logs are JSON lines; show them as `[name] level message`. */
function printLine(name: string, line: string) {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { message?: string } };
    const level = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' }[entry.level ?? 30] ?? 'info';
    console.log(`[${name}] ${level} ${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`);
  } catch {
    console.log(`[${name}] ${line}`);
  }
}

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  await stopAll(running);
  process.exit(code);
}

/** Starts a child; if it dies on its own, the whole federation stops with it. */
function start(name: string, entry: string): ServiceProcess {
  const service = startService(name, entry, process.env, printLine);
  running.push(service);
  void service.exited.then((code) => {
    if (!stopping) {
      console.error(`[${name}] exited with code ${code}; stopping the federation`);
      void shutdown(1);
    }
  });
  return service;
}

async function main() {
  // The gateway signs what it sends the subgraphs; for a local run a fresh secret will do.
  process.env.SUBGRAPH_SIGNING_SECRET ??= randomBytes(32).toString('hex');
  const configs = names.map((name) => loadSubgraphConfig(name));
  const gatewayConfig = loadGatewayConfig();
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  // Embedded databases open one process at a time, so they are prepared here and closed
  // before the subgraph that owns each one starts.
  const databases = [
    ...configs.map((config) => ({ name: config.name, target: config.database, seed: true })),
    { name: 'gateway' as const, target: loadDatabaseTarget('gateway'), seed: false },
  ];
  await Promise.all(
    databases.map(async ({ name, target, seed }) => {
      const { applied } = await prepareDatabase(name, target, { seed });
      console.log(
        `[${name}] database: ${describeTarget(target)}` +
          (applied.length ? ` (applied ${applied.length} migration(s))` : '') + (seed ? ', seeded' : ''),
      );
    }),
  );

  for (const config of configs) start(config.name, `services/${config.name}/src/index.ts`);
  await Promise.all(
    configs.map((config, index) => waitUntilReady(`http://${config.host}:${config.port}/readyz`, running[index]!)),
  );

  const gateway = start('gateway', 'gateway/src/index.ts');
  const gatewayUrl = `http://${gatewayConfig.host}:${gatewayConfig.port}`;
  await waitUntilReady(`${gatewayUrl}/readyz`, gateway);

  console.log(`
The federation is up.
  explorer    ${gatewayUrl}/explorer
  GraphiQL    ${gatewayUrl}/graphiql
  gateway     ${gatewayUrl}/graphql
${configs.map((config) => `  ${config.name.padEnd(11)} http://${config.host}:${config.port}/graphql`).join('\n')}

Try it:
  curl -s ${gatewayUrl}/graphql -H 'content-type: application/json' \\
    -d '{"query":"{ event(slug: \\"belgorod-incursion-2023\\") { title contestedClaims { text statements { stance speaker { name } } } } }"}'

Ctrl-C stops everything.`);
}

main().catch(async (error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DatabaseUnavailableError || error instanceof MigrationError;
  console.error(known ? (error as Error).message : error);
  await shutdown(1);
});
