import type { Database } from '@newsfacts/platform/db';
import { PrismaClient } from './generated/prisma/client.ts';

export type StatementsPrisma = InstanceType<typeof PrismaClient>;

export function createPrismaClient(db: Database): StatementsPrisma {
  return new PrismaClient({ adapter: db.adapter });
}
