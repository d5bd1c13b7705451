import { defineSubgraph } from '@newsfacts/platform/subgraph';
import { createPrismaClient } from './db';
import { actorsExports } from './export';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers/index';

/** The actors subgraph: built in-process by tests, run by index.ts. */
export const actorsSubgraph = defineSubgraph({
  name: 'actors',
  schema: new URL('../schema.graphql', import.meta.url),
  resolvers,
  createPrisma: createPrismaClient,
  createLoaders,
  exports: actorsExports,
});
