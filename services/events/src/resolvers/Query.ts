import { checkCountryCode, checkText, idOrSlug, likeLiteral } from '@newsfacts/platform/arguments';
import { pageArgs, pageRequest, toConnection } from '@newsfacts/platform/pagination';
import type { Prisma } from '../generated/prisma/client.ts';
import type { EventFilter, QueryResolvers } from '../generated/graphql.ts';

function eventWhere(filter: EventFilter | null | undefined): Prisma.EventWhereInput {
  if (!filter) return {};
  const where: Prisma.EventWhereInput[] = [];
  if (filter.search != null) {
    const search = likeLiteral(checkText('filter.search', filter.search.trim()));
    if (search) {
      where.push({
        OR: [{ title: { contains: search, mode: 'insensitive' } }, { summary: { contains: search, mode: 'insensitive' } }],
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

export const Query: QueryResolvers = {
  event: async (_parent, { id, slug }, { loaders }) => {
    const key = idOrSlug(id, slug);
    return key.id ? loaders.eventById.load(key.id) : loaders.eventBySlug.load(key.slug!);
  },

  events: async (_parent, { filter, first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const where = eventWhere(filter);
    const rows = await prisma.event.findMany({
      where,
      orderBy: [{ startedAt: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }],
      ...pageArgs(page),
    });
    return toConnection(rows, page, () => prisma.event.count({ where }));
  },
};
