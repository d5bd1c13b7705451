import type { SubgraphContext } from '@newsfacts/platform/subgraph';
import type { ImportsPrisma } from './db';

/** What the imports resolvers get: who is asking and the database (no loaders: nothing here is read in bulk). */
export type Context = SubgraphContext<ImportsPrisma, Record<string, never>>;
