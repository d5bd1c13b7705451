import type { Database } from '@newsfacts/platform/db';
import { PrismaClient } from './generated/prisma/client.ts';

export type EventsPrisma = InstanceType<typeof PrismaClient>;

export function createPrismaClient(db: Database): EventsPrisma {
  return new PrismaClient({ adapter: db.adapter });
}
