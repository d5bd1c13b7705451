import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { listFilter } from '@newsfacts/platform/loaders';
import { pageSize } from '@newsfacts/platform/pagination';
import type { ActorResolvers } from '../generated/graphql.ts';

/** Actors belong to the actors subgraph; this one adds what they said. */
export const Actor: ActorResolvers = {
  // A malformed id would fail the whole batched query of every sibling entity; it names nothing.
  __resolveReference: (reference) => (UUID_PATTERN.test(reference.id) ? { id: reference.id } : null),
  statements: (actor, { stances, first }, { loaders }) =>
    loaders.statementsBySpeakerId.load(actor.id, pageSize(first), listFilter(stances)),
  referrersInStatements: async (actor, { first }, { prisma }) =>
    (
      await prisma.statement.findMany({
        where: { OR: [{ speakerId: actor.id }, { outletId: actor.id }] },
        select: { id: true },
        orderBy: { id: 'asc' },
        take: pageSize(first),
      })
    ).map(({ id }) => ({ type: 'Statement', id, service: 'statements' })),
  contestedClaims: (actor, { first }, { loaders }) =>
    loaders.contestedClaimsBySpeakerId.load(actor.id, pageSize(first), null),
};
