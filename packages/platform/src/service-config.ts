import path from 'node:path';
import { z } from 'zod';
import {
  flag,
  loadMetricsAccess,
  logLevel,
  optionalUrl,
  parseConfig,
  port,
  repoRoot,
  shutdownGraceMs,
  type MetricsAccess,
} from './config';
import type { DatabaseTarget } from './db';
import { MIN_SECRET_LENGTH } from './signing';
import { loadTracingConfig, type TracingConfig } from './tracing';

export const SUBGRAPHS = {
  events: { defaultPort: 4001 },
  actors: { defaultPort: 4002 },
  statements: { defaultPort: 4003 },
  imports: { defaultPort: 4004 },
} as const;
export type SubgraphName = keyof typeof SUBGRAPHS;

/** The subgraphs that hold the graph's facts; the imports service only asks them to write. */
export const FACT_SUBGRAPHS = ['events', 'actors', 'statements'] as const;
export type FactSubgraphName = (typeof FACT_SUBGRAPHS)[number];

/** Every database in the system: one per subgraph, and the gateway's own (API keys). */
export const DATABASES = ['events', 'actors', 'statements', 'imports', 'gateway'] as const;
export type DatabaseName = (typeof DATABASES)[number];

export interface SubgraphConfig {
  name: SubgraphName;
  host: string;
  port: number;
  logLevel: z.infer<typeof logLevel>;
  database: DatabaseTarget;
  /** Shared with the gateway, which signs every request it sends (see signing.ts). */
  signingSecret: string;
  metricsAccess: MetricsAccess;
  /** On SIGTERM, how long to serve on with /readyz at 503 before closing the port. */
  shutdownGraceMs: number;
  /** Where the other subgraphs answer, for checks across them (peers.ts). */
  subgraphUrls: Record<SubgraphName, string>;
  /** Where spans go (OTEL_*); tracing is off without an endpoint. */
  tracing: TracingConfig;
  /** The loaders' hot reads as plain SQL on the driver (raw-reads.ts), not through Prisma: `RAW_SQL_READS`, on unless false. */
  rawSqlReads: boolean;
}

export const signingSecret = z
  .string({ message: 'is required: the secret the gateway signs subgraph requests with (npm start makes one up)' })
  .min(MIN_SECRET_LENGTH, { message: `must be at least ${MIN_SECRET_LENGTH} characters` });

export const postgresUrl = optionalUrl.refine((url) => url === undefined || /^postgres(ql)?:\/\//.test(url), {
  message: 'must be a postgresql:// URL',
});

/**
 * Where a database lives: PostgreSQL at `<NAME>_DATABASE_URL` when it is set, otherwise the
 * embedded default in `<DATA_DIR>/<name>` (DATA_DIR defaults to `.data` in the repository).
 */
export function loadDatabaseTarget(name: DatabaseName, env: NodeJS.ProcessEnv = process.env): DatabaseTarget {
  const prefix = name.toUpperCase();
  const replicas = `${prefix}_DATABASE_REPLICA_URLS`;
  const schema = z
    .object({
      [`${prefix}_DATABASE_URL`]: postgresUrl,
      // Comma-separated streaming replicas of the database, for reads.
      [replicas]: z
        .string()
        .optional()
        .transform((value) =>
          (value ?? '')
            .split(',')
            .map((url) => url.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'each must be a postgresql:// URL'))),
      DATA_DIR: z.string().min(1).optional(),
      DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    })
    .refine((values) => !(values[replicas] as string[]).length || values[`${prefix}_DATABASE_URL`], {
      message: `needs ${prefix}_DATABASE_URL: replicas are of a PostgreSQL primary`,
      path: [replicas],
    });
  const parsed = parseConfig(schema, env) as Record<string, unknown>;
  const url = parsed[`${prefix}_DATABASE_URL`] as string | undefined;
  const replicaUrls = parsed[replicas] as string[];
  return url
    ? {
        kind: 'postgres',
        url,
        poolSize: parsed.DATABASE_POOL_SIZE as number,
        ...(replicaUrls.length ? { replicaUrls } : {}),
      }
    : { kind: 'embedded', dataDir: path.resolve(repoRoot, (parsed.DATA_DIR as string | undefined) ?? '.data', name) };
}

/**
 * A subgraph's configuration: `<NAME>_PORT`, `<NAME>_DATABASE_URL`, `HOST`, `LOG_LEVEL`,
 * `DATA_DIR`, `DATABASE_POOL_SIZE`, `SUBGRAPH_SIGNING_SECRET`, `SHUTDOWN_GRACE_MS`, `RAW_SQL_READS`. Without a database URL the embedded default serves, from
 * `<DATA_DIR>/<name>` (DATA_DIR defaults to `.data` in the repository).
 */
export function loadSubgraphConfig(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const prefix = name.toUpperCase();
  const schema = z.object({
    [`${prefix}_PORT`]: port(SUBGRAPHS[name].defaultPort),
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: logLevel,
    SUBGRAPH_SIGNING_SECRET: signingSecret,
    SHUTDOWN_GRACE_MS: shutdownGraceMs,
    RAW_SQL_READS: flag(true),
  });
  const parsed = parseConfig(schema, env) as Record<string, unknown>;
  return {
    name,
    signingSecret: parsed.SUBGRAPH_SIGNING_SECRET as string,
    host: parsed.HOST as string,
    port: parsed[`${prefix}_PORT`] as number,
    logLevel: parsed.LOG_LEVEL as SubgraphConfig['logLevel'],
    database: loadDatabaseTarget(name, env),
    metricsAccess: loadMetricsAccess(env),
    shutdownGraceMs: parsed.SHUTDOWN_GRACE_MS as number,
    subgraphUrls: loadSubgraphUrls(env),
    tracing: loadTracingConfig(name, env),
    rawSqlReads: parsed.RAW_SQL_READS as boolean,
  };
}

const httpUrl = z
  .string()
  .url()
  .refine((url) => /^https?:\/\//.test(url), { message: 'must be an http(s) URL' });

/** Where each subgraph answers: `<NAME>_URL`, or else http://127.0.0.1:<NAME>_PORT/graphql. */
export function loadSubgraphUrls(env: NodeJS.ProcessEnv = process.env): Record<SubgraphName, string> {
  const names = Object.keys(SUBGRAPHS) as SubgraphName[];
  return Object.fromEntries(
    names.map((name) => {
      const prefix = name.toUpperCase();
      const [urlKey, portKey] = [`${prefix}_URL`, `${prefix}_PORT`];
      // Named as in the environment, so that a bad value's message names the variable to fix.
      const parsed = parseConfig(
        z.object({ [urlKey]: httpUrl.optional(), [portKey]: port(SUBGRAPHS[name].defaultPort) }),
        { [urlKey]: env[urlKey] || undefined, [portKey]: env[portKey] },
      ) as Record<string, string | number | undefined>;
      return [name, (parsed[urlKey] as string | undefined) ?? `http://127.0.0.1:${parsed[portKey]}/graphql`];
    }),
  ) as Record<SubgraphName, string>;
}
