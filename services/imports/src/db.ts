import type { Database } from '@newsfacts/platform/db';
import { PrismaClient } from './generated/prisma/client.ts';

export type ImportsPrisma = InstanceType<typeof PrismaClient>;

export function createPrismaClient(db: Database): ImportsPrisma {
  return new PrismaClient({ adapter: db.adapter });
}
