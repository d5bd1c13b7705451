import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { listFilter } from '@newsfacts/platform/loaders';
import { pageSize } from '@newsfacts/platform/pagination';
import type { Claim as ClaimRow } from '../generated/prisma/client.ts';
import type { ClaimResolvers } from '../generated/graphql.ts';
import { isContested, questionKey } from '../contested';
import { claimJsonLd, type JsonLdActor } from '../json-ld';
import type { Loaders } from '../loaders';

/** A claim's JSON-LD lists at most this many positions taken on it. */
const MAX_JSON_LD_STATEMENTS = 500;

/** Other claims that answer the same question about the same event, oldest first, at most `first`. */
async function competingClaims(claim: ClaimRow, loaders: Loaders, first: number): Promise<ClaimRow[]> {
  // One more than asked for, since the claim itself is among those answering its question.
  const sameQuestion = await loaders.claimsByQuestion.load(questionKey(claim), first + 1, null);
  return sameQuestion.filter((other) => other.id !== claim.id).slice(0, first);
}

export const Claim: ClaimResolvers = {
  __resolveReference: (reference, { loaders }) =>
    UUID_PATTERN.test(reference.id) ? loaders.claimById.load(reference.id) : null,
  event: (claim) => ({ id: claim.eventId }),
  statements: (claim, { stances, first }, { loaders }) =>
    loaders.statementsByClaimId.load(claim.id, pageSize(first), listFilter(stances)),
  contested: async (claim, _args, { loaders }) => {
    const [stances, competitors] = await Promise.all([
      loaders.stancesByClaimId.load(claim.id),
      competingClaims(claim, loaders, 1),
    ]);
    return isContested(stances, competitors.length);
  },
  competingClaims: (claim, { first }, { loaders }) => competingClaims(claim, loaders, pageSize(first)),
  jsonLd: async (claim, _args, { prisma, peers, principal }) => {
    const statements = await prisma.statement.findMany({
      where: { claimId: claim.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: MAX_JSON_LD_STATEMENTS,
      include: { source: true },
    });
    const speakerIds = [...new Set(statements.map((statement) => statement.speakerId))];
    const { _entities: found } = await peers.query<{ _entities: Array<JsonLdActor | null> }>(
      'actors',
      `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Actor { id name kind wikidataId } } }`,
      { representations: speakerIds.map((id) => ({ __typename: 'Actor', id })) },
      principal,
    );
    const actors = new Map(found.flatMap((actor, index) => (actor ? [[speakerIds[index]!, actor] as const] : [])));
    return claimJsonLd(claim, statements, actors);
  },
};
