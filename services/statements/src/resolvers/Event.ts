import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { EventResolvers } from '../generated/graphql.ts';
import { onlyContested } from '../contested';

/** Events belong to the events subgraph; this one adds what was claimed and said about them. */
export const Event: EventResolvers = {
  // A malformed id would fail the whole batched query of every sibling entity; it names nothing.
  __resolveReference: (reference) => (UUID_PATTERN.test(reference.id) ? { id: reference.id } : null),
  claims: async (event, { aspects }, { loaders }) => {
    const claims = await loaders.claimsByEventId.load(event.id);
    return aspects?.length ? claims.filter((claim) => aspects.includes(claim.aspect)) : claims;
  },
  contestedClaims: async (event, _args, { loaders }) => onlyContested(await loaders.claimsByEventId.load(event.id), loaders),
  statements: (event, _args, { loaders }) => loaders.statementsByEventId.load(event.id),
};
