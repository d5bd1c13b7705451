import type { RequestIdentity } from '@newsfacts/platform/subgraph';
import type { ActorsPrisma } from './db';
import { createLoaders, type Loaders } from './loaders';

export interface Context extends RequestIdentity {
  prisma: ActorsPrisma;
  loaders: Loaders;
}

/** A fresh context, and so fresh DataLoader caches, for every request. */
export function createContext(prisma: ActorsPrisma, identity: RequestIdentity): Context {
  return { prisma, loaders: createLoaders(prisma), ...identity };
}
