// Search that forgives spelling, in each service over its own text, ranked the same way so that
// the statements service can merge the three into one list:
//  - words, stemmed (PostgreSQL full text, English): "drones Kremlin" finds "Drone incident over
//    the Kremlin", whatever the order and inflection;
//  - misspellings and transliterations, by trigram word similarity on the text with its accents
//    taken off: "Byransk" finds Bryansk, "Gladkow" finds Gladkov;
//  - the query's exact words in a row rank higher than the same words scattered.
import { badUserInput } from './errors';
import { raw, sql, type Sql } from './sql';

export const MAX_QUERY_LENGTH = 200;
/**
 * How alike a word of the text must be to the query (pg_trgm word_similarity, 0–1): one swapped
 * pair of letters in a seven-letter word ("Byransk" for Bryansk) scores 0.375.
 */
export const FUZZY_THRESHOLD = 0.35;

/** A hit before it is resolved: the record's type and id, how well it matched, and a snippet. */
export interface SearchCandidate {
  type: string;
  id: string;
  score: number;
  snippet: string;
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

/** Latin letters without their accents ("Zelenskyy", "Hladkóv" → "Hladkov"); other scripts as they are. */
export const foldAccents = (text: string): string => text.normalize('NFKD').replace(/\p{M}/gu, '');

/** SQL for a text column with accents taken off, matching foldAccents for Latin letters. */
const folded = (expression: Sql): Sql =>
  sql`translate(${expression}, 'áàâäãåāăąçćčďéèêëēėęěíìîïīįłńňñóòôöõøōőŕřśšşťúùûüūůűųýÿźžżÁÀÂÄÃÅĀĂĄÇĆČĎÉÈÊËĒĖĘĚÍÌÎÏĪĮŁŃŇÑÓÒÔÖÕØŌŐŔŘŚŠŞŤÚÙÛÜŪŮŰŲÝŸŹŽŻ', 'aaaaaaaaacccdeeeeeeeeiiiiiilnnnoooooooorrssstuuuuuuuuyyzzzAAAAAAAAACCCDEEEEEEEEIIIIIILNNNOOOOOOOORRSSSTUUUUUUUUYYZZZ')`;

/**
 * One type's candidates: rows of `from` whose `text` (SQL over the row) matches by words or
 * nearly, scored: full-text rank (times two), plus word similarity, plus one for the exact
 * phrase. `snippet` is ts_headline over the same text, the matched words in «».
 */
export function searchSqlFor(options: {
  type: string;
  /** A table, or a subquery with an alias, whose rows have an `id`. */
  from: string;
  text: Sql;
  query: { text: string; folded: string };
  limit: number;
}): Sql {
  const { query } = options;
  const phrase = `%${query.text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  return sql`
    SELECT ${options.type}::text AS type, id::text AS id,
           (ts_rank_cd(to_tsvector('english', body), websearch_to_tsquery('english', ${query.text})) * 2
            + word_similarity(${query.folded}, ${folded(sql`body`)})
            + CASE WHEN body ILIKE ${phrase} THEN 1 ELSE 0 END)::float8 AS score,
           ts_headline('english', body, websearch_to_tsquery('english', ${query.text}),
                       'StartSel=«, StopSel=», MaxWords=24, MinWords=8, ShortWord=2, MaxFragments=1') AS snippet
    FROM (SELECT *, ${options.text} AS body FROM ${raw(options.from)}) candidate
    WHERE to_tsvector('english', body) @@ websearch_to_tsquery('english', ${query.text})
       OR word_similarity(${query.folded}, ${folded(sql`body`)}) >= ${FUZZY_THRESHOLD}
    ORDER BY score DESC, id
    LIMIT ${options.limit}`;
}

/** Runs the candidates' SQL and gives the rows as SearchCandidates. */
export async function searchCandidates(
  prisma: { $queryRaw<T>(query: Sql): PromiseLike<T> },
  queries: Sql[],
): Promise<SearchCandidate[]> {
  const rows = await Promise.all(queries.map((query) => prisma.$queryRaw<SearchCandidate[]>(query)));
  return rows.flat().map((row) => ({ ...row, score: Number(row.score) }));
}
