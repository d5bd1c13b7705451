// What the search index keeps of each searchable record: the text searched and shown in
// snippets, built from the record as its owner exports it. Plain functions over plain values.
import type { Feed } from '../webhooks/matching';

export const SEARCH_TYPES = ['EVENT', 'ACTOR', 'CLAIM', 'STATEMENT', 'SOURCE'] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

/** Each indexed record type: the enum value the API shows, and the service whose feed and export carry it. */
export const INDEXED_TYPES = {
  Event: { searchType: 'EVENT', feed: 'events' },
  Actor: { searchType: 'ACTOR', feed: 'actors' },
  Claim: { searchType: 'CLAIM', feed: 'statements' },
  Statement: { searchType: 'STATEMENT', feed: 'statements' },
  Source: { searchType: 'SOURCE', feed: 'statements' },
} as const satisfies Record<string, { searchType: SearchType; feed: Feed }>;
export type IndexedType = keyof typeof INDEXED_TYPES;

export const isIndexedType = (type: string): type is IndexedType => Object.hasOwn(INDEXED_TYPES, type);
export const typesOfFeed = (feed: Feed): IndexedType[] =>
  (Object.keys(INDEXED_TYPES) as IndexedType[]).filter((type) => INDEXED_TYPES[type].feed === feed);
export const indexedTypeOf = (searchType: SearchType): IndexedType =>
  (Object.keys(INDEXED_TYPES) as IndexedType[]).find((type) => INDEXED_TYPES[type].searchType === searchType)!;

export interface SearchDocument {
  type: IndexedType;
  id: string;
  body: string;
  folded: string;
}

/** Latin letters without their accents ("Zelenskyy", "Hladkóv" → "Hladkov"); other scripts as they are. */
export const foldAccents = (text: string): string => text.normalize('NFKD').replace(/\p{M}/gu, '');

/** A record as the owner's export page gives it; only the fields searched are read. */
export interface ExportedRecord {
  id: string;
  title?: string | null;
  summary?: string | null;
  name?: string | null;
  aliases?: Array<{ name: string }>;
  text?: string | null;
  quote?: string | null;
  paraphrase?: string | null;
}

const joined = (...parts: Array<string | null | undefined>) => parts.filter((part) => part?.trim()).join(' ');

/** The searched text of one record: an event's title and summary, an actor's name and every alias, … */
export function bodyOf(type: IndexedType, record: ExportedRecord): string {
  switch (type) {
    case 'Event':
      return record.summary?.trim() ? `${record.title ?? ''}. ${record.summary}` : (record.title ?? '');
    case 'Actor': {
      const aliases = (record.aliases ?? []).map((alias) => alias.name).sort((a, b) => a.localeCompare(b));
      return aliases.length ? `${record.name ?? ''} (${aliases.join(' · ')})` : (record.name ?? '');
    }
    case 'Claim':
      return record.text ?? '';
    case 'Statement':
      return joined(record.quote, record.paraphrase);
    case 'Source':
      return record.title ?? '';
  }
}

export function documentOf(type: IndexedType, record: ExportedRecord): SearchDocument {
  const body = bodyOf(type, record);
  return { type, id: record.id, body, folded: foldAccents(body) };
}
