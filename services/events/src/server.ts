import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { createSubgraphServer, type SubgraphDeps, type SubgraphServer } from '@newsfacts/platform/subgraph';
import { createContext, type Context } from './context';
import type { EventsPrisma } from './db';
import { resolvers } from './resolvers/index';

export const typeDefs = parse(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

/** The events subgraph, built but not listening. */
export function createEventsServer(deps: SubgraphDeps<EventsPrisma>): Promise<SubgraphServer> {
  return createSubgraphServer<Context>({
    ...deps,
    name: 'events',
    typeDefs,
    resolvers: resolvers as never,
    context: (identity) => createContext(deps.prisma, identity),
  });
}
