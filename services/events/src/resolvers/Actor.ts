import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { pageSize } from '@newsfacts/platform/pagination';
import type { ActorResolvers } from '../generated/graphql.ts';

/** Actors belong to the actors subgraph; this one adds the events they took part in. */
export const Actor: ActorResolvers = {
  // A malformed id would fail the whole batched query of every sibling entity; it names nothing.
  __resolveReference: (reference) => (UUID_PATTERN.test(reference.id) ? { id: reference.id } : null),
  participations: (actor, { first }, { loaders }) =>
    loaders.participantsByActorId.load(actor.id, pageSize(first), null),
  referrersInEvents: async (actor, { first }, { prisma }) =>
    (
      await prisma.participant.findMany({
        where: { actorId: actor.id },
        select: { id: true },
        orderBy: { id: 'asc' },
        take: pageSize(first),
      })
    ).map(({ id }) => ({ type: 'Participant', id, service: 'events' })),
};
