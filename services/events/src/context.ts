import type { EventsPrisma } from './db';
import { createLoaders, type Loaders } from './loaders';

export interface Context {
  prisma: EventsPrisma;
  loaders: Loaders;
  requestId: string;
}

/** A fresh context, and so fresh DataLoader caches, for every request. */
export function createContext(prisma: EventsPrisma, requestId: string): Context {
  return { prisma, loaders: createLoaders(prisma), requestId };
}
