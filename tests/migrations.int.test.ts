/**
 * The committed migrations of each service build exactly the schema its schema.prisma
 * describes, and the project's runner applies them the way `prisma migrate deploy` would.
 *
 * For each service, one fresh database gets the migrations through the runner and another
 * gets the schema engine's empty → schema.prisma script; their catalogs must match.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Database } from '@newsfacts/platform/db';
import { applyMigrations, MigrationError, readMigrations } from '@newsfacts/platform/migrate';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isEmptyMigration, openSchemaEngine, schemaFile, type SchemaEngine } from '../scripts/lib/schema-engine';
import { readSchemaCatalog } from './helpers/pg-catalog';
import { adminDatabaseUrl, createScratchDatabase, type ScratchDatabase } from '../scripts/lib/scratch-database';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const services = ['events', 'actors', 'statements', 'gateway'] as const;

let engine: SchemaEngine;

beforeAll(async () => {
  // The reference SQL comes from the engine talking to the real server, whereas the
  // committed migrations were generated on PGlite: the two paths check each other.
  engine = await openSchemaEngine({ databaseUrl: adminDatabaseUrl });
}, 60_000);

afterAll(async () => {
  await engine?.close();
});

describe.each(services)('%s migrations', (service) => {
  const migrationsDir = path.join(root, 'prisma', service, 'migrations');
  const scratch: ScratchDatabase[] = [];
  let migrated: Database;
  let reference: Database;
  let appliedFirst: string[];

  beforeAll(async () => {
    const [migratedDb, referenceDb] = await Promise.all([
      createScratchDatabase(`mig_${service}_migrated`),
      createScratchDatabase(`mig_${service}_reference`),
    ]);
    scratch.push(migratedDb, referenceDb);
    migrated = await openDatabase({ kind: 'postgres', url: migratedDb.url, poolSize: 2 });
    reference = await openDatabase({ kind: 'postgres', url: referenceDb.url, poolSize: 2 });

    const schemaSql = await engine.diff(
      { kind: 'empty' },
      schemaFile(path.join(root, 'prisma', service, 'schema.prisma')),
    );
    expect(isEmptyMigration(schemaSql)).toBe(false);
    await reference.exec(schemaSql);

    appliedFirst = await applyMigrations(migrated, readMigrations(migrationsDir));
  }, 60_000);

  afterAll(async () => {
    await migrated?.close();
    await reference?.close();
    await Promise.all(scratch.map((db) => db.drop()));
  });

  test('applies every migration folder, in order', () => {
    const folders = fs
      .readdirSync(migrationsDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    expect(folders.length).toBeGreaterThan(0);
    expect(appliedFirst).toEqual(folders);
  });

  test('builds the schema that schema.prisma describes', async () => {
    const expected = await readSchemaCatalog(reference);
    expect(Object.keys(expected.tables).length).toBeGreaterThan(0);
    expect(await readSchemaCatalog(migrated)).toEqual(expected);
  });

  test('applying the migrations again applies nothing', async () => {
    expect(await applyMigrations(migrated, readMigrations(migrationsDir))).toEqual([]);
  });

  test('records each migration with the sha256 of its file and a finish time', async () => {
    const rows = await migrated.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const files = appliedFirst.map((name) => ({
      migration_name: name,
      checksum: createHash('sha256')
        .update(fs.readFileSync(path.join(migrationsDir, name, 'migration.sql')))
        .digest('hex'),
    }));
    expect(rows.map(({ migration_name, checksum }) => ({ migration_name, checksum }))).toEqual(files);
    for (const row of rows) expect(row.finished_at).toBeInstanceOf(Date);
  });

  test('refuses a migration edited after it was applied', async () => {
    const migrations = readMigrations(migrationsDir);
    const last = migrations.at(-1)!;
    const edited = [
      ...migrations.slice(0, -1),
      {
        ...last,
        sql: `${last.sql}\n-- edited`,
        checksum: createHash('sha256').update(`${last.sql}\n-- edited`).digest('hex'),
      },
    ];
    const attempt = applyMigrations(migrated, edited);
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/checksum/);
  });
});

describe('a migration that fails halfway', () => {
  const broken = {
    name: '20990101000000_broken',
    sql: 'CREATE TABLE "Half" (id int);\nSELECT 1/0;',
    checksum: 'x'.repeat(64),
  };

  async function expectNothingLeft(db: Database) {
    await expect(applyMigrations(db, [broken])).rejects.toThrow(
      /migration 20990101000000_broken failed: division by zero/,
    );
    expect(await db.query(`SELECT to_regclass('"Half"') AS half`)).toEqual([{ half: null }]);
    expect(await db.query('SELECT migration_name FROM "_prisma_migrations"')).toEqual([]);
  }

  test('leaves neither its tables nor a record behind on PostgreSQL', async () => {
    const scratch = await createScratchDatabase('nf_migrate_broken');
    const db = await openDatabase({ kind: 'postgres', url: scratch.url });
    try {
      await expectNothingLeft(db);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });

  test('leaves neither its tables nor a record behind on the embedded default', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsfacts-migrate-'));
    const db = await openDatabase({ kind: 'embedded', dataDir });
    try {
      await expectNothingLeft(db);
    } finally {
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
