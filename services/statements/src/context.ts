import type { RequestIdentity } from '@newsfacts/platform/subgraph';
import type { StatementsPrisma } from './db';
import { createLoaders, type Loaders } from './loaders';

export interface Context extends RequestIdentity {
  prisma: StatementsPrisma;
  loaders: Loaders;
}

/** A fresh context, and so fresh DataLoader caches, for every request. */
export function createContext(prisma: StatementsPrisma, identity: RequestIdentity): Context {
  return { prisma, loaders: createLoaders(prisma), ...identity };
}
