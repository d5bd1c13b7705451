// The contested rule: plain functions over plain values, and the same rule as SQL. Loaders and
// resolvers call these; nothing here reads data.
import { join, raw, sql, type Sql } from '@newsfacts/platform/sql';
import type { Stance } from './generated/prisma/enums.ts';

export const AFFIRMING: ReadonlySet<Stance> = new Set(['ASSERTS', 'SUPPORTS']);
export const REJECTING: ReadonlySet<Stance> = new Set(['DENIES', 'DISPUTES']);

/** True when the stances taken on one claim include both an affirming and a rejecting one. */
export function hasOpposingStances(stances: ReadonlySet<Stance>): boolean {
  return [...stances].some((stance) => AFFIRMING.has(stance)) && [...stances].some((stance) => REJECTING.has(stance));
}

/**
 * A claim is contested when actors take opposing stances on it, or when another claim answers
 * its question about its event. Derived on every read, so it cannot drift from the statements.
 */
export const isContested = (stancesTaken: ReadonlySet<Stance>, competingClaimCount: number): boolean =>
  hasOpposingStances(stancesTaken) || competingClaimCount > 0;

/** The key of the question a claim answers about its event; claims sharing it compete. */
export const questionKey = (claim: { eventId: string; question: string }) => `${claim.eventId}\u0000${claim.question}`;

/**
 * The same rule as a condition on the claim row named `claim` in a query, for lists that stop
 * at their first contested claims in the database rather than reading every claim. Each test is
 * one index probe, Statement(claimId, stance) or Claim(eventId, question); OFFSET 0 keeps the
 * planner from hashing every statement of a stance up front, which suits a full count but not
 * a page that stops after twenty claims.
 */
export function contestedSql(claim: string): Sql {
  const row = raw(claim);
  const taken = (stances: ReadonlySet<Stance>) =>
    join(
      [...stances].map(
        (stance) =>
          sql`EXISTS (SELECT 1 FROM "Statement" WHERE "claimId" = ${row}.id AND stance = ${stance}::"Stance" OFFSET 0)`,
      ),
      ' OR ',
    );
  return sql`(((${taken(AFFIRMING)}) AND (${taken(REJECTING)}))
    OR EXISTS (SELECT 1 FROM "Claim" other
                WHERE other."eventId" = ${row}."eventId" AND other.question = ${row}.question AND other.id <> ${row}.id OFFSET 0))`;
}
