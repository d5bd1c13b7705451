import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { listFilter } from '@newsfacts/platform/loaders';
import { pageSize } from '@newsfacts/platform/pagination';
import type { EventResolvers } from '../generated/graphql.ts';

/** Events belong to the events subgraph; this one adds what was claimed and said about them. */
export const Event: EventResolvers = {
  // A malformed id would fail the whole batched query of every sibling entity; it names nothing.
  __resolveReference: (reference) => (UUID_PATTERN.test(reference.id) ? { id: reference.id } : null),
  claims: (event, { aspects, first }, { loaders }) =>
    loaders.claimsByEventId.load(event.id, pageSize(first), listFilter(aspects)),
  contestedClaims: (event, { first }, { loaders }) =>
    loaders.contestedClaimsByEventId.load(event.id, pageSize(first), null),
  statements: (event, { first }, { loaders }) => loaders.statementsByEventId.load(event.id, pageSize(first), null),
  referrersInStatements: async (event, { first }, { prisma }) =>
    (
      await prisma.claim.findMany({
        where: { eventId: event.id },
        select: { id: true },
        orderBy: { id: 'asc' },
        take: pageSize(first),
      })
    ).map(({ id }) => ({ type: 'Claim', id, service: 'statements' })),
};
