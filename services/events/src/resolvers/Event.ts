import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { listFilter } from '@newsfacts/platform/loaders';
import { pageSize } from '@newsfacts/platform/pagination';
import type { EventResolvers } from '../generated/graphql.ts';
import { INVERSE_KIND, type RelatedEventParent } from './RelatedEvent';

export const Event: EventResolvers = {
  __resolveReference: async (reference, { loaders }) =>
    UUID_PATTERN.test(reference.id) ? loaders.eventById.load(reference.id) : null,

  location: (event, _args, { loaders }) => (event.placeId ? loaders.placeById.load(event.placeId) : null),

  parent: (event, _args, { loaders }) => (event.parentId ? loaders.eventById.load(event.parentId) : null),

  subEvents: (event, { first }, { loaders }) => loaders.subEventsByParentId.load(event.id, pageSize(first), null),

  relatedEvents: async (event, { first }, { loaders }) => {
    const size = pageSize(first);
    // The first `size` of each kind of link is enough for the first `size` of all of them.
    const [outgoing, incoming, subEvents] = await Promise.all([
      loaders.relationsByEventId.outgoing.load(event.id, size, null),
      loaders.relationsByEventId.incoming.load(event.id, size, null),
      loaders.subEventsByParentId.load(event.id, size, null),
    ]);
    const related: RelatedEventParent[] = [];
    if (event.parentId) related.push({ kind: 'PART_OF', eventId: event.parentId, note: null });
    for (const sub of subEvents) related.push({ kind: 'HAS_PART', eventId: sub.id, note: null });
    for (const link of outgoing) related.push({ kind: link.kind, eventId: link.toEventId, note: link.note });
    for (const link of incoming)
      related.push({ kind: INVERSE_KIND[link.kind], eventId: link.fromEventId, note: link.note });
    return related.slice(0, size);
  },

  participants: (event, { roles, first }, { loaders }) =>
    loaders.participantsByEventId.load(event.id, pageSize(first), listFilter(roles)),

  figures: (event, { first }, { loaders }) => loaders.figuresByEventId.load(event.id, pageSize(first), null),
};
