// The events service's records for the bulk export: places, and events with their participants,
// figures and the links they state, as stored.
import { exportWhere, PRIVATE_FIELDS, type ExportReader } from '@newsfacts/platform/export-pages';
import type { EventsPrisma } from './db';

export const eventsExports = (prisma: EventsPrisma): Record<string, ExportReader> => ({
  Place: (page) =>
    prisma.place.findMany({ where: exportWhere(page), orderBy: { id: 'asc' }, take: page.limit, omit: PRIVATE_FIELDS }),
  Event: (page) =>
    prisma.event.findMany({
      where: exportWhere(page),
      orderBy: { id: 'asc' },
      take: page.limit,
      omit: PRIVATE_FIELDS,
      include: {
        participants: { orderBy: { id: 'asc' } },
        figures: { orderBy: { id: 'asc' } },
        relationsFrom: { orderBy: { id: 'asc' } },
      },
    }),
});
