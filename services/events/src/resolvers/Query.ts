import { readChanges } from '@newsfacts/platform/change-feed';
import { checkCountryCode, checkText, idOrSlug, likeLiteral } from '@newsfacts/platform/arguments';
import { pageRequest, toConnection, type PageRequest } from '@newsfacts/platform/pagination';
import type { Event, Prisma } from '../generated/prisma/client.ts';
import type { EventFilter, QueryResolvers } from '../generated/graphql.ts';
import type { EventsPrisma } from '../db';

function eventWhere(filter: EventFilter | null | undefined): Prisma.EventWhereInput {
  if (!filter) return {};
  const where: Prisma.EventWhereInput[] = [];
  if (filter.search != null) {
    const search = likeLiteral(checkText('filter.search', filter.search.trim()));
    if (search) {
      where.push({
        OR: [
          { title: { contains: search, mode: 'insensitive' } },
          { summary: { contains: search, mode: 'insensitive' } },
        ],
      });
    }
  }
  if (filter.kinds?.length) where.push({ kind: { in: filter.kinds } });
  if (filter.countryCode != null) {
    where.push({ place: { countryCode: checkCountryCode(filter.countryCode, 'filter.countryCode') } });
  }
  if (filter.startedAfter != null) where.push({ startedAt: { gte: new Date(filter.startedAfter) } });
  if (filter.startedBefore != null) where.push({ startedAt: { lte: new Date(filter.startedBefore) } });
  if (filter.topLevelOnly) where.push({ parentId: null });
  return { AND: where };
}

/**
 * One page of events, most recent first and undated last, with one more row to tell whether
 * another page follows. An index cannot order DESC NULLS LAST, so the dated events are read
 * in Event(startedAt DESC, id) order, and the undated ones by id only when the dated run out.
 */
async function newestFirst(prisma: EventsPrisma, where: Prisma.EventWhereInput, page: PageRequest): Promise<Event[]> {
  const limit = page.take + 1;
  const cursor = page.afterId
    ? await prisma.event.findUnique({ where: { id: page.afterId }, select: { id: true, startedAt: true } })
    : undefined;
  if (cursor === null) return []; // the page's last event is gone, so nothing follows it
  const rows: Event[] = [];
  if (!cursor || cursor.startedAt) {
    const after: Prisma.EventWhereInput[] = cursor
      ? [{ OR: [{ startedAt: { lt: cursor.startedAt! } }, { startedAt: cursor.startedAt!, id: { gt: cursor.id } }] }]
      : [];
    rows.push(
      ...(await prisma.event.findMany({
        where: { AND: [where, { startedAt: { not: null } }, ...after] },
        orderBy: [{ startedAt: 'desc' }, { id: 'asc' }],
        take: limit,
      })),
    );
  }
  if (rows.length < limit) {
    const after: Prisma.EventWhereInput[] = cursor && !cursor.startedAt ? [{ id: { gt: cursor.id } }] : [];
    rows.push(
      ...(await prisma.event.findMany({
        where: { AND: [where, { startedAt: null }, ...after] },
        orderBy: [{ id: 'asc' }],
        take: limit - rows.length,
      })),
    );
  }
  return rows;
}

export const Query: QueryResolvers = {
  eventChanges: (_parent, { after, first }, { prisma }) => readChanges(prisma, { after, first }),

  event: async (_parent, { id, slug }, { loaders }) => {
    const key = idOrSlug(id, slug);
    return key.id ? loaders.eventById.load(key.id) : loaders.eventBySlug.load(key.slug!);
  },

  place: async (_parent, { id, slug }, { loaders }) => {
    const key = idOrSlug(id, slug);
    return key.id ? loaders.placeById.load(key.id) : loaders.placeBySlug.load(key.slug!);
  },

  events: async (_parent, { filter, updatedSince, first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const filtered = eventWhere(filter);
    const where = updatedSince != null ? { AND: [filtered, { updatedAt: { gte: new Date(updatedSince) } }] } : filtered;
    const rows = await newestFirst(prisma, where, page);
    return toConnection(rows, page, () => prisma.event.count({ where }));
  },
};
