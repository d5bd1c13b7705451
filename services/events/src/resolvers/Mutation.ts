import { InputRejected, payload, StillReferenced } from '@newsfacts/platform/writes';
import type { MutationResolvers } from '../generated/graphql.ts';
import { createEvent, deleteEvent, updateEvent } from '../writes/events';
import { createPlace, deletePlace, updatePlace } from '../writes/places';

/** A delete's payload: the id deleted, or null with the errors and, when others still refer to it, who. */
async function deletion(remove: () => Promise<string>) {
  try {
    return { deletedId: await remove(), referrers: [], errors: [] };
  } catch (error) {
    if (!(error instanceof InputRejected)) throw error;
    return {
      deletedId: null,
      referrers: error instanceof StillReferenced ? error.referrers : [],
      errors: error.errors,
    };
  }
}

export const Mutation: MutationResolvers = {
  createEvent: (_parent, { input }, { prisma, peers, principal }) =>
    payload('event', () => createEvent(prisma, peers, principal, input)),
  updateEvent: (_parent, { input }, { prisma, peers, principal }) =>
    payload('event', () => updateEvent(prisma, peers, principal, input)),
  deleteEvent: (_parent, { input }, { prisma, peers, principal }) =>
    deletion(() => deleteEvent(prisma, peers, principal, input)),
  createPlace: (_parent, { input }, { prisma, principal }) =>
    payload('place', () => createPlace(prisma, principal, input)),
  updatePlace: (_parent, { input }, { prisma, principal }) =>
    payload('place', () => updatePlace(prisma, principal, input)),
  deletePlace: (_parent, { input }, { prisma, principal }) => deletion(() => deletePlace(prisma, principal, input)),
};
