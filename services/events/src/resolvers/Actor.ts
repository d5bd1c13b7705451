import type { ActorResolvers } from '../generated/graphql.ts';

/** Actors belong to the actors subgraph; this one adds the events they took part in. */
export const Actor: ActorResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
  participations: (actor, _args, { loaders }) => loaders.participantsByActorId.load(actor.id),
};
