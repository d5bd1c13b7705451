import type { SubgraphContext } from '@newsfacts/platform/subgraph';
import type { EventsPrisma } from './db';
import type { Loaders } from './loaders';

/** What the events resolvers get: who is asking, the database, and this request's loaders. */
export type Context = SubgraphContext<EventsPrisma, Loaders>;
