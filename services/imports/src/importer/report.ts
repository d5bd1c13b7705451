// What an import says about each record of its package: the report a job keeps and returns.
import type { FieldError } from '@newsfacts/platform/writes';

export type RecordKind = 'SOURCE' | 'PLACE' | 'ACTOR' | 'EVENT' | 'CLAIM' | 'STATEMENT';
export type Outcome = 'CREATED' | 'UNCHANGED' | 'MATCHED' | 'AMBIGUOUS' | 'REJECTED';
export type MatchedBy = 'EXTERNAL_ID' | 'SLUG' | 'NAME' | 'ALIAS' | 'TEXT';

export interface Candidate {
  id: string;
  slug: string | null;
  name: string;
  matchedName: string;
}

export interface RecordReport {
  /** Its place in the report: the package's order, source first. */
  position: number;
  kind: RecordKind;
  key: string;
  /** Its index in the package's list of its kind; null for the source. */
  index: number | null;
  /** Null until the import decides. */
  outcome: Outcome | null;
  recordId: string | null;
  slug: string | null;
  matchedBy: MatchedBy | null;
  matchedName: string | null;
  candidates: Candidate[];
  /** At paths in the package, e.g. ["statements", "3", "quote"]. */
  errors: FieldError[];
}

/** The package's list each kind lives in, for paths in errors. */
export const LIST_OF: Record<RecordKind, string> = {
  SOURCE: 'source',
  PLACE: 'places',
  ACTOR: 'actors',
  EVENT: 'events',
  CLAIM: 'claims',
  STATEMENT: 'statements',
};

/** Where a record is in the package: ["statements", "3"], or ["source"]. */
export const pathOf = (record: Pick<RecordReport, 'kind' | 'index'>): string[] =>
  record.index === null ? [LIST_OF[record.kind]] : [LIST_OF[record.kind], String(record.index)];

export function countOutcomes(records: RecordReport[]): Record<Lowercase<Outcome>, number> {
  const counts = { created: 0, unchanged: 0, matched: 0, ambiguous: 0, rejected: 0 };
  for (const record of records) if (record.outcome) counts[record.outcome.toLowerCase() as Lowercase<Outcome>]++;
  return counts;
}
