import { defineSubgraph } from '@newsfacts/platform/subgraph';
import { createPrismaClient } from './db';
import { eventsExports } from './export';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers/index';

/** The events subgraph: built in-process by tests, run by index.ts. */
export const eventsSubgraph = defineSubgraph({
  name: 'events',
  schema: new URL('../schema.graphql', import.meta.url),
  resolvers,
  createPrisma: createPrismaClient,
  createLoaders,
  exports: eventsExports,
});
