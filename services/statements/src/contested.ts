import { Prisma, type Claim, type Stance } from './generated/prisma/client.ts';
import { questionKey, type Loaders } from './loaders';

const AFFIRMING: ReadonlySet<Stance> = new Set(['ASSERTS', 'SUPPORTS']);
const REJECTING: ReadonlySet<Stance> = new Set(['DENIES', 'DISPUTES']);

/** True when the stances taken on one claim include both an affirming and a rejecting one. */
export function hasOpposingStances(stances: ReadonlySet<Stance>): boolean {
  return [...stances].some((stance) => AFFIRMING.has(stance)) && [...stances].some((stance) => REJECTING.has(stance));
}

/** Other claims that answer the same question about the same event, oldest first, at most `first`. */
export async function competingClaims(claim: Claim, loaders: Loaders, first: number): Promise<Claim[]> {
  // One more than asked for, since the claim itself is among those answering its question.
  const sameQuestion = await loaders.claimsByQuestion.load(questionKey(claim), first + 1, null);
  return sameQuestion.filter((other) => other.id !== claim.id).slice(0, first);
}

/**
 * A claim is contested when actors take opposing stances on it, or when another claim
 * answers its question about its event differently. Derived from the data on every read,
 * so it cannot drift from the statements.
 */
export async function isContested(claim: Claim, loaders: Loaders): Promise<boolean> {
  const [stances, competitors] = await Promise.all([loaders.stancesByClaimId.load(claim.id), competingClaims(claim, loaders, 1)]);
  return hasOpposingStances(stances) || competitors.length > 0;
}

/**
 * The same rule as a condition on the claim row named `claim` in a query, for lists that stop
 * at their first contested claims in the database rather than reading every claim. Each test is
 * one index probe, Statement(claimId, stance) or Claim(eventId, question); OFFSET 0 keeps the
 * planner from hashing every statement of a stance up front, which suits a full count but not
 * a page that stops after twenty claims.
 */
export function contestedSql(claim: string): Prisma.Sql {
  const row = Prisma.raw(claim);
  const taken = (stances: ReadonlySet<Stance>) =>
    Prisma.join(
      [...stances].map(
        (stance) => Prisma.sql`EXISTS (SELECT 1 FROM "Statement" WHERE "claimId" = ${row}.id AND stance = ${stance}::"Stance" OFFSET 0)`,
      ),
      ' OR ',
    );
  return Prisma.sql`(((${taken(AFFIRMING)}) AND (${taken(REJECTING)}))
    OR EXISTS (SELECT 1 FROM "Claim" other
                WHERE other."eventId" = ${row}."eventId" AND other.question = ${row}.question AND other.id <> ${row}.id OFFSET 0))`;
}
