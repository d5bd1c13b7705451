import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQueryable } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import pg from 'pg';
import type { Logger } from './logger';

/** Where a service keeps its data: a PostgreSQL server, or the embedded default on disk. */
export type DatabaseTarget =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      connectTimeoutMs?: number;
      /** Streaming replicas of `url`, for reads (`<NAME>_DATABASE_REPLICA_URLS`). */
      replicaUrls?: string[];
    }
  | { kind: 'embedded'; dataDir: string };

export type PrismaAdapterFactory = SqlDriverAdapterFactory;

/** Told of every statement sent: how long it took, whether it succeeded, and its text (never its parameters). */
export type StatementObserver = (seconds: number, ok: boolean, sql: string) => void;

export interface OpenOptions {
  logger?: Logger;
  /** Counts and times every statement Prisma and the service send (metrics, per-request counts). */
  observeStatement?: StatementObserver;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface Database {
  readonly target: DatabaseTarget;
  /** Hand this to the service's generated `PrismaClient({ adapter })`. */
  readonly adapter: PrismaAdapterFactory;
  /**
   * With replicas: an adapter whose statements go to them in turn, and to the primary when none
   * can be reached. For reads only; writes and whatever must see them use `adapter`.
   */
  readonly readAdapter?: PrismaAdapterFactory;
  /** A one-line description that names no password, for start-up logs. */
  readonly description: string;
  /** Runs a script of one or more statements (migrations, maintenance). */
  exec(sql: string): Promise<void>;
  /** Runs a script in one transaction on one connection: all of it commits, or none. */
  execInTransaction(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /** Connection-pool occupancy; undefined for the embedded default, which has one connection. */
  poolStats(): PoolStats | undefined;
  /**
   * Hears NOTIFY on `channel` (on the primary) until the returned stop is called. `onState`
   * says whether it is listening now: on PostgreSQL its own connection may drop, and is opened
   * again; notifications sent meanwhile are lost, so a caller must not trust silence then.
   */
  listen(channel: string, onNotify: () => void, onState?: (listening: boolean) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

// Codes and messages of a database that cannot be reached right now (as opposed to a bad query):
// Prisma's P1001/P1017/P2024, PostgreSQL's class 08 and shutdown/startup states, socket errors.
const UNAVAILABLE_CODES = new Set([
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
]);
/** Driver adapters' kinds for the same (a raw read's errors carry them, where Prisma's carry P1001, P1017, P1008). */
const UNAVAILABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
const UNAVAILABLE_MESSAGE =
  /ECONNREFUSED|ECONNRESET|Connection terminated|connection timeout|timeout exceeded when trying to connect|Can't reach database server|database system is (shutting down|starting up|in recovery mode)|terminating connection due to administrator command|Server has closed the connection|Client has encountered a connection error/i;

/** True when an error (or one of its causes) says the database is unreachable, not that a query was wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (
    let current = error, depth = 0;
    current && depth < 6;
    current = (current as { cause?: unknown }).cause, depth++
  ) {
    const { code, message, originalCode, kind } = current as {
      code?: unknown;
      message?: unknown;
      originalCode?: unknown;
      kind?: unknown;
    };
    if (typeof kind === 'string' && UNAVAILABLE_KINDS.has(kind)) return true;
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof originalCode === 'string' && (UNAVAILABLE_CODES.has(originalCode) || originalCode.startsWith('08')))
      return true;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  }
  return false;
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'embedded') return `embedded PGlite at ${target.dataDir}`;
  const url = new URL(target.url);
  const replicas = target.replicaUrls?.length ? `, reads on ${target.replicaUrls.length} replica(s)` : '';
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}${replicas}`;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Database> {
  const database = target.kind === 'postgres' ? await openPostgres(target, options.logger) : await openEmbedded(target);
  return options.observeStatement ? observeStatements(database, options.observeStatement) : database;
}

async function openPostgres(target: Extract<DatabaseTarget, { kind: 'postgres' }>, logger?: Logger): Promise<Database> {
  const description = describeTarget(target);
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    connectionTimeoutMillis: target.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server went away emits here; without a listener the process dies.
  pool.on('error', (error: Error & { code?: string }) =>
    logger?.warn({ error: error.message, code: error.code }, 'idle PostgreSQL client failed; it will be replaced'),
  );
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(`cannot reach ${description}: ${(error as Error).message || String(error)}`);
  }
  const replicas = (target.replicaUrls ?? []).map((url) => {
    const replica = new pg.Pool({
      connectionString: url,
      max: target.poolSize ?? 10,
      connectionTimeoutMillis: target.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
    });
    replica.on('error', (error: Error) =>
      logger?.warn({ error: error.message }, 'idle replica client failed; it will be replaced'),
    );
    return replica;
  });
  return {
    target,
    adapter: new PrismaPg(pool),
    readAdapter: replicas.length ? new PrismaPg(readRouting(replicas, pool, logger)) : undefined,
    description,
    exec: async (sql) => {
      await pool.query(sql);
    },
    execInTransaction: async (sql) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(sql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.release();
      }
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await pool.query(sql, params)).rows as Row[],
    ping: async () => {
      await pool.query('SELECT 1');
    },
    listen: (channel, onNotify, onState) => listenOnPostgres(target, channel, onNotify, onState, logger),
    poolStats: () => ({
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: pool.options.max ?? 10,
    }),
    close: async () => {
      await Promise.all([pool.end(), ...replicas.map((replica) => replica.end())]);
    },
  };
}

/** How long a dropped LISTEN connection waits before it connects again. */
const LISTEN_RETRY_MS = 1_000;

/** LISTEN on a connection of its own (a pooled one would be handed to other queries), reconnecting when it drops. */
async function listenOnPostgres(
  target: Extract<DatabaseTarget, { kind: 'postgres' }>,
  channel: string,
  onNotify: () => void,
  onState: ((listening: boolean) => void) | undefined,
  logger: Logger | undefined,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    if (stopped) return;
    const next = new pg.Client({
      connectionString: target.url,
      connectionTimeoutMillis: target.connectTimeoutMs ?? 5_000,
    });
    const dropped = (error?: Error) => {
      if (client !== next) return;
      client = undefined;
      onState?.(false);
      next.end().catch(() => {});
      if (stopped) return;
      logger?.warn({ error: error?.message, channel }, 'LISTEN connection lost; connecting again');
      retry = setTimeout(() => void connect(), LISTEN_RETRY_MS);
      retry.unref();
    };
    next.on('notification', (message) => {
      if (message.channel === channel) onNotify();
    });
    next.on('error', dropped);
    next.on('end', () => dropped());
    client = next;
    try {
      await next.connect();
      await next.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
      if (client === next) onState?.(true);
    } catch (error) {
      dropped(error as Error);
    }
  };
  await connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const current = client;
    client = undefined;
    onState?.(false);
    await current?.end().catch(() => {});
  };
}

/** How long a replica that could not be reached is left alone before it is tried again. */
const REPLICA_RETRY_MS = 5_000;

/**
 * A pool for Prisma's pg adapter (which takes only a pg.Pool) that sends each statement to the
 * replicas in turn, and to the primary when no replica can be reached, so that a standby going
 * away costs reads nothing but its share of load. The object is a pg.Pool that never connects
 * itself: its query and connect are the routing ones.
 */
function readRouting(replicas: pg.Pool[], primary: pg.Pool, logger?: Logger): pg.Pool {
  const router = new pg.Pool({ max: 1 });
  const downUntil = replicas.map(() => 0);
  let next = 0;
  const attempt = async <T>(use: (pool: pg.Pool) => Promise<T>): Promise<T> => {
    for (let tried = 0; tried < replicas.length; tried++) {
      const index = next++ % replicas.length;
      if (downUntil[index]! > Date.now()) continue;
      try {
        return await use(replicas[index]!);
      } catch (error) {
        if (!isDatabaseUnavailable(error)) throw error;
        downUntil[index] = Date.now() + REPLICA_RETRY_MS;
        logger?.warn(
          { error: (error as Error).message, replica: index },
          'replica unreachable; reading from the primary',
        );
      }
    }
    return use(primary);
  };
  type Query = (...args: unknown[]) => Promise<unknown>;
  Object.assign(router, {
    query: (...args: unknown[]) => attempt((pool) => (pool.query as unknown as Query)(...args)),
    connect: () => attempt((pool) => pool.connect()),
  });
  return router;
}

async function openEmbedded(target: Extract<DatabaseTarget, { kind: 'embedded' }>): Promise<Database> {
  const description = describeTarget(target);
  fs.mkdirSync(target.dataDir, { recursive: true });
  const releaseLock = lockDataDir(target.dataDir);
  let pglite: PGlite;
  try {
    // pg_trgm backs the name and title searches' indexes, as on PostgreSQL.
    pglite = await PGlite.create(target.dataDir, { extensions: { pg_trgm } });
  } catch (error) {
    releaseLock();
    throw new DatabaseUnavailableError(`cannot open ${description}: ${(error as Error).message}`);
  }
  return {
    target,
    adapter: new PrismaPGlite(pglite),
    description,
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    execInTransaction: async (sql) => {
      await pglite.transaction(async (transaction) => {
        await transaction.exec(sql);
      });
    },
    query: async <Row>(sql: string, params: unknown[] = []) => (await pglite.query<Row>(sql, params)).rows,
    ping: async () => {
      await pglite.query('SELECT 1');
    },
    // One process, one connection: its own NOTIFYs come back to it, and it cannot drop.
    listen: async (channel, onNotify, onState) => {
      const unlisten = await pglite.listen(channel, onNotify);
      onState?.(true);
      return async () => {
        onState?.(false);
        await unlisten();
      };
    },
    poolStats: () => undefined,
    close: async () => {
      try {
        await pglite.close();
      } finally {
        releaseLock();
      }
    },
  };
}

/**
 * The same database with every statement reported to `observe`: those Prisma sends (through a
 * wrapped driver adapter, so inside transactions too) and those the service sends itself.
 */
function observeStatements(database: Database, observe: StatementObserver): Database {
  const timed = async <T>(sql: string, send: () => Promise<T>): Promise<T> => {
    const started = process.hrtime.bigint();
    let ok = false;
    try {
      const result = await send();
      ok = true;
      return result;
    } finally {
      observe(Number(process.hrtime.bigint() - started) / 1e9, ok, sql);
    }
  };
  // Object.create keeps the adapter's own methods and fields; only the statement paths change.
  const observeQueryable = <Q extends SqlQueryable>(queryable: Q): Q => {
    const observed = Object.create(queryable) as Q;
    observed.queryRaw = (query) => timed(query.sql, () => queryable.queryRaw(query));
    observed.executeRaw = (query) => timed(query.sql, () => queryable.executeRaw(query));
    return observed;
  };
  const observeAdapter = (factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory => ({
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const connection = await factory.connect();
      const observed = observeQueryable<SqlDriverAdapter>(connection);
      // BEGIN is sent inside startTransaction; COMMIT and ROLLBACK come back through executeRaw.
      observed.startTransaction = async (isolationLevel) =>
        observeQueryable(await timed('BEGIN', () => connection.startTransaction(isolationLevel)));
      return observed;
    },
  });
  return {
    ...database,
    adapter: observeAdapter(database.adapter),
    readAdapter: database.readAdapter && observeAdapter(database.readAdapter),
    exec: (sql) => timed(sql, () => database.exec(sql)),
    execInTransaction: (sql) => timed(sql, () => database.execInTransaction(sql)),
    query: (sql, params) => timed(sql, () => database.query(sql, params)),
  };
}

/**
 * PGlite is single-process: two processes on one data directory corrupt it. A lock file
 * holding the owner's pid refuses a second opener and is taken over when its owner is dead.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, '.newsfacts.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(lockPath, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new DatabaseUnavailableError(
          `the embedded database at ${dataDir} is in use by process ${owner}; stop it first (PGlite allows one process)`,
        );
      }
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new DatabaseUnavailableError(`could not lock the embedded database at ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
