import path from 'node:path';
import { z } from 'zod';
import { logLevel, optionalUrl, parseConfig, port, repoRoot } from './config';
import type { DatabaseTarget } from './db';

export const SUBGRAPHS = {
  events: { defaultPort: 4001 },
  actors: { defaultPort: 4002 },
  statements: { defaultPort: 4003 },
} as const;
export type SubgraphName = keyof typeof SUBGRAPHS;

export interface SubgraphConfig {
  name: SubgraphName;
  host: string;
  port: number;
  logLevel: z.infer<typeof logLevel>;
  database: DatabaseTarget;
}

const postgresUrl = optionalUrl.refine((url) => url === undefined || /^postgres(ql)?:\/\//.test(url), {
  message: 'must be a postgresql:// URL',
});

/**
 * A subgraph's configuration: `<NAME>_PORT`, `<NAME>_DATABASE_URL`, `HOST`, `LOG_LEVEL`,
 * `DATA_DIR`, `DATABASE_POOL_SIZE`. Without a database URL the embedded default serves, from
 * `<DATA_DIR>/<name>` (DATA_DIR defaults to `.data` in the repository).
 */
export function loadSubgraphConfig(name: SubgraphName, env: NodeJS.ProcessEnv = process.env): SubgraphConfig {
  const prefix = name.toUpperCase();
  const schema = z.object({
    [`${prefix}_PORT`]: port(SUBGRAPHS[name].defaultPort),
    [`${prefix}_DATABASE_URL`]: postgresUrl,
    HOST: z.string().min(1).default('127.0.0.1'),
    LOG_LEVEL: logLevel,
    DATA_DIR: z.string().min(1).optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  });
  const parsed = parseConfig(schema, env) as Record<string, unknown>;
  const url = parsed[`${prefix}_DATABASE_URL`] as string | undefined;
  const dataDir = path.resolve(repoRoot, (parsed.DATA_DIR as string | undefined) ?? '.data', name);
  return {
    name,
    host: parsed.HOST as string,
    port: parsed[`${prefix}_PORT`] as number,
    logLevel: parsed.LOG_LEVEL as SubgraphConfig['logLevel'],
    database: url
      ? { kind: 'postgres', url, poolSize: parsed.DATABASE_POOL_SIZE as number }
      : { kind: 'embedded', dataDir },
  };
}
