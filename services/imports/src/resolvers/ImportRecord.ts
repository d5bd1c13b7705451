import type { FieldError } from '@newsfacts/platform/writes';
import type { ImportRecordResolvers } from '../generated/graphql.ts';
import { pathOf, type Candidate } from '../importer/report';

export const ImportRecord: ImportRecordResolvers = {
  path: (record) => pathOf(record),
  candidates: (record) => (record.candidates as Candidate[] | null) ?? [],
  errors: (record) => (record.errors as FieldError[] | null) ?? [],
};
