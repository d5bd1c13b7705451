import type { ConnectionParent } from '@newsfacts/platform/pagination';
import type { Actor } from '../generated/prisma/client.ts';
import type { ActorConnectionResolvers } from '../generated/graphql.ts';

export type ActorConnectionParent = ConnectionParent<Actor>;

export const ActorConnection: ActorConnectionResolvers = {
  totalCount: (parent) => parent.totalCount(),
};
