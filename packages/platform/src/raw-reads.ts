/**
 * Reads as plain SQL on the driver adapter a Prisma client stands on, for the loaders every
 * request goes through: the statement is sent as it is written and its rows come back as Prisma's
 * would (timestamps and dates as Date objects, enums as strings, the columns' own names), without
 * Prisma's query compiler and interpreter, which cost a request more CPU than the reads do.
 *
 * It goes through the same adapter (the pg pool, the read replicas' routing pool, or PGlite)
 * and so through its statement observer: a raw read is counted, timed and traced as Prisma's are.
 * `RAW_SQL_READS=false` turns it off; the loaders then read through Prisma as before.
 */
import {
  ColumnTypeEnum,
  type ArgType,
  type SqlDriverAdapter,
  type SqlDriverAdapterFactory,
  type SqlResultSet,
} from '@prisma/driver-adapter-utils';
import { join, raw, sql, type Sql } from './sql';

/** What a loader needs to read with SQL: a Prisma client's `$queryRaw`, or this module's reader. */
export interface RawQueryable {
  $queryRaw<T = unknown>(query: Sql): Promise<T>;
}

/** A column type the driver hands over as text that Prisma's rows hold as something else. */
const CONVERSIONS: Partial<Record<number, (value: unknown) => unknown>> = {
  [ColumnTypeEnum.DateTime]: (value) => new Date(value as string),
  [ColumnTypeEnum.Date]: (value) => new Date(value as string),
  [ColumnTypeEnum.Int64]: (value) => BigInt(value as string),
  [ColumnTypeEnum.Json]: (value) => (typeof value === 'string' ? JSON.parse(value) : value),
};

function rowsOf({ columnNames, columnTypes, rows }: SqlResultSet): Array<Record<string, unknown>> {
  const conversions = columnTypes.map((type) => CONVERSIONS[type]);
  return rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++) {
      const value = values[i];
      const convert = conversions[i];
      row[columnNames[i]!] = value === null || value === undefined || !convert ? value : convert(value);
    }
    return row;
  });
}

// The parameters are strings, numbers and lists of strings; none needs converting on the way.
const SCALAR: ArgType = { scalarType: 'unknown', arity: 'scalar' };
const LIST: ArgType = { scalarType: 'unknown', arity: 'list' };

/** A reader on `adapter`'s own connection (opened at the first read, and again after a failed open). */
export function rawReads(adapter: SqlDriverAdapterFactory): RawQueryable {
  let connection: Promise<SqlDriverAdapter> | undefined;
  const connect = () =>
    (connection ??= adapter.connect().catch((error: unknown) => {
      connection = undefined;
      throw error;
    }));
  return {
    async $queryRaw<T>(query: Sql): Promise<T> {
      const driver = await connect();
      const result = await driver.queryRaw({
        sql: query.text,
        args: query.values,
        argTypes: query.values.map((value) => (Array.isArray(value) ? LIST : SCALAR)),
      });
      return rowsOf(result) as T;
    },
  };
}

const readers = new WeakMap<object, RawQueryable>();

/** Gives a Prisma client a raw reader on the adapter it was built on; its loaders will read through it. */
export function withRawReads<Prisma extends object>(prisma: Prisma, adapter: SqlDriverAdapterFactory): Prisma {
  readers.set(prisma, rawReads(adapter));
  return prisma;
}

/** The raw reader given to this client, if any: without one, loaders read through Prisma. */
export const rawReadsOf = (prisma: object): RawQueryable | undefined => readers.get(prisma);

/**
 * Rows of `table` by `id` (a uuid) or `slug`, with the model's scalar fields (a generated
 * `<Model>ScalarFieldEnum`) as the columns: what `viaPrisma`, a `findMany({ where: { [column]:
 * { in: keys } } })`, gives, as one plain statement with a raw reader, and `viaPrisma` without one.
 */
export function rowsWhereIn<Row>(
  reads: RawQueryable | undefined,
  table: string,
  fields: Record<string, string>,
  column: 'id' | 'slug',
  viaPrisma: (keys: string[]) => Promise<Row[]>,
): (keys: string[]) => Promise<Row[]> {
  if (!reads) return viaPrisma;
  const columns = join(
    Object.values(fields).map((field) => raw(`"${field}"`)),
    ', ',
  );
  const from = raw(`"${table}" WHERE "${column}" = ANY(`);
  const cast = raw(column === 'id' ? '::uuid[])' : '::text[])');
  return (keys) => reads.$queryRaw<Row[]>(sql`SELECT ${columns} FROM ${from}${keys}${cast}`);
}
