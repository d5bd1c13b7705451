import { checkId, idOrSlug } from '@newsfacts/platform/arguments';
import { pageArgs, pageRequest, toConnection } from '@newsfacts/platform/pagination';
import type { Prisma } from '../generated/prisma/client.ts';
import type { QueryResolvers } from '../generated/graphql.ts';
import type { StatementsPrisma } from '../db';

const AFFIRMING = ['ASSERTS', 'SUPPORTS'] as const;
const REJECTING = ['DENIES', 'DISPUTES'] as const;

/** The contested rule of contested.ts, as a database filter for listing claims. */
async function contestedFilter(prisma: StatementsPrisma, contested: boolean): Promise<Prisma.ClaimWhereInput> {
  // Questions that more than one claim of the same event answers.
  const shared = await prisma.claim.groupBy({ by: ['eventId', 'question'], having: { id: { _count: { gt: 1 } } } });
  const isContested: Prisma.ClaimWhereInput = {
    OR: [
      { AND: [{ statements: { some: { stance: { in: [...AFFIRMING] } } } }, { statements: { some: { stance: { in: [...REJECTING] } } } }] },
      ...shared.map(({ eventId, question }) => ({ eventId, question })),
    ],
  };
  return contested ? isContested : { NOT: isContested };
}

export const Query: QueryResolvers = {
  claim: (_parent, { id }, { loaders }) => loaders.claimById.load(checkId(id)),

  claims: async (_parent, { eventId, aspect, contested, first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const where: Prisma.ClaimWhereInput[] = [];
    if (eventId != null) where.push({ eventId: checkId(eventId, 'eventId') });
    if (aspect) where.push({ aspect });
    if (contested != null) where.push(await contestedFilter(prisma, contested));
    const filter = { AND: where };
    const rows = await prisma.claim.findMany({ where: filter, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], ...pageArgs(page) });
    return toConnection(rows, page, () => prisma.claim.count({ where: filter }));
  },

  statement: (_parent, { id }, { loaders }) => loaders.statementById.load(checkId(id)),

  source: (_parent, { id, slug }, { loaders }) => {
    const key = idOrSlug(id, slug);
    return key.id ? loaders.sourceById.load(key.id) : loaders.sourceBySlug.load(key.slug!);
  },

  sources: async (_parent, { first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const rows = await prisma.source.findMany({ orderBy: [{ publishedAt: 'desc' }, { id: 'asc' }], ...pageArgs(page) });
    return toConnection(rows, page, () => prisma.source.count());
  },
};
