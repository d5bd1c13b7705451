import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from './db';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Reads a Prisma Migrate folder: one `<timestamp>_<name>/migration.sql` per migration, in name order. */
export function readMigrations(migrationsDir: string): Migration[] {
  if (!fs.existsSync(migrationsDir)) return [];
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

// The table `prisma migrate deploy` keeps, created the same way so that both tools agree
// on which migrations a database has.
const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

// Prisma Migrate's advisory lock key: this runner and `prisma migrate deploy` exclude each
// other while a migration is being applied.
const ADVISORY_LOCK_KEY = 72707369;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies the migrations a database does not have yet, each in its own transaction, and
 * records them in `_prisma_migrations`. Returns the names it applied.
 */
export async function applyMigrations(db: Database, migrations: Migration[]): Promise<string[]> {
  await db.exec(MIGRATIONS_TABLE);
  const applied = await db.query<AppliedRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  const failed = applied.find((row) => !row.finished_at && !row.rolled_back_at);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier and was not resolved; fix the database and mark it rolled back`,
    );
  }
  const done = new Map(applied.filter((row) => row.finished_at).map((row) => [row.migration_name, row.checksum]));
  const known = new Set(migrations.map((migration) => migration.name));
  const unknown = [...done.keys()].filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new MigrationError(`the database has migrations this code does not know: ${unknown.join(', ')}`);
  }
  const newlyApplied: string[] = [];
  for (const migration of migrations) {
    const checksum = done.get(migration.name);
    if (checksum !== undefined) {
      if (checksum !== migration.checksum) {
        throw new MigrationError(`migration ${migration.name} was edited after it was applied (checksum differs)`);
      }
      continue;
    }
    const id = randomUUID();
    // The migration and its record commit together: a failure leaves neither behind.
    await db
      .execInTransaction(
        `SELECT pg_advisory_xact_lock(${ADVISORY_LOCK_KEY});\n${migration.sql}\n;` +
          'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count) ' +
          `VALUES ('${id}', '${migration.checksum}', '${migration.name.replace(/'/g, "''")}', now(), now(), 1);`,
      )
      .catch((error: unknown) => {
        throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
      });
    newlyApplied.push(migration.name);
  }
  return newlyApplied;
}
