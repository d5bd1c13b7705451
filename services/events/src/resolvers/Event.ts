import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { EventResolvers } from '../generated/graphql.ts';
import { INVERSE_KIND, type RelatedEventParent } from './RelatedEvent';

export const Event: EventResolvers = {
  __resolveReference: async (reference, { loaders }) =>
    UUID_PATTERN.test(reference.id) ? loaders.eventById.load(reference.id) : null,

  location: (event, _args, { loaders }) => (event.placeId ? loaders.placeById.load(event.placeId) : null),

  parent: (event, _args, { loaders }) => (event.parentId ? loaders.eventById.load(event.parentId) : null),

  subEvents: (event, _args, { loaders }) => loaders.subEventsByParentId.load(event.id),

  relatedEvents: async (event, _args, { loaders }) => {
    const [outgoing, incoming, subEvents] = await Promise.all([
      loaders.relationsByEventId.outgoing.load(event.id),
      loaders.relationsByEventId.incoming.load(event.id),
      loaders.subEventsByParentId.load(event.id),
    ]);
    const related: RelatedEventParent[] = [];
    if (event.parentId) related.push({ kind: 'PART_OF', eventId: event.parentId, note: null });
    for (const sub of subEvents) related.push({ kind: 'HAS_PART', eventId: sub.id, note: null });
    for (const link of outgoing) related.push({ kind: link.kind, eventId: link.toEventId, note: link.note });
    for (const link of incoming) related.push({ kind: INVERSE_KIND[link.kind], eventId: link.fromEventId, note: link.note });
    return related;
  },

  participants: async (event, { roles }, { loaders }) => {
    const participants = await loaders.participantsByEventId.load(event.id);
    return roles?.length ? participants.filter((participant) => roles.includes(participant.role)) : participants;
  },

  figures: (event, _args, { loaders }) => loaders.figuresByEventId.load(event.id),
};
