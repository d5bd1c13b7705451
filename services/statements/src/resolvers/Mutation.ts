import { InputRejected, payload, StillReferenced } from '@newsfacts/platform/writes';
import type { MutationResolvers } from '../generated/graphql.ts';
import { createClaim, deleteClaim, updateClaim } from '../writes/claims';
import { createSource, deleteSource, updateSource } from '../writes/sources';
import { createStatement, deleteStatement, updateStatement } from '../writes/statements';

/** A delete's payload: the id deleted, or null with the errors and, when others still refer to it, the referrers. */
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
  createSource: (_parent, { input }, { prisma, principal }) =>
    payload('source', () => createSource(prisma, principal, input)),
  updateSource: (_parent, { input }, { prisma, principal }) =>
    payload('source', () => updateSource(prisma, principal, input)),
  deleteSource: (_parent, { input }, { prisma, principal }) => deletion(() => deleteSource(prisma, principal, input)),

  createClaim: (_parent, { input }, { prisma, peers, principal }) =>
    payload('claim', () => createClaim(prisma, peers, principal, input)),
  updateClaim: (_parent, { input }, { prisma, peers, principal }) =>
    payload('claim', () => updateClaim(prisma, peers, principal, input)),
  deleteClaim: (_parent, { input }, { prisma, peers, principal }) =>
    deletion(() => deleteClaim(prisma, peers, principal, input)),

  createStatement: (_parent, { input }, { prisma, peers, principal }) =>
    payload('statement', () => createStatement(prisma, peers, principal, input)),
  updateStatement: (_parent, { input }, { prisma, peers, principal }) =>
    payload('statement', () => updateStatement(prisma, peers, principal, input)),
  deleteStatement: (_parent, { input }, { prisma, principal }) =>
    deletion(() => deleteStatement(prisma, principal, input)),
};
