/**
 * The whole federation as separate processes on free ports: three subgraphs on fresh,
 * migrated and seeded PostgreSQL databases, and the gateway in front, all over real HTTP.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { SUBGRAPHS, type SubgraphName } from '@newsfacts/platform/service-config';
import { startService, stopAll, waitUntilReady, type ServiceProcess } from '../../scripts/lib/processes';
import { prepareDatabase } from '../../scripts/lib/databases';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface GraphQLResponse<Data = Record<string, any>> {
  status: number;
  headers: Headers;
  body: { data?: Data | null; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> };
}

export async function postGraphQL<Data = Record<string, any>>(
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
  return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<Data>['body'] };
}

export interface Federation {
  gatewayUrl: string;
  /** The environment the processes run with (database URLs, ports, the signing secret). */
  env: NodeJS.ProcessEnv;
  subgraphUrls: Record<SubgraphName, string>;
  processes: Record<SubgraphName | 'gateway', ServiceProcess>;
  /** Everything the processes printed, for assertions and for debugging a failure. */
  output: string[];
  query<Data = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Data>>;
  stop(): Promise<void>;
}

const names = Object.keys(SUBGRAPHS) as SubgraphName[];

export async function startFederation(options: { env?: NodeJS.ProcessEnv } = {}): Promise<Federation> {
  const databases: ScratchDatabase[] = [];
  const started: ServiceProcess[] = [];
  const output: string[] = [];
  const collect = (name: string, line: string) => output.push(`[${name}] ${line}`);
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'warn',
      SUBGRAPH_SIGNING_SECRET: randomBytes(32).toString('hex'),
      ANONYMOUS_ACCESS: 'read',
      // Settings a developer's shell may carry that would change what the tests see; a test
      // that wants them passes them in `options.env`.
      METRICS_TOKEN: '',
      REDIS_URL: '',
      ...options.env,
    };
    const gatewayDatabase = await createScratchDatabase('nf_e2e_gateway');
    databases.push(gatewayDatabase);
    await prepareDatabase('gateway', { kind: 'postgres', url: gatewayDatabase.url }, { seed: false });
    env.GATEWAY_DATABASE_URL = gatewayDatabase.url;
    for (const name of names) {
      const database = await createScratchDatabase(`nf_e2e_${name}`);
      databases.push(database);
      await prepareDatabase(name, { kind: 'postgres', url: database.url }, { seed: true });
      env[`${name.toUpperCase()}_DATABASE_URL`] = database.url;
      env[`${name.toUpperCase()}_PORT`] = String(await freePort());
    }
    env.GATEWAY_PORT = String(await freePort());
    const subgraphUrls = Object.fromEntries(
      names.map((name) => [name, `http://127.0.0.1:${env[`${name.toUpperCase()}_PORT`]}`]),
    ) as Record<SubgraphName, string>;

    const processes = {} as Federation['processes'];
    for (const name of names) {
      processes[name] = startService(name, `services/${name}/src/index.ts`, env, collect);
      started.push(processes[name]);
    }
    await Promise.all(names.map((name) => waitUntilReady(`${subgraphUrls[name]}/readyz`, processes[name])));
    processes.gateway = startService('gateway', 'gateway/src/index.ts', env, collect);
    started.push(processes.gateway);
    const gatewayUrl = `http://127.0.0.1:${env.GATEWAY_PORT}`;
    await waitUntilReady(`${gatewayUrl}/readyz`, processes.gateway);

    return {
      gatewayUrl,
      env,
      subgraphUrls,
      processes,
      output,
      query: (query, variables) => postGraphQL(`${gatewayUrl}/graphql`, query, variables),
      async stop() {
        await stopAll(started);
        await Promise.all(databases.map((database) => database.drop()));
      },
    };
  } catch (error) {
    await stopAll(started);
    await Promise.all(databases.map((database) => database.drop().catch(() => {})));
    throw new Error(`${(error as Error).message}\n${output.join('\n')}`);
  }
}
