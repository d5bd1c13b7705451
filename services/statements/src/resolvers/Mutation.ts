import { deletionPayload, payload } from '@newsfacts/platform/writes';
import type { MutationResolvers } from '../generated/graphql.ts';
import { followActorMerge, followEventMerge } from '../writes/merges';
import { createClaim, deleteClaim, updateClaim } from '../writes/claims';
import { createSource, deleteSource, updateSource } from '../writes/sources';
import { createStatement, deleteStatement, updateStatement } from '../writes/statements';

export const Mutation: MutationResolvers = {
  followActorMergeInStatements: (_parent, args, { prisma, principal }) => followActorMerge(prisma, principal, args),
  followEventMergeInStatements: (_parent, args, { prisma, principal }) => followEventMerge(prisma, principal, args),
  createSource: (_parent, { input }, { prisma, principal }) =>
    payload('source', () => createSource(prisma, principal, input)),
  updateSource: (_parent, { input }, { prisma, principal }) =>
    payload('source', () => updateSource(prisma, principal, input)),
  deleteSource: (_parent, { input }, { prisma, principal }) =>
    deletionPayload(() => deleteSource(prisma, principal, input)),

  createClaim: (_parent, { input }, { prisma, peers, principal }) =>
    payload('claim', () => createClaim(prisma, peers, principal, input)),
  updateClaim: (_parent, { input }, { prisma, peers, principal }) =>
    payload('claim', () => updateClaim(prisma, peers, principal, input)),
  deleteClaim: (_parent, { input }, { prisma, peers, principal }) =>
    deletionPayload(() => deleteClaim(prisma, peers, principal, input)),

  createStatement: (_parent, { input }, { prisma, peers, principal }) =>
    payload('statement', () => createStatement(prisma, peers, principal, input)),
  updateStatement: (_parent, { input }, { prisma, peers, principal }) =>
    payload('statement', () => updateStatement(prisma, peers, principal, input)),
  deleteStatement: (_parent, { input }, { prisma, principal }) =>
    deletionPayload(() => deleteStatement(prisma, principal, input)),
};
