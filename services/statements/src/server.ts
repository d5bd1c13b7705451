import { defineSubgraph } from '@newsfacts/platform/subgraph';
import { createPrismaClient } from './db';
import { statementsExports } from './export';
import { createLoaders } from './loaders';
import { resolvers } from './resolvers/index';

/** The statements subgraph: built in-process by tests, run by index.ts. */
export const statementsSubgraph = defineSubgraph({
  name: 'statements',
  schema: new URL('../schema.graphql', import.meta.url),
  resolvers,
  createPrisma: createPrismaClient,
  createLoaders,
  exports: statementsExports,
  // A source's text is up to 1,000,000 characters, each up to 6 bytes as escaped JSON.
  bodyLimit: 8 * 1024 * 1024,
});
