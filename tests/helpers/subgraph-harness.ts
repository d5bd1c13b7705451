/**
 * One subgraph built in-process on a fresh, migrated and seeded PostgreSQL database, driven
 * through Apollo's executeOperation: the real schema, resolvers, loaders and SQL, no HTTP.
 */
import { randomBytes } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { openDatabase, type Database } from '@newsfacts/platform/db';
import { createLogger } from '@newsfacts/platform/logger';
import type { SubgraphName } from '@newsfacts/platform/service-config';
import type { SubgraphServer } from '@newsfacts/platform/subgraph';
import { createContext as createActorsContext } from '@newsfacts/actors/context';
import { createPrismaClient as createActorsPrisma } from '@newsfacts/actors/db';
import { createActorsServer } from '@newsfacts/actors/server';
import { createContext as createEventsContext } from '@newsfacts/events/context';
import { createPrismaClient as createEventsPrisma } from '@newsfacts/events/db';
import { createEventsServer } from '@newsfacts/events/server';
import { createContext as createStatementsContext } from '@newsfacts/statements/context';
import { createPrismaClient as createStatementsPrisma } from '@newsfacts/statements/db';
import { createStatementsServer } from '@newsfacts/statements/server';
import { prepareDatabase } from '../../scripts/lib/databases';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';

export interface ExecutionResult<Data = Record<string, any>> {
  data?: Data | null;
  errors?: readonly GraphQLFormattedError[];
}

export interface SubgraphHarness {
  name: SubgraphName;
  database: ScratchDatabase;
  /** Runs an operation as `principal` (by default a read-only key), as if the gateway had vouched for it. */
  execute<Data = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    principal?: ForwardedPrincipal | null,
  ): Promise<ExecutionResult<Data>>;
  /** The built server, for tests of its HTTP side. */
  server: SubgraphServer;
  signingSecret: string;
  close(): Promise<void>;
}

const programs = {
  events: { createPrisma: createEventsPrisma, createServer: createEventsServer, createContext: createEventsContext },
  actors: { createPrisma: createActorsPrisma, createServer: createActorsServer, createContext: createActorsContext },
  statements: { createPrisma: createStatementsPrisma, createServer: createStatementsServer, createContext: createStatementsContext },
} as const;

export async function startSubgraphHarness(name: SubgraphName, options: { seed?: boolean } = {}): Promise<SubgraphHarness> {
  const database = await createScratchDatabase(`nf_test_${name}`);
  let db: Database | undefined;
  let server: SubgraphServer | undefined;
  try {
    const target = { kind: 'postgres' as const, url: database.url };
    await prepareDatabase(name, target, { seed: options.seed ?? true });
    db = await openDatabase(target);
    const program = programs[name];
    const prisma = program.createPrisma(db) as never;
    const logger = createLogger(`${name}-test`, 'silent');
    const signingSecret = randomBytes(32).toString('hex');
    server = await program.createServer({ prisma, logger, readiness: () => db!.ping(), signingSecret });
    const ready = server;
    return {
      name,
      database,
      server: ready,
      signingSecret,
      async execute(query, variables, principal = { kind: 'key', keyId: 'key_test', scopes: ['READ'] }) {
        const response = await ready.apollo.executeOperation(
          { query, variables },
          { contextValue: program.createContext(prisma, { requestId: 'test', principal }) as never },
        );
        if (response.body.kind !== 'single') throw new Error('expected a single result');
        return response.body.singleResult as never;
      },
      async close() {
        await ready.stop();
        await (prisma as { $disconnect(): Promise<void> }).$disconnect();
        await db!.close();
        await database.drop();
      },
    };
  } catch (error) {
    await server?.stop().catch(() => {});
    await db?.close().catch(() => {});
    await database.drop().catch(() => {});
    throw error;
  }
}
