import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { listFilter } from '@newsfacts/platform/loaders';
import { pageSize } from '@newsfacts/platform/pagination';
import type { ClaimResolvers } from '../generated/graphql.ts';
import { competingClaims, isContested } from '../contested';

export const Claim: ClaimResolvers = {
  __resolveReference: (reference, { loaders }) => (UUID_PATTERN.test(reference.id) ? loaders.claimById.load(reference.id) : null),
  event: (claim) => ({ id: claim.eventId }),
  statements: (claim, { stances, first }, { loaders }) => loaders.statementsByClaimId.load(claim.id, pageSize(first), listFilter(stances)),
  contested: (claim, _args, { loaders }) => isContested(claim, loaders),
  competingClaims: (claim, { first }, { loaders }) => competingClaims(claim, loaders, pageSize(first)),
};
