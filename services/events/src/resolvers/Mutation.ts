import { deletionPayload, payload } from '@newsfacts/platform/writes';
import type { MutationResolvers } from '../generated/graphql.ts';
import { followActorMerge, mergeEvents } from '../writes/merges';
import { createEvent, deleteEvent, updateEvent } from '../writes/events';
import { createPlace, deletePlace, updatePlace } from '../writes/places';

export const Mutation: MutationResolvers = {
  followActorMergeInEvents: (_parent, args, { prisma, principal }) => followActorMerge(prisma, principal, args),
  createEvent: (_parent, { input }, { prisma, peers, principal }) =>
    payload('event', () => createEvent(prisma, peers, principal, input)),
  updateEvent: (_parent, { input }, { prisma, peers, principal }) =>
    payload('event', () => updateEvent(prisma, peers, principal, input)),
  deleteEvent: (_parent, { input }, { prisma, peers, principal }) =>
    deletionPayload(() => deleteEvent(prisma, peers, principal, input)),
  mergeEvents: (_parent, { input }, { prisma, peers, principal }) =>
    payload('event', () => mergeEvents(prisma, peers, principal, input)),
  createPlace: (_parent, { input }, { prisma, principal }) =>
    payload('place', () => createPlace(prisma, principal, input)),
  updatePlace: (_parent, { input }, { prisma, principal }) =>
    payload('place', () => updatePlace(prisma, principal, input)),
  deletePlace: (_parent, { input }, { prisma, principal }) =>
    deletionPayload(() => deletePlace(prisma, principal, input)),
};
