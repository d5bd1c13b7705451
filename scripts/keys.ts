// API keys for partners, in the gateway's database (GATEWAY_DATABASE_URL, or the embedded
// default in .data/gateway).
//   pnpm keys create --name NAME --scopes read[,write,explore,admin] [--ops-per-minute N] [--cost-per-minute N]
//                    [--origins https://a.example[,https://*.example.org]]   (a browser key: those origins, read only)
//   pnpm keys list
//   pnpm keys revoke KEY_ID
//   pnpm keys rotate KEY_ID [--grace 24h]
// `create` and `rotate` print the new key once, as the last line of their output.
import { parseArgs } from 'node:util';
import { ConfigError } from '@newsfacts/platform/config';
import { DatabaseUnavailableError, openDatabase, type Database } from '@newsfacts/platform/db';
import { applyMigrations, MigrationError, readMigrations } from '@newsfacts/platform/migrate';
import { loadDatabaseTarget } from '@newsfacts/platform/service-config';
import { PrismaClient } from '../gateway/src/generated/prisma/client.ts';
import { KeyNotFoundError, KeyStore, SCOPES, unusableReason, type ApiKey, type Scope } from '../gateway/src/keys/store';
import { formatOriginPattern, OriginPatternError, parseOriginList } from '../gateway/src/security/origins';
import { migrationsDir } from './lib/databases';

class UsageError extends Error {}

const USAGE = `usage:
  pnpm keys create --name NAME --scopes read[,write,explore,admin] [--ops-per-minute N] [--cost-per-minute N]
                   [--origins https://desk.example-news.org[,https://*.example-news.org]]
  pnpm keys list
  pnpm keys revoke KEY_ID
  pnpm keys rotate KEY_ID [--grace 24h]`;

function parseScopes(text: string | undefined): Scope[] {
  const scopes = (text ?? '')
    .split(',')
    .map((scope) => scope.trim().toUpperCase())
    .filter(Boolean);
  const unknown = scopes.filter((scope) => !SCOPES.includes(scope as Scope));
  if (!scopes.length || unknown.length) {
    throw new UsageError(`--scopes takes a comma-separated list of ${SCOPES.map((s) => s.toLowerCase()).join(', ')}`);
  }
  return scopes as Scope[];
}

function parseLimit(name: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive whole number`);
  return value;
}

/**
 * A browser key's origins. Such a key sits in a page, where anyone can read it, so it may only
 * read: asking for more is a mistake worth stopping at, not something to trim silently.
 */
function parseOrigins(text: string | undefined, scopes: Scope[]): string[] {
  if (text === undefined) return [];
  let origins: string[];
  try {
    origins = parseOriginList(text).map(formatOriginPattern);
  } catch (error) {
    if (error instanceof OriginPatternError) throw new UsageError(`--origins: ${error.message}`);
    throw error;
  }
  if (!origins.length)
    throw new UsageError('--origins takes a comma-separated list of origins, e.g. https://a.example');
  if (scopes.some((scope) => scope !== 'READ'))
    throw new UsageError('a browser key (--origins) can only read: use --scopes read');
  return origins;
}

export function parseDuration(text: string): number {
  const match = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!match) throw new UsageError(`--grace takes a duration such as 90s, 30m, 24h or 7d; got ${text}`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 's' | 'm' | 'h' | 'd'];
}

function describe(key: ApiKey, now = new Date()): string {
  const status = unusableReason(key, now)
    ? key.revokedAt
      ? 'revoked'
      : 'expired'
    : key.expiresAt
      ? `valid until ${key.expiresAt.toISOString()}`
      : 'active';
  const limits = [
    key.operationsPerMinute && `${key.operationsPerMinute} ops/min`,
    key.costPerMinute && `${key.costPerMinute} cost/min`,
  ].filter(Boolean);
  return [
    key.keyId,
    JSON.stringify(key.name),
    key.scopes.join(',').toLowerCase(),
    status,
    `…${key.hint}`,
    `created ${key.createdAt.toISOString()}`,
    ...limits,
    ...(key.origins.length ? [`browser key for ${key.origins.join(',')}`] : []),
  ].join('  ');
}

async function run(store: KeyStore, argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      scopes: { type: 'string' },
      grace: { type: 'string', default: '24h' },
      'ops-per-minute': { type: 'string' },
      'cost-per-minute': { type: 'string' },
      origins: { type: 'string' },
    },
  });
  switch (command) {
    case 'create': {
      const name = values.name?.trim();
      if (!name || name.length > 200) throw new UsageError('--name is required (at most 200 characters)');
      const scopes = parseScopes(values.scopes);
      const { record, key } = await store.create({
        name,
        scopes,
        operationsPerMinute: parseLimit('ops-per-minute', values['ops-per-minute']),
        costPerMinute: parseLimit('cost-per-minute', values['cost-per-minute']),
        origins: parseOrigins(values.origins, scopes),
      });
      console.log(`created ${describe(record)}`);
      if (record.origins.length) {
        console.log(
          'Pages on these origins can use it once the gateway allows them too (CORS_ORIGINS); its quota is shared by every visitor.',
        );
      }
      console.log('This is the only time the key is shown; store it now:');
      console.log(key);
      return;
    }
    case 'list': {
      const keys = await store.list();
      if (!keys.length) console.log('no API keys yet: pnpm keys create --name NAME --scopes read');
      for (const key of keys) console.log(describe(key));
      return;
    }
    case 'revoke': {
      const [keyId] = positionals;
      if (!keyId) throw new UsageError('revoke needs a key id (see pnpm keys list)');
      console.log(`revoked ${describe(await store.revoke(keyId))}`);
      return;
    }
    case 'rotate': {
      const [keyId] = positionals;
      if (!keyId) throw new UsageError('rotate needs a key id (see pnpm keys list)');
      const { previous, record, key } = await store.rotate(keyId, parseDuration(values.grace!));
      console.log(`old ${describe(previous)}`);
      console.log(`new ${describe(record)}`);
      console.log('This is the only time the new key is shown; store it now:');
      console.log(key);
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}

async function main() {
  const target = loadDatabaseTarget('gateway');
  let db: Database;
  try {
    db = await openDatabase(target);
  } catch (error) {
    if (
      target.kind === 'embedded' &&
      error instanceof DatabaseUnavailableError &&
      /in use by process/.test(error.message)
    ) {
      // PGlite lets one process open a data folder; the running gateway holds this one.
      throw new DatabaseUnavailableError(
        `${error.message.replace(/; stop it first.*$/, '')}. The embedded key database can be opened by one process at a time: ` +
          'stop the gateway (Ctrl-C in `npm start`), run this again, then start it again; or keep keys in PostgreSQL ' +
          '(GATEWAY_DATABASE_URL), which the gateway and this command can share.',
      );
    }
    throw error;
  }
  const prisma = new PrismaClient({ adapter: db.adapter });
  try {
    await applyMigrations(db, readMigrations(migrationsDir('gateway')));
    await run(new KeyStore(prisma), process.argv.slice(2));
  } finally {
    await prisma.$disconnect();
    await db.close();
  }
}

main().catch((error: unknown) => {
  const known = [UsageError, KeyNotFoundError, ConfigError, DatabaseUnavailableError, MigrationError].some(
    (type) => error instanceof type,
  );
  console.error(known ? `keys: ${(error as Error).message}` : error);
  process.exit(error instanceof UsageError ? 2 : 1);
});
