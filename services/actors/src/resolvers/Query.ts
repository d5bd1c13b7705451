import { checkCountryCode, checkText, idOrSlug, likeLiteral } from '@newsfacts/platform/arguments';
import { pageArgs, pageRequest, toConnection } from '@newsfacts/platform/pagination';
import type { Prisma } from '../generated/prisma/client.ts';
import type { QueryResolvers } from '../generated/graphql.ts';


export const Query: QueryResolvers = {
  actor: async (_parent, { id, slug }, { loaders }) => {
    const key = idOrSlug(id, slug);
    return key.id ? loaders.actorById.load(key.id) : loaders.actorBySlug.load(key.slug!);
  },

  actors: async (_parent, { search, kind, organizationType, countryCode, first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const where: Prisma.ActorWhereInput[] = [];
    const text = search == null ? '' : checkText('search', search.trim());
    if (text) {
      const pattern = likeLiteral(text);
      where.push({
        OR: [
          { name: { contains: pattern, mode: 'insensitive' } },
          { aliases: { some: { name: { contains: pattern, mode: 'insensitive' } } } },
        ],
      });
    }
    if (kind) where.push({ kind });
    if (organizationType) where.push({ organizationType });
    if (countryCode != null) where.push({ countryCode: checkCountryCode(countryCode) });
    const filter = { AND: where };
    const rows = await prisma.actor.findMany({ where: filter, orderBy: [{ name: 'asc' }, { id: 'asc' }], ...pageArgs(page) });
    return toConnection(rows, page, () => prisma.actor.count({ where: filter }));
  },
};
