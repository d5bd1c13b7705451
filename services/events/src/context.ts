import type { RequestIdentity } from '@newsfacts/platform/subgraph';
import type { EventsPrisma } from './db';
import { createLoaders, type Loaders } from './loaders';

export interface Context extends RequestIdentity {
  prisma: EventsPrisma;
  loaders: Loaders;
}

/** A fresh context, and so fresh DataLoader caches, for every request. */
export function createContext(prisma: EventsPrisma, identity: RequestIdentity): Context {
  return { prisma, loaders: createLoaders(prisma), ...identity };
}
