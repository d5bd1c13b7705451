import type { ConnectionParent } from '@newsfacts/platform/pagination';
import type { Event } from '../generated/prisma/client.ts';
import type { EventConnectionResolvers } from '../generated/graphql.ts';

export type EventConnectionParent = ConnectionParent<Event>;

export const EventConnection: EventConnectionResolvers = {
  totalCount: (parent) => parent.totalCount(),
};
