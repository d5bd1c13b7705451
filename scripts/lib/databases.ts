import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';
import { openDatabase, type DatabaseTarget } from '@newsfacts/platform/db';
import { applyMigrations, readMigrations } from '@newsfacts/platform/migrate';
import type { Logger } from '@newsfacts/platform/logger';
import type { DatabaseName } from '@newsfacts/platform/service-config';

export const migrationsDir = (name: DatabaseName) => path.join(repoRoot, 'prisma', name, 'migrations');

/** Brings a database up to date with its migrations. Data comes in through imports (scripts/lib/seed.ts). */
export async function prepareDatabase(
  name: DatabaseName,
  target: DatabaseTarget,
  options: { logger?: Logger } = {},
): Promise<{ applied: string[] }> {
  const db = await openDatabase(target, { logger: options.logger });
  try {
    return { applied: await applyMigrations(db, readMigrations(migrationsDir(name))) };
  } finally {
    await db.close();
  }
}
