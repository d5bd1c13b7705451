// Actors by name as the fact-package importer compares names: nameKey (case, accents and
// punctuation aside) against each actor's name and other names, stored beside them and indexed.
import { nameKey } from '@newsfacts/fact-package/names';
import { badUserInput } from '@newsfacts/platform/errors';
import type { ActorsPrisma } from './db';
import type { Actor } from './generated/prisma/client.ts';

export const MAX_NAMES = 1_000;
export const MAX_NAME_LENGTH = 300;

export type MatchedBy = 'NAME' | 'ALIAS';

export interface ActorNameMatch {
  actor: Actor;
  /** The actor's name or other name, as stored, that reads as the name asked. */
  matchedName: string;
  matchedBy: MatchedBy;
}

export interface ActorNameMatches {
  name: string;
  /** Every actor the name names: none, one, or more when it is ambiguous (never a guess). */
  candidates: ActorNameMatch[];
}

function checkNames(names: readonly string[]): void {
  if (names.length > MAX_NAMES) {
    throw badUserInput(`names must hold at most ${MAX_NAMES.toLocaleString('en')} names; got ${names.length}.`, {
      argument: 'names',
    });
  }
  const long = names.findIndex((name) => name.length > MAX_NAME_LENGTH);
  if (long >= 0) {
    throw badUserInput(`names[${long}] must be at most ${MAX_NAME_LENGTH} characters.`, { argument: 'names' });
  }
}

type MatchRow = Actor & { matchKey: string; matchedName: string; matchedBy: MatchedBy };

/**
 * For each of `names`, in their order, the actors whose name or other name has its nameKey. A
 * name without a letter or digit names no one. A merged actor has no row left (its names became
 * its survivor's aliases), so only the survivor is found.
 */
export async function actorsNamed(prisma: ActorsPrisma, names: readonly string[]): Promise<ActorNameMatches[]> {
  checkNames(names);
  const keys = names.map(nameKey);
  const asked = [...new Set(keys.filter(Boolean))];
  const rows = asked.length
    ? // One statement for every name: each table through its own nameKey index, then united (an
      // OR across the two would scan). DISTINCT ON keeps an actor once per key, by its name
      // rather than an alias when both match; candidates come alphabetically.
      await prisma.$queryRaw<MatchRow[]>`
        SELECT DISTINCT ON (m.key, a.name, a.id) m.key AS "matchKey", m."matchedName", m."matchedBy", a.*
        FROM (
          SELECT "nameKey" AS key, id AS "actorId", name AS "matchedName", 'NAME' AS "matchedBy"
            FROM "Actor" WHERE "nameKey" = ANY(${asked}::text[])
          UNION ALL
          SELECT "nameKey", "actorId", name, 'ALIAS' FROM "Alias" WHERE "nameKey" = ANY(${asked}::text[])
        ) m
        JOIN "Actor" a ON a.id = m."actorId"
        ORDER BY m.key, a.name, a.id, m."matchedBy" = 'NAME' DESC, m."matchedName"`
    : [];
  const byKey = new Map<string, ActorNameMatch[]>();
  for (const { matchKey, matchedName, matchedBy, ...actor } of rows) {
    const candidates = byKey.get(matchKey) ?? [];
    candidates.push({ actor, matchedName, matchedBy });
    byKey.set(matchKey, candidates);
  }
  return names.map((name, index) => ({ name, candidates: byKey.get(keys[index]!) ?? [] }));
}
