import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { pageSize } from '@newsfacts/platform/pagination';
import type { ClaimResolvers } from '../generated/graphql.ts';

/** Claims belong to the statements subgraph; this one answers only what here rests on them. */
export const Claim: ClaimResolvers = {
  __resolveReference: (reference) => (UUID_PATTERN.test(reference.id) ? { id: reference.id } : null),
  referrersInEvents: async (claim, { first }, { prisma }) => {
    const size = pageSize(first);
    const query = { where: { claimId: claim.id }, select: { id: true }, orderBy: { id: 'asc' as const }, take: size };
    const [participants, figures] = await Promise.all([
      prisma.participant.findMany(query),
      prisma.figure.findMany(query),
    ]);
    return [
      ...participants.map(({ id }) => ({ type: 'Participant', id, service: 'events' })),
      ...figures.map(({ id }) => ({ type: 'Figure', id, service: 'events' })),
    ].slice(0, size);
  },
};
