/**
 * Prisma's SQL template tag, for code outside a service (the platform, domain rules) that
 * builds fragments a service's `$queryRaw` runs. The same module every generated client uses,
 * so fragments nest in each other.
 */
import { empty, join, raw, sqltag as sql, Sql } from '@prisma/client/runtime/client';

export { empty, join, raw, sql, Sql };

/** `WHERE` with every condition, or nothing when there are none. */
export const whereAll = (conditions: readonly Sql[]): Sql =>
  conditions.length ? sql`WHERE ${join(conditions, ' AND ')}` : empty;

/** `row.column = ANY(values::type[])`: a list filter on an enum or text column. */
export const anyOf = (row: string, column: string, values: readonly string[], type: string): Sql =>
  sql`${raw(`${row}."${column}"`)} = ANY(${values}::${raw(`"${type}"[]`)})`;
