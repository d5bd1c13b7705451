import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import type { Logger } from '@newsfacts/platform/logger';
import { createSubgraphServer, type SubgraphServer } from '@newsfacts/platform/subgraph';
import { createContext, type Context } from './context';
import type { EventsPrisma } from './db';
import { resolvers } from './resolvers/index';

export const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

export interface EventsServerDeps {
  prisma: EventsPrisma;
  logger: Logger;
  readiness: () => Promise<void>;
}

/** The events subgraph, built but not listening. */
export function createEventsServer(deps: EventsServerDeps): Promise<SubgraphServer> {
  return createSubgraphServer<Context>({
    typeDefs,
    resolvers: resolvers as never,
    logger: deps.logger,
    readiness: deps.readiness,
    context: (requestId) => createContext(deps.prisma, requestId),
  });
}
