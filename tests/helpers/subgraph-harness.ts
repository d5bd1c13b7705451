/**
 * One subgraph built in-process on a fresh, migrated and seeded PostgreSQL database, driven
 * through Apollo's executeOperation: the real schema, resolvers, loaders and SQL, no HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { openDatabase, type Database } from '@newsfacts/platform/db';
import { createLogger } from '@newsfacts/platform/logger';
import { createPeerClient } from '@newsfacts/platform/peers';
import type { FactSubgraphName } from '@newsfacts/platform/service-config';
import type { Subgraph, SubgraphServer } from '@newsfacts/platform/subgraph';
import { actorsSubgraph } from '@newsfacts/actors/server';
import { eventsSubgraph } from '@newsfacts/events/server';
import { statementsSubgraph } from '@newsfacts/statements/server';
import { prepareDatabase } from '../../scripts/lib/databases';
import { seedDirectly } from './seed-fixture';
import type { AnyData } from './federation';
import { createScratchDatabase, type ScratchDatabase } from '../../scripts/lib/scratch-database';

export interface ExecutionResult<Data = AnyData> {
  data?: Data | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface SubgraphHarness {
  name: FactSubgraphName;
  database: ScratchDatabase;
  /** Runs an operation as `principal` (by default a read-only key), as if the gateway had vouched for it. */
  execute<Data = AnyData>(
    query: string,
    variables?: Record<string, unknown>,
    principal?: ForwardedPrincipal | null,
  ): Promise<ExecutionResult<Data>>;
  /** The built server, for tests of its HTTP side. */
  server: SubgraphServer;
  signingSecret: string;
  close(): Promise<void>;
}

/** Each subgraph by name, as a function of the one generic builder so that each keeps its own types. */
const harnesses: Record<FactSubgraphName, (database: ScratchDatabase, db: Database) => Promise<SubgraphHarness>> = {
  events: (database, db) => harnessFor(eventsSubgraph, database, db),
  actors: (database, db) => harnessFor(actorsSubgraph, database, db),
  statements: (database, db) => harnessFor(statementsSubgraph, database, db),
};

export async function startSubgraphHarness(
  name: FactSubgraphName,
  options: { seed?: boolean } = {},
): Promise<SubgraphHarness> {
  const database = await createScratchDatabase(`nf_test_${name}`);
  let db: Database | undefined;
  try {
    const target = { kind: 'postgres' as const, url: database.url };
    await prepareDatabase(name, target);
    if (options.seed ?? true) await seedDirectly(name, target);
    db = await openDatabase(target);
    return await harnesses[name](database, db);
  } catch (error) {
    await db?.close().catch(() => {});
    await database.drop().catch(() => {});
    throw error;
  }
}

async function harnessFor<Prisma extends { $disconnect(): Promise<void> }, Loaders>(
  subgraph: Subgraph<Prisma, Loaders>,
  database: ScratchDatabase,
  db: Database,
): Promise<SubgraphHarness> {
  const prisma = subgraph.createPrisma(db);
  const signingSecret = randomBytes(32).toString('hex');
  const logger = createLogger(`${subgraph.name}-test`, 'silent');
  // No other subgraph runs beside a harness: a write that must ask one is refused as unavailable.
  const nowhere = 'http://127.0.0.1:9/graphql';
  const peers = createPeerClient({
    urls: { events: nowhere, actors: nowhere, statements: nowhere, imports: nowhere },
    signingSecret,
    logger,
    timeoutMs: 1_000,
  });
  const server = await subgraph.createServer({ prisma, peers, logger, readiness: () => db.ping(), signingSecret });
  return {
    name: subgraph.name as FactSubgraphName,
    database,
    server,
    signingSecret,
    async execute<Data>(
      query: string,
      variables?: Record<string, unknown>,
      principal: ForwardedPrincipal | null = { kind: 'key', keyId: 'key_test', scopes: ['READ'] },
    ): Promise<ExecutionResult<Data>> {
      const response = await server.apollo.executeOperation(
        { query, variables },
        { contextValue: subgraph.createContext(prisma, peers, { requestId: 'test', principal }) },
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult as ExecutionResult<Data>;
    },
    async close() {
      await server.stop();
      await prisma.$disconnect();
      await db.close();
      await database.drop();
    },
  };
}
