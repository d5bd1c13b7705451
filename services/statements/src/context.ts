import type { SubgraphContext } from '@newsfacts/platform/subgraph';
import type { StatementsPrisma } from './db';
import type { Loaders } from './loaders';

/** What the statements resolvers get: who is asking, the database, and this request's loaders. */
export type Context = SubgraphContext<StatementsPrisma, Loaders>;
