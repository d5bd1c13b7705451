/**
 * Throw-away PostgreSQL databases for tests and benchmarks, created through an admin connection
 * (TEST_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const adminDatabaseUrl = process.env.TEST_DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database, disconnecting anyone still connected. Safe to call twice. */
  drop(): Promise<void>;
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database named `<prefix>_<random>`; the prefix is lower-cased and made safe. */
export async function createScratchDatabase(prefix = 'scratch'): Promise<ScratchDatabase> {
  const safePrefix = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 40);
  const name = `${safePrefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

export interface ScratchDatabases<Name extends string> {
  readonly urls: Record<Name, string>;
  /** Drops them all. Safe to call twice. */
  drop(): Promise<void>;
}

/** One scratch database per name, `<prefix>_<name>_<random>`; none is left behind if one fails. */
export async function createScratchDatabases<Name extends string>(
  prefix: string,
  names: readonly Name[],
): Promise<ScratchDatabases<Name>> {
  const created: ScratchDatabase[] = [];
  const drop = async () => {
    await Promise.all(created.map((database) => database.drop()));
  };
  try {
    for (const name of names) created.push(await createScratchDatabase(`${prefix}_${name}`));
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  const urls = Object.fromEntries(names.map((name, index) => [name, created[index]!.url])) as Record<Name, string>;
  return { urls, drop };
}
