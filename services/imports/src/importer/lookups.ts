// Reads the importer makes before it writes: which records the graph already holds, by id, slug
// or (actors) name, and which claims an event already has. Many lookups go in one request, as
// aliased fields, so a package of thousands of records costs a few dozen requests.
import type { FactSubgraphName } from '@newsfacts/platform/service-config';
import type { GraphClient } from './graph-client';
import { ServiceUnreachable } from './graph-client';

/** A record of the graph, as the importer needs it. */
export interface Found {
  id: string;
  slug: string | null;
  name: string;
  /** A source's text hash; a claim's words and aspect. */
  contentSha256?: string | null;
  text?: string;
  aspect?: string;
}

export type LookupKind = 'source' | 'place' | 'actor' | 'event' | 'claim' | 'statement';

const OWNER: Record<LookupKind, FactSubgraphName> = {
  source: 'statements',
  place: 'events',
  actor: 'actors',
  event: 'events',
  claim: 'statements',
  statement: 'statements',
};

const SELECTION: Record<LookupKind, string> = {
  source: 'id slug name: title contentSha256',
  place: 'id slug name',
  actor: 'id slug name',
  event: 'id slug name: title',
  claim: 'id name: text text aspect',
  statement: 'id',
};

const BY_SLUG: ReadonlySet<LookupKind> = new Set(['source', 'place', 'actor', 'event']);
const CHUNK = 100;

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));

/** Raises the first error of an answer that should have none (a read the importer depends on). */
function dataOf<Data>(service: FactSubgraphName, answer: { data: Data | null; errors: Array<{ message: string }> }) {
  if (answer.errors.length || !answer.data) {
    throw new ServiceUnreachable(service, answer.errors[0]?.message ?? 'no data');
  }
  return answer.data;
}

/** The records of one kind with these ids or slugs, keyed `id:<id>` / `slug:<slug>`; a merged record answers as its survivor. */
export async function findRecords(
  graph: GraphClient,
  kind: LookupKind,
  keys: Array<{ id: string } | { slug: string }>,
): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  const unique = [...new Map(keys.map((key) => [keyOf(key), key])).values()].filter(
    (key) => 'id' in key || BY_SLUG.has(kind),
  );
  for (const chunk of chunks(unique, CHUNK)) {
    const variables: Record<string, string> = {};
    const declarations: string[] = [];
    const fields = chunk.map((key, index) => {
      const argument = 'id' in key ? 'id' : 'slug';
      variables[`k${index}`] = 'id' in key ? key.id : key.slug;
      declarations.push(
        `$k${index}: ${argument === 'id' ? 'ID' : 'String'}${kind === 'claim' || kind === 'statement' ? '!' : ''}`,
      );
      return `r${index}: ${kind}(${argument}: $k${index}) { ${SELECTION[kind]} }`;
    });
    const query = `query ImportLookup(${declarations.join(', ')}) { ${fields.join(' ')} }`;
    const data = dataOf(OWNER[kind], await graph.request<Record<string, Found | null>>(OWNER[kind], query, variables));
    chunk.forEach((key, index) => {
      const record = data[`r${index}`];
      if (record) found.set(keyOf(key), { ...record, slug: record.slug ?? null });
    });
  }
  return found;
}

export const keyOf = (key: { id: string } | { slug: string }) => ('id' in key ? `id:${key.id}` : `slug:${key.slug}`);

export interface NameMatches {
  candidates: Array<{ id: string; slug: string; name: string; matchedName: string; matchedBy: 'NAME' | 'ALIAS' }>;
}

/** The actors each name may mean (case, accents and punctuation aside), by the name as given. */
export async function findActorsNamed(graph: GraphClient, names: string[]): Promise<Map<string, NameMatches>> {
  const matches = new Map<string, NameMatches>();
  for (const chunk of chunks([...new Set(names)], 1_000)) {
    const data = dataOf(
      'actors',
      await graph.request<{
        actorsNamed: Array<{
          name: string;
          candidates: Array<{
            actor: { id: string; slug: string; name: string };
            matchedName: string;
            matchedBy: 'NAME' | 'ALIAS';
          }>;
        }>;
      }>(
        'actors',
        `query ImportActorNames($names: [String!]!) {
          actorsNamed(names: $names) { name candidates { actor { id slug name } matchedName matchedBy } }
        }`,
        { names: chunk },
      ),
    );
    data.actorsNamed.forEach((entry, index) =>
      matches.set(chunk[index]!, {
        candidates: entry.candidates.map((candidate) => ({
          ...candidate.actor,
          matchedName: candidate.matchedName,
          matchedBy: candidate.matchedBy,
        })),
      }),
    );
  }
  return matches;
}

/** Every claim the graph holds about each event, by event id. */
export async function findClaimsOf(graph: GraphClient, eventIds: string[]): Promise<Map<string, Found[]>> {
  const claims = new Map<string, Found[]>();
  for (const eventId of new Set(eventIds)) {
    const all: Found[] = [];
    for (let after: string | null = null; ;) {
      const data: {
        claims: {
          nodes: Array<{ id: string; text: string; aspect: string }>;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
      } = dataOf(
        'statements',
        await graph.request(
          'statements',
          `query ImportEventClaims($eventId: ID!, $after: String) {
          claims(eventId: $eventId, first: 100, after: $after) { nodes { id text aspect } pageInfo { hasNextPage endCursor } }
        }`,
          { eventId, after },
        ),
      );
      all.push(...data.claims.nodes.map((claim) => ({ ...claim, slug: null, name: claim.text })));
      if (!data.claims.pageInfo.hasNextPage) break;
      after = data.claims.pageInfo.endCursor;
    }
    claims.set(eventId, all);
  }
  return claims;
}
