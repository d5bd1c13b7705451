import type { ConnectionParent } from '@newsfacts/platform/pagination';
import type { Claim, Source } from '../generated/prisma/client.ts';
import type { ClaimConnectionResolvers, SourceConnectionResolvers } from '../generated/graphql.ts';

export type ClaimConnectionParent = ConnectionParent<Claim>;
export type SourceConnectionParent = ConnectionParent<Source>;

export const ClaimConnection: ClaimConnectionResolvers = { totalCount: (parent) => parent.totalCount() };
export const SourceConnection: SourceConnectionResolvers = { totalCount: (parent) => parent.totalCount() };
