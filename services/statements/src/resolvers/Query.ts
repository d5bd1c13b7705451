import { readChanges } from '@newsfacts/platform/change-feed';
import { whereAll } from '@newsfacts/platform/sql';
import { checkId, idOrSlug } from '@newsfacts/platform/arguments';
import { pageArgs, pageRequest, toConnection, type PageRequest } from '@newsfacts/platform/pagination';
import { Prisma, type Claim } from '../generated/prisma/client.ts';
import type { QueryResolvers } from '../generated/graphql.ts';
import { contestedSql } from '../contested';
import type { StatementsPrisma } from '../db';

/**
 * Claims oldest first, by keyset: Claim(createdAt, id) is walked in order and each claim tested
 * against the filters, so a page costs about its size even with `contested`, which is decided
 * per claim by index probes (contested.ts) rather than over every claim at once.
 */
async function claimsPage(prisma: StatementsPrisma, filters: Prisma.Sql[], page: PageRequest): Promise<Claim[]> {
  const after = page.afterId
    ? [Prisma.sql`(c."createdAt", c.id) > (SELECT "createdAt", id FROM "Claim" WHERE id = ${page.afterId}::uuid)`]
    : [];
  return prisma.$queryRaw<Claim[]>`
    SELECT c.* FROM "Claim" c ${whereAll([...filters, ...after])} ORDER BY c."createdAt" ASC, c.id ASC LIMIT ${page.take + 1}`;
}

export const Query: QueryResolvers = {
  statementChanges: (_parent, { after, first }, { prisma }) => readChanges(prisma, { after, first }),

  claim: (_parent, { id }, { loaders }) => loaders.claimById.load(checkId(id)),

  claims: async (_parent, { eventId, aspect, contested, updatedSince, first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const filters: Prisma.Sql[] = [];
    if (eventId != null) filters.push(Prisma.sql`c."eventId" = ${checkId(eventId, 'eventId')}::uuid`);
    if (aspect) filters.push(Prisma.sql`c.aspect = ${aspect}::"ClaimAspect"`);
    if (contested != null) filters.push(contested ? contestedSql('c') : Prisma.sql`NOT ${contestedSql('c')}`);
    if (updatedSince != null) filters.push(Prisma.sql`c."updatedAt" >= ${new Date(updatedSince)}`);
    const rows = await claimsPage(prisma, filters, page);
    return toConnection(rows, page, async () => {
      // Counting contested claims tests every claim: it is asked for only when a client selects totalCount.
      const [{ count }] = await prisma.$queryRaw<
        [{ count: number }]
      >`SELECT count(*)::int AS count FROM "Claim" c ${whereAll(filters)}`;
      return count;
    });
  },

  statement: (_parent, { id }, { loaders }) => loaders.statementById.load(checkId(id)),

  source: (_parent, { id, slug }, { loaders }) => {
    const key = idOrSlug(id, slug);
    return key.id ? loaders.sourceById.load(key.id) : loaders.sourceBySlug.load(key.slug!);
  },

  sources: async (_parent, { updatedSince, first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const where = updatedSince != null ? { updatedAt: { gte: new Date(updatedSince) } } : {};
    const rows = await prisma.source.findMany({
      where,
      orderBy: [{ publishedAt: 'desc' }, { id: 'asc' }],
      ...pageArgs(page),
    });
    return toConnection(rows, page, () => prisma.source.count({ where }));
  },
};
