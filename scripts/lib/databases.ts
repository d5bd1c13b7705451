import path from 'node:path';
import { repoRoot } from '@newsfacts/platform/config';
import { openDatabase, type Database, type DatabaseTarget } from '@newsfacts/platform/db';
import { applyMigrations, readMigrations } from '@newsfacts/platform/migrate';
import type { Logger } from '@newsfacts/platform/logger';
import type { DatabaseName, SubgraphName } from '@newsfacts/platform/service-config';
import { createPrismaClient as createActorsPrisma } from '@newsfacts/actors/db';
import { seedActors } from '@newsfacts/actors/seed';
import { createPrismaClient as createEventsPrisma } from '@newsfacts/events/db';
import { seedEvents } from '@newsfacts/events/seed';
import { createPrismaClient as createStatementsPrisma } from '@newsfacts/statements/db';
import { seedStatements } from '@newsfacts/statements/seed';
import { belgorodIncursion2023 } from '../../prisma/seed/belgorod-incursion-2023';
import type { SeedDataset } from '../../prisma/seed/types';

/** The datasets `db:seed` loads. */
export const seedDatasets: SeedDataset[] = [belgorodIncursion2023];

/** Seeds one subgraph's database with its part of a dataset. */
const seeders: Record<SubgraphName, (db: Database, data: SeedDataset) => Promise<void>> = {
  events: (db, data) => withPrisma(createEventsPrisma(db), (prisma) => seedEvents(prisma, data)),
  actors: (db, data) => withPrisma(createActorsPrisma(db), (prisma) => seedActors(prisma, data)),
  statements: (db, data) => withPrisma(createStatementsPrisma(db), (prisma) => seedStatements(prisma, data)),
};

async function withPrisma<P extends { $disconnect(): Promise<void> }>(prisma: P, work: (prisma: P) => Promise<void>) {
  try {
    await work(prisma);
  } finally {
    await prisma.$disconnect();
  }
}

export const migrationsDir = (name: DatabaseName) => path.join(repoRoot, 'prisma', name, 'migrations');

/** Brings a database up to date and, when asked, loads the seed datasets (subgraphs only: the gateway's holds keys). */
export async function prepareDatabase(
  name: DatabaseName,
  target: DatabaseTarget,
  options: { seed: boolean; logger?: Logger },
): Promise<{ applied: string[] }> {
  const db = await openDatabase(target, { logger: options.logger });
  try {
    const applied = await applyMigrations(db, readMigrations(migrationsDir(name)));
    const seed = name === 'gateway' ? undefined : seeders[name];
    if (options.seed && seed) for (const dataset of seedDatasets) await seed(db, dataset);
    return { applied };
  } finally {
    await db.close();
  }
}
