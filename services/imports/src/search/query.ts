// The graph's one search box, over the search index (indexer.ts keeps it):
//  - words, stemmed (PostgreSQL full text, English): "drones Kremlin" finds "Drone incident over
//    the Kremlin", whatever the order and inflection;
//  - misspellings and transliterations, by trigram word similarity on the text with its accents
//    taken off: "Byransk" finds Bryansk, "Gladkow" finds Gladkov;
//  - the query's exact words in a row rank higher than the same words scattered.
// Both matches go through the index's GIN indexes (the stored tsvector, and gin_trgm_ops on the
// folded text), so a search reads the documents that match, not every document.
import { badUserInput } from '@newsfacts/platform/errors';
import type { ImportsPrisma } from '../db';
import {
  foldAccents,
  INDEXED_TYPES,
  indexedTypeOf,
  SEARCH_TYPES,
  type IndexedType,
  type SearchType,
} from './documents';

export const MAX_QUERY_LENGTH = 200;
/**
 * How alike a word of the text must be to the query (pg_trgm word_similarity, 0–1): one swapped
 * pair of letters in a seven-letter word ("Byransk" for Bryansk) scores 0.375.
 */
export const FUZZY_THRESHOLD = 0.35;
const MAX_FIRST = 50;
const SEARCH_TIMEOUT_MS = 30_000;
const MAX_DEPTH = 500;

export interface SearchHit {
  type: IndexedType;
  searchType: SearchType;
  id: string;
  score: number;
  snippet: string;
}

export interface SearchPage {
  hits: SearchHit[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** The query as searched: trimmed, checked, and without accents for the fuzzy part. */
export function searchQuery(query: string): { text: string; folded: string } {
  const text = query.trim().replace(/\s+/g, ' ');
  if (!text) throw badUserInput('query must have at least one letter or digit.', { argument: 'query' });
  if (text.length > MAX_QUERY_LENGTH) {
    throw badUserInput(`query must be at most ${MAX_QUERY_LENGTH} characters.`, { argument: 'query' });
  }
  return { text, folded: foldAccents(text) };
}

const encodeOffset = (offset: number) => Buffer.from(`search:${offset}`, 'utf8').toString('base64url');
function decodeOffset(after: string): number {
  const match = /^search:(\d{1,4})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
  if (!match || Number(match[1]) > MAX_DEPTH) {
    throw badUserInput('after must be an endCursor of this search.', { argument: 'after' });
  }
  return Number(match[1]);
}

interface HitRow {
  type: IndexedType;
  id: string;
  score: number;
  snippet: string;
}

export async function search(
  prisma: ImportsPrisma,
  args: { query: string; types?: readonly SearchType[] | null; first?: number | null; after?: string | null },
): Promise<SearchPage> {
  const query = searchQuery(args.query);
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 1 || first > MAX_FIRST) {
    throw badUserInput(`first must be between 1 and ${MAX_FIRST}.`, { argument: 'first' });
  }
  const offset = args.after ? decodeOffset(args.after) : 0;
  const types = (args.types?.length ? [...new Set(args.types)] : SEARCH_TYPES).map(indexedTypeOf);
  const phrase = `%${query.text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  const rows = await prisma.$transaction(
    async (tx) => {
      // `<%` is word_similarity at or above this threshold, and what the trigram index answers.
      await tx.$executeRaw`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(FUZZY_THRESHOLD)}, true)`;
      // Scored and cut to the page first; snippets (ts_headline reads the whole body) only for the page.
      return tx.$queryRaw<HitRow[]>`
      SELECT hit.type, hit.id::text AS id, hit.score,
             ts_headline('english', hit.body, websearch_to_tsquery('english', ${query.text}),
                         'StartSel=«, StopSel=», MaxWords=24, MinWords=8, ShortWord=2, MaxFragments=1') AS snippet
      FROM (
        SELECT doc.type, doc.id, doc.body,
               (ts_rank_cd(doc.words, asked) * 2
                + word_similarity(${query.folded}, doc.folded)
                + CASE WHEN doc.body ILIKE ${phrase} THEN 1 ELSE 0 END)::float8 AS score
        FROM "SearchDocument" doc, websearch_to_tsquery('english', ${query.text}) asked
        WHERE doc.type = ANY(${types}::text[])
          AND (doc.words @@ asked OR ${query.folded} <% doc.folded)
        ORDER BY score DESC, doc.id
        LIMIT ${first + 1} OFFSET ${offset}
      ) hit
      ORDER BY hit.score DESC, hit.id`;
    },
    // Prisma's default is 5 s. The gateway's own timeout decides how long a client waits; a
    // search over common words on a large index can take longer than 5 s (docs/search.md).
    { timeout: SEARCH_TIMEOUT_MS },
  );
  const hits = rows.slice(0, first).map((row) => ({
    ...row,
    score: Number(row.score),
    searchType: INDEXED_TYPES[row.type].searchType,
  }));
  const hasNextPage = rows.length > first && offset + first < MAX_DEPTH;
  return { hits, hasNextPage, endCursor: hits.length ? encodeOffset(offset + hits.length) : null };
}
