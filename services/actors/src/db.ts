import type { Database } from '@newsfacts/platform/db';
import { PrismaClient } from './generated/prisma/client.ts';

export type ActorsPrisma = InstanceType<typeof PrismaClient>;

export function createPrismaClient(db: Database): ActorsPrisma {
  return new PrismaClient({ adapter: db.adapter });
}
