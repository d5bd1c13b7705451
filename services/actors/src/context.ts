import type { SubgraphContext } from '@newsfacts/platform/subgraph';
import type { ActorsPrisma } from './db';
import type { Loaders } from './loaders';

/** What the actors resolvers get: who is asking, the database, and this request's loaders. */
export type Context = SubgraphContext<ActorsPrisma, Loaders>;
