import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { Claim } from '../generated/prisma/client.ts';
import type { ActorResolvers } from '../generated/graphql.ts';
import { onlyContested } from '../contested';

/** Actors belong to the actors subgraph; this one adds what they said. */
export const Actor: ActorResolvers = {
  // A malformed id would fail the whole batched query of every sibling entity; it names nothing.
  __resolveReference: (reference) => (UUID_PATTERN.test(reference.id) ? { id: reference.id } : null),
  statements: async (actor, { stances }, { loaders }) => {
    const statements = await loaders.statementsBySpeakerId.load(actor.id);
    return stances?.length ? statements.filter((statement) => stances.includes(statement.stance)) : statements;
  },
  contestedClaims: async (actor, _args, { loaders }) => {
    const statements = await loaders.statementsBySpeakerId.load(actor.id);
    const claimIds = [...new Set(statements.map((statement) => statement.claimId))];
    const claims = (await loaders.claimById.loadMany(claimIds)).filter((claim): claim is Claim => claim != null && !(claim instanceof Error));
    return onlyContested(claims, loaders);
  },
};
