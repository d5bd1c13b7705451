/**
 * A PostgreSQL server of a test's own, initdb'd into a temporary folder and listening on a free
 * port, that the test may stop and start at will: the shared server on 5432 is never touched.
 * PostgreSQL refuses to run as root, so under root every command runs as the `postgres` user.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../scripts/lib/ports';

const run = promisify(execFile);
const binDir = process.env.POSTGRES_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL program, as `postgres` when we are root. */
function pgCommand(program: string, args: string[]) {
  const binary = path.join(binDir, program);
  return asRoot ? run('runuser', ['-u', 'postgres', '--', binary, ...args]) : run(binary, args);
}

export interface PrivatePostgres {
  port: number;
  /** A connection URL for `database` on this server. */
  url(database?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast`: disconnects every client and shuts down. */
  stop(): Promise<void>;
  /** `pg_ctl start`, resolving once the server accepts connections. */
  start(): Promise<void>;
  /** Stops the server (if running) and removes its folder. */
  destroy(): Promise<void>;
}

/**
 * A server folder of our own on a free port, filled by `create` (initdb, or a base backup) and
 * then started; pg_ctl starts and stops it, and destroy removes it.
 */
async function serverIn(
  prefix: string,
  create: (dataDir: string) => Promise<unknown>,
): Promise<Omit<PrivatePostgres, 'createDatabase'>> {
  // Created by the user the server runs as, so that initdb may write into it.
  const root = asRoot
    ? (
        await run('runuser', ['-u', 'postgres', '--', 'mktemp', '-d', path.join(os.tmpdir(), `${prefix}-XXXXXX`)])
      ).stdout.trim()
    : fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  const dataDir = path.join(root, 'data');
  const port = await freePort();
  const url = (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`;

  const start = async () => {
    // The socket goes in our folder too, so nothing is shared with a system server.
    const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await pgCommand('pg_ctl', [
      '-D',
      dataDir,
      '-l',
      path.join(root, 'server.log'),
      '-o',
      options,
      '-w',
      '-t',
      '30',
      'start',
    ]);
  };
  const stop = async () => {
    await pgCommand('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '30', 'stop']);
  };

  try {
    await create(dataDir);
    await start();
  } catch (error) {
    fs.rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return {
    port,
    url,
    stop,
    start,
    async destroy() {
      // Always: a start that timed out may still have left a server up.
      await pgCommand('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const server = await serverIn('newsfacts-pg', (dataDir) =>
    pgCommand('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']),
  );
  return {
    ...server,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: server.url(), connectionTimeoutMillis: 5_000 });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return server.url(name);
    },
  };
}

/**
 * A streaming standby of `primary`: pg_basebackup's copy of it (with standby.signal and the
 * connection to follow it), started on a port of its own. Read-only; it replays the primary's
 * writes as they happen.
 */
export async function startStandby(primary: PrivatePostgres): Promise<PrivatePostgres> {
  const server = await serverIn('newsfacts-standby', (dataDir) =>
    pgCommand('pg_basebackup', [
      ...['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir],
      ...['-R', '-X', 'stream', '--no-sync'],
    ]),
  );
  return {
    ...server,
    createDatabase: () => Promise.reject(new Error('a standby is read-only: create databases on its primary')),
  };
}
