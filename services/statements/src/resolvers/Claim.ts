import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { ClaimResolvers } from '../generated/graphql.ts';
import { competingClaims, isContested } from '../contested';

export const Claim: ClaimResolvers = {
  __resolveReference: (reference, { loaders }) => (UUID_PATTERN.test(reference.id) ? loaders.claimById.load(reference.id) : null),
  event: (claim) => ({ id: claim.eventId }),
  statements: async (claim, { stances }, { loaders }) => {
    const statements = await loaders.statementsByClaimId.load(claim.id);
    return stances?.length ? statements.filter((statement) => stances.includes(statement.stance)) : statements;
  },
  contested: (claim, _args, { loaders }) => isContested(claim, loaders),
  competingClaims: (claim, _args, { loaders }) => competingClaims(claim, loaders),
};
