import type { Claim, Stance } from './generated/prisma/client.ts';
import { questionKey, type Loaders } from './loaders';

const AFFIRMING: ReadonlySet<Stance> = new Set(['ASSERTS', 'SUPPORTS']);
const REJECTING: ReadonlySet<Stance> = new Set(['DENIES', 'DISPUTES']);

/** True when the stances taken on one claim include both an affirming and a rejecting one. */
export function hasOpposingStances(stances: ReadonlySet<Stance>): boolean {
  return [...stances].some((stance) => AFFIRMING.has(stance)) && [...stances].some((stance) => REJECTING.has(stance));
}

/** Other claims that answer the same question about the same event. */
export async function competingClaims(claim: Claim, loaders: Loaders): Promise<Claim[]> {
  const sameQuestion = await loaders.claimsByQuestion.load(questionKey(claim));
  return sameQuestion.filter((other) => other.id !== claim.id);
}

/**
 * A claim is contested when actors take opposing stances on it, or when another claim
 * answers its question about its event differently. Derived from the data on every read,
 * so it cannot drift from the statements.
 */
export async function isContested(claim: Claim, loaders: Loaders): Promise<boolean> {
  const [stances, competitors] = await Promise.all([loaders.stancesByClaimId.load(claim.id), competingClaims(claim, loaders)]);
  return hasOpposingStances(stances) || competitors.length > 0;
}

export async function onlyContested(claims: Claim[], loaders: Loaders): Promise<Claim[]> {
  const flags = await Promise.all(claims.map((claim) => isContested(claim, loaders)));
  return claims.filter((_claim, index) => flags[index]);
}
