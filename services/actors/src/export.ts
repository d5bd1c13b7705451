// The actors service's records for the bulk export: actors with their aliases and affiliations,
// as stored (less the name keys kept for matching, which are derived from the names).
import { exportWhere, PRIVATE_FIELDS, type ExportReader } from '@newsfacts/platform/export-pages';
import type { ActorsPrisma } from './db';

export const actorsExports = (prisma: ActorsPrisma): Record<string, ExportReader> => ({
  Actor: (page) =>
    prisma.actor.findMany({
      where: exportWhere(page),
      orderBy: { id: 'asc' },
      take: page.limit,
      omit: { ...PRIVATE_FIELDS, nameKey: true },
      include: {
        aliases: { orderBy: { id: 'asc' }, omit: { nameKey: true } },
        affiliations: { orderBy: { id: 'asc' } },
      },
    }),
});
