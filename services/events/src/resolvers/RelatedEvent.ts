import type { EventRelationKind } from '../generated/graphql.ts';
import type { RelatedEventResolvers } from '../generated/graphql.ts';

export interface RelatedEventParent {
  kind: EventRelationKind;
  eventId: string;
  note: string | null;
}

/** How a stored link reads from its other end. */
export const INVERSE_KIND: Record<'FOLLOWS' | 'RELATED_TO' | 'RESPONSE_TO', EventRelationKind> = {
  FOLLOWS: 'PRECEDES',
  RELATED_TO: 'RELATED_TO',
  RESPONSE_TO: 'PROVOKED',
};

export const RelatedEvent: RelatedEventResolvers = {
  event: async (parent, _args, { loaders }) => {
    const event = await loaders.eventById.load(parent.eventId);
    if (!event) throw new Error(`related event ${parent.eventId} is missing`);
    return event;
  },
};
