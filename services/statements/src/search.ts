// The graph's one search box: this service's claims, statements and sources, and the events
// and actors services' best matches (asked of them, each over its own text), ranked together.
// Every service scores alike (platform/search.ts), so the scores compare.
import { badUserInput } from '@newsfacts/platform/errors';
import type { PeerClient } from '@newsfacts/platform/peers';
import { searchCandidates, searchQuery, searchSqlFor, type SearchCandidate } from '@newsfacts/platform/search';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { sql } from '@newsfacts/platform/sql';
import type { StatementsPrisma } from './db';

export const SEARCH_TYPES = ['EVENT', 'ACTOR', 'CLAIM', 'STATEMENT', 'SOURCE'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];
const MAX_FIRST = 50;
const MAX_DEPTH = 500;

const TYPE_OF: Record<string, SearchType> = {
  Event: 'EVENT',
  Actor: 'ACTOR',
  Claim: 'CLAIM',
  Statement: 'STATEMENT',
  Source: 'SOURCE',
};

export interface RankedHit extends SearchCandidate {
  searchType: SearchType;
}

const encodeOffset = (offset: number) => Buffer.from(`search:${offset}`, 'utf8').toString('base64url');
function decodeOffset(after: string): number {
  const match = /^search:(\d{1,4})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!match || Number(match[1]) > MAX_DEPTH) {
    throw badUserInput('after must be an endCursor of this search.', { argument: 'after' });
  }
  return Number(match[1]);
}

export interface SearchPage {
  hits: RankedHit[];
  hasNextPage: boolean;
  endCursor: string | null;
}

export async function search(
  prisma: StatementsPrisma,
  peers: PeerClient,
  principal: ForwardedPrincipal | null,
  args: { query: string; types?: readonly SearchType[] | null; first?: number | null; after?: string | null },
): Promise<SearchPage> {
  const query = searchQuery(args.query);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw badUserInput(`first must be between 1 and ${MAX_FIRST}.`, { argument: 'first' });
  }
  const offset = args.after ? decodeOffset(args.after) : 0;
  const limit = offset + first + 1;
  const wanted = new Set<SearchType>(args.types?.length ? args.types : SEARCH_TYPES);

  const local = [
    wanted.has('CLAIM') && searchSqlFor({ type: 'Claim', from: '"Claim"', text: sql`text`, query, limit }),
    wanted.has('STATEMENT') &&
      searchSqlFor({
        type: 'Statement',
        from: '"Statement"',
        text: sql`concat_ws(' ', quote, paraphrase)`,
        query,
        limit,
      }),
    wanted.has('SOURCE') && searchSqlFor({ type: 'Source', from: '"Source"', text: sql`title`, query, limit }),
  ].filter((each) => each !== false);
  const ask = async (service: 'events' | 'actors', field: string) => {
    const data = await peers.query<Record<string, SearchCandidate[]>>(
      service,
      `query($query: String!, $first: Int!) { ${field}(query: $query, first: $first) { type id score snippet } }`,
      { query: query.text, first: limit },
      principal,
    );
    return data[field]!;
  };
  const found = await Promise.all([
    searchCandidates(prisma, local),
    wanted.has('EVENT') ? ask('events', 'eventSearchCandidates') : [],
    wanted.has('ACTOR') ? ask('actors', 'actorSearchCandidates') : [],
  ]);
  const ranked = found
    .flat()
    .map((hit) => ({ ...hit, searchType: TYPE_OF[hit.type]! }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  const hits = ranked.slice(offset, offset + first);
  const hasNextPage = ranked.length > offset + first && offset + first < MAX_DEPTH;
  return { hits, hasNextPage, endCursor: hits.length ? encodeOffset(offset + hits.length) : null };
}
