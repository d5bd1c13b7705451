import type { ActorsPrisma } from './db';
import { createLoaders, type Loaders } from './loaders';

export interface Context {
  prisma: ActorsPrisma;
  loaders: Loaders;
  requestId: string;
}

/** A fresh context, and so fresh DataLoader caches, for every request. */
export function createContext(prisma: ActorsPrisma, requestId: string): Context {
  return { prisma, loaders: createLoaders(prisma), requestId };
}
