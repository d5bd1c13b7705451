import { readChanges } from '@newsfacts/platform/change-feed';
import { whereAll } from '@newsfacts/platform/sql';
import { checkCountryCode, checkText, idOrSlug, likeLiteral } from '@newsfacts/platform/arguments';
import { pageRequest, toConnection } from '@newsfacts/platform/pagination';
import { Prisma, type Actor } from '../generated/prisma/client.ts';
import type { QueryResolvers } from '../generated/graphql.ts';
import { actorsNamed } from '../actors-named';

export const Query: QueryResolvers = {
  actorChanges: (_parent, { after, first }, { prisma }) => readChanges(prisma, { after, first }),

  actor: async (_parent, { id, slug }, { loaders }) => {
    const key = idOrSlug(id, slug);
    return key.id ? loaders.actorById.load(key.id) : loaders.actorBySlug.load(key.slug!);
  },

  actors: async (_parent, { search, kind, organizationType, countryCode, updatedSince, first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const filters: Prisma.Sql[] = [];
    const text = search == null ? '' : checkText('search', search.trim());
    if (text) {
      // Names and aliases each through their trigram index, then united: an OR across the two
      // tables would scan every actor.
      const pattern = `%${likeLiteral(text)}%`;
      filters.push(
        Prisma.sql`a.id IN (SELECT id FROM "Actor" WHERE name ILIKE ${pattern} UNION SELECT "actorId" FROM "Alias" WHERE name ILIKE ${pattern})`,
      );
    }
    if (kind) filters.push(Prisma.sql`a.kind = ${kind}::"ActorKind"`);
    if (organizationType) filters.push(Prisma.sql`a."organizationType" = ${organizationType}::"OrganizationType"`);
    if (countryCode != null) filters.push(Prisma.sql`a."countryCode" = ${checkCountryCode(countryCode)}`);
    if (updatedSince != null) filters.push(Prisma.sql`a."updatedAt" >= ${new Date(updatedSince)}`);
    const afterCursor = page.afterId
      ? [Prisma.sql`(a.name, a.id) > (SELECT name, id FROM "Actor" WHERE id = ${page.afterId}::uuid)`]
      : [];
    const rows = await prisma.$queryRaw<Actor[]>`
      SELECT a.* FROM "Actor" a ${whereAll([...filters, ...afterCursor])} ORDER BY a.name ASC, a.id ASC LIMIT ${page.take + 1}`;
    return toConnection(rows, page, async () => {
      const [{ count }] = await prisma.$queryRaw<
        [{ count: number }]
      >`SELECT count(*)::int AS count FROM "Actor" a ${whereAll(filters)}`;
      return count;
    });
  },

  actorsNamed: (_parent, { names }, { prisma }) => actorsNamed(prisma, names),
};
