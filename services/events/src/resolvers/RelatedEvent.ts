import { required } from '@newsfacts/platform/references';
import type { EventRelationKind, RelatedEventResolvers } from '../generated/graphql.ts';

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
  event: (parent, _args, { loaders }) =>
    required(loaders.eventById.load(parent.eventId), `related event ${parent.eventId}`),
};
