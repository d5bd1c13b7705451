import { deletionPayload, payload } from '@newsfacts/platform/writes';
import type { MutationResolvers } from '../generated/graphql.ts';
import { createActor, deleteActor, mergeActors, updateActor } from '../writes';

export const Mutation: MutationResolvers = {
  createActor: (_parent, { input }, { prisma, principal }) =>
    payload('actor', () => createActor(prisma, principal, input)),
  updateActor: (_parent, { input }, { prisma, principal }) =>
    payload('actor', () => updateActor(prisma, principal, input)),
  mergeActors: (_parent, { input }, { prisma, peers, principal }) =>
    payload('actor', () => mergeActors(prisma, peers, principal, input)),
  deleteActor: (_parent, { input }, { prisma, peers, principal }) =>
    deletionPayload(() => deleteActor(prisma, peers, principal, input)),
};
