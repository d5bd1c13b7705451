/**
 * The whole federation as separate processes on free ports, for the e2e tests: the subgraphs on
 * fresh, migrated and seeded databases (PostgreSQL, or the embedded PGlite in a fresh folder), and
 * the gateway in front, all over real HTTP.
 * Started by the one launcher (scripts/lib/federation.ts); this adds what tests want on top.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isolatedEnv, launchFederation, type RunningFederation } from '../../scripts/lib/federation';
import { freePort } from '../../scripts/lib/ports';
import { startService, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';

// Tests and helpers that want a free port for a server of their own take it from here too.
export { freePort };

/**
 * What a test reads from an answer. Tests explore answers by path and check them with expect(),
 * where a wrong path fails the test, so an answer's data is untyped unless a test names a type.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyData = Record<string, any>;

export interface GraphQLResponse<Data = AnyData> {
  status: number;
  headers: Headers;
  body: {
    data?: Data | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

export async function postGraphQL<Data = AnyData>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as GraphQLResponse<Data>['body'];
  return { status: response.status, headers: response.headers, body };
}

export interface Federation extends RunningFederation {
  /** Everything the processes printed, for assertions and for debugging a failure. */
  output: string[];
  query<Data = AnyData>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Data>>;
}

export interface FederationOptions {
  env?: NodeJS.ProcessEnv;
  /** `postgres` (the default): scratch databases on TEST_DATABASE_URL's server; `embedded`: PGlite in a fresh folder. */
  database?: 'postgres' | 'embedded';
  /** See LaunchOptions.beforeGateway: where a test makes its API keys, whichever the database. */
  beforeGateway?: (env: NodeJS.ProcessEnv) => Promise<void>;
}

export async function startFederation(options: FederationOptions = {}): Promise<Federation> {
  const output: string[] = [];
  const dataDir =
    options.database === 'embedded' ? fs.mkdtempSync(path.join(os.tmpdir(), 'newsfacts-e2e-')) : undefined;
  const removeDataDir = () => dataDir && fs.rmSync(dataDir, { recursive: true, force: true });
  let federation: RunningFederation;
  try {
    federation = await launchFederation({
      // A test that wants other settings (or the ones isolatedEnv clears) passes them in `options.env`.
      env: { LOG_LEVEL: 'warn', ANONYMOUS_ACCESS: 'read', ...isolatedEnv(), ...options.env },
      ports: 'free',
      databases: dataDir ? { kind: 'embedded', dataDir } : { kind: 'scratch', prefix: 'nf_e2e' },
      beforeGateway: options.beforeGateway,
      output,
    });
  } catch (error) {
    removeDataDir();
    throw error;
  }
  return {
    ...federation,
    output,
    query: (query, variables) => postGraphQL(`${federation.gatewayUrl}/graphql`, query, variables),
    stop: async () => {
      await federation.stop();
      removeDataDir();
    },
  };
}

/**
 * Another gateway process on the federation's subgraphs, with settings of its own, once it is
 * ready; what it prints goes to the federation's output. The caller stops it.
 */
export async function startGatewayProcess(
  federation: Federation,
  name: string,
  env: NodeJS.ProcessEnv,
): Promise<{ gateway: ServiceProcess; url: string }> {
  const port = await freePort();
  const gateway = startService(
    name,
    'gateway/src/index.ts',
    { ...federation.env, GATEWAY_PORT: String(port), ...env },
    (source, line) => federation.output.push(`[${source}] ${line}`),
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${url}/readyz`, gateway);
  } catch (error) {
    gateway.child.kill('SIGKILL');
    throw error;
  }
  return { gateway, url };
}
