import { raw, sql, type Sql } from '@newsfacts/platform/sql';

/**
 * A position is held now when it has no end date or one still to come. `until` is a DATE,
 * read as UTC midnight, so a position ending today is already over.
 */
export const isHeldNow = (affiliation: { until: Date | null }, now = new Date()): boolean =>
  !affiliation.until || affiliation.until > now;

/** The same rule as a condition on the Affiliation row named `row`, for lists filtered in SQL. */
export const heldNowSql = (row: string): Sql =>
  sql`(${raw(row)}."until" IS NULL OR ${raw(row)}."until" > (now() AT TIME ZONE 'UTC')::date)`;
