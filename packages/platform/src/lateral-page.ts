import { pageLoader } from './loaders';
import type { RawQueryable } from './raw-reads';
import { empty, join, raw, sql, type Sql } from './sql';

/**
 * The first rows of a list relation for every parent of a batch, in one statement.
 *
 * Shaped so because a list under a parent must cost the same however many parents a request
 * has and however many rows each parent holds. The parents arrive as arrays (`unnest`); for
 * each, a LATERAL subquery walks the rows in index order and stops after `first`, selecting
 * only their keys (`t.id`), which lets it be an index-only scan. Only those rows are then read
 * whole. Asked for whole rows inside the subquery, the planner, guessing from the average
 * parent that a parent has few rows, reads every row of a busy parent through a bitmap scan
 * and sorts them all.
 *
 * An index cannot give NULLS LAST after DESC, so a page ordered by a nullable column descending
 * reads the dated and the undated rows each in index order, `first` of each, and merges the two
 * short runs.
 */
export interface LateralPage {
  /** The table the list's rows live in. */
  table: string;
  /**
   * The columns that name a row's parent, each with its SQL type and the parents' values
   * (one entry per parent, aligned across columns).
   */
  parent: ParentColumn | readonly ParentColumn[];
  /** Extra conditions on a candidate row, given the alias it goes by. */
  where?: (row: string) => Sql;
  /** The page's order: an index on (parent columns, these columns) serves it. */
  orderBy: readonly OrderColumn[];
  first: number;
  /** A column unique within one parent, read first and then joined back: `id` unless given. */
  key?: string;
  /**
   * Read whole rows inside the subquery instead of keys. For pages whose `where` reads each
   * row anyway (a condition on other tables), where a second lookup would only add work.
   */
  wholeRows?: boolean;
}

export interface ParentColumn {
  column: string;
  type: 'uuid' | 'text';
  values: readonly string[];
}

export interface OrderColumn {
  column: string;
  descending?: boolean;
  /** Where NULLs go; only a nullable column needs it. */
  nulls?: 'first' | 'last';
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A quoted column or table name; names come from code, and a typo should fail loudly here. */
function quote(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not an SQL identifier: ${name}`);
  return `"${name}"`;
}

const column = (alias: string | null, name: string) => raw(alias ? `${alias}.${quote(name)}` : quote(name));

/** `order` as the terms of an ORDER BY over the row named `alias` (or unqualified). */
export function orderClause(alias: string | null, order: readonly OrderColumn[]): Sql {
  return join(
    order.map((item) => {
      const direction = item.descending ? ' DESC' : ' ASC';
      const nulls = item.nulls ? ` NULLS ${item.nulls.toUpperCase()}` : '';
      return sql`${column(alias, item.column)}${raw(direction + nulls)}`;
    }),
    ', ',
  );
}

/** The SQL of a LateralPage; its rows come out grouped by parent, each parent's in page order. */
export function lateralPage(page: LateralPage): Sql {
  const parents = Array.isArray(page.parent) ? (page.parent as readonly ParentColumn[]) : [page.parent as ParentColumn];
  const table = raw(quote(page.table));
  const key = page.key ?? 'id';
  const first = page.first;

  const parentNames = parents.map((_parent, index) => `parent_${index}`);
  const unnest = join(
    parents.map((parent) => sql`${parent.values}::${raw(`${parent.type}[]`)}`),
    ', ',
  );
  const ofParent = (alias: string) =>
    join(
      parents.map((parent, index) => sql`${column(alias, parent.column)} = parent.${raw(parentNames[index]!)}`),
      ' AND ',
    );
  const extra = (alias: string) => (page.where ? sql` AND ${page.where(alias)}` : empty);
  const outerOrder = (alias: string) =>
    sql`${join(
      parents.map((parent) => column(alias, parent.column)),
      ', ',
    )}, ${orderClause(alias, page.orderBy)}`;
  const from = sql`FROM unnest(${unnest}) AS parent(${raw(parentNames.join(', '))})`;

  if (page.wholeRows) {
    return sql`
      SELECT listed.* ${from}
      CROSS JOIN LATERAL (
        SELECT * FROM ${table} t WHERE ${ofParent('t')}${extra('t')}
        ORDER BY ${orderClause('t', page.orderBy)} LIMIT ${first}) listed
      ORDER BY ${outerOrder('listed')}`;
  }

  const [leading, ...rest] = page.orderBy;
  const splitRuns = leading?.descending && leading.nulls === 'last';
  const picked = splitRuns
    ? (() => {
        // The columns the merge orders by must come out of both runs.
        const carried = join(
          [...new Set([key, ...page.orderBy.map((item) => item.column)])].map((name) => column('t', name)),
          ', ',
        );
        const restOrder = rest.length ? sql`, ${orderClause('t', rest)}` : empty;
        const dated = sql`(SELECT ${carried} FROM ${table} t WHERE ${ofParent('t')}${extra('t')}
            AND ${column('t', leading.column)} IS NOT NULL
            ORDER BY ${column('t', leading.column)} DESC${restOrder} LIMIT ${first})`;
        const undated = sql`(SELECT ${carried} FROM ${table} t WHERE ${ofParent('t')}${extra('t')}
            AND ${column('t', leading.column)} IS NULL
            ORDER BY ${rest.length ? orderClause('t', rest) : column('t', key)} LIMIT ${first})`;
        return sql`SELECT * FROM (${dated} UNION ALL ${undated}) both_runs
          ORDER BY ${orderClause(null, page.orderBy)} LIMIT ${first}`;
      })()
    : sql`SELECT ${column('t', key)} FROM ${table} t WHERE ${ofParent('t')}${extra('t')}
          ORDER BY ${orderClause('t', page.orderBy)} LIMIT ${first}`;
  const joinBack =
    key === 'id'
      ? sql`listed.id = page.id`
      : sql`${ofParent('listed')} AND ${column('listed', key)} = ${column('page', key)}`;
  return sql`
    SELECT listed.* ${from}
    CROSS JOIN LATERAL (${picked}) page
    JOIN ${table} listed ON ${joinBack}
    ORDER BY ${outerOrder('listed')}`;
}

export interface LateralPageLoaderSpec<Row, Filters> extends Omit<LateralPage, 'parent' | 'first' | 'where'> {
  /** The column naming each row's parent: the loader's keys are its values. */
  parentColumn: keyof Row & string;
  /** The list field's filters as extra conditions on a candidate row, if they narrow it. */
  where?: (filters: Filters) => ((row: string) => Sql) | undefined;
}

/**
 * A pageLoader over a lateralPage: `load(parent, first, filters)` gives a parent's first rows,
 * and every parent asked for in one tick with the same `first` and filters costs one statement.
 */
export function lateralPageLoader<Row, Filters = null>(reads: RawQueryable, spec: LateralPageLoaderSpec<Row, Filters>) {
  const { parentColumn, where, ...page } = spec;
  return pageLoader(
    (parents, first, filters: Filters) =>
      reads.$queryRaw<Row[]>(
        lateralPage({
          ...page,
          parent: { column: parentColumn, type: 'uuid', values: parents },
          first,
          where: where?.(filters),
        }),
      ),
    (row: Row) => String(row[parentColumn]),
    `lateralPage ${page.table}`,
  );
}
