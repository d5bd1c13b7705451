import DataLoader from 'dataloader';
import { tracedBatch } from './tracing';

/** A list argument as a pageLoader filter: null for "all", else sorted without repeats. */
export const listFilter = <T extends string>(values: readonly T[] | null | undefined): T[] | null =>
  values?.length ? [...new Set(values)].sort() : null;

/**
 * The first rows of a list relation for each parent: a list field's page, with its `first` and
 * its filters. Keys asked for in one tick that share `first` and filters make one query for all
 * their parents, which must return at most `first` rows per parent, in order (a LATERAL join
 * with LIMIT does), so that a request costs the same number of statements however many parents
 * it has and however many rows each parent holds. Filters are compared as JSON: normalise them
 * (listFilter) before loading.
 */
export function pageLoader<Filters, Row>(
  fetch: (parents: readonly string[], first: number, filters: Filters) => Promise<Row[]>,
  parentOf: (row: Row) => string,
  /** What its batches are called in traces. */
  name = 'pageLoader',
): { load(parent: string, first: number, filters: Filters): Promise<Row[]> } {
  interface Key {
    parent: string;
    first: number;
    filters: Filters;
  }
  const groupOf = (key: Key) => JSON.stringify([key.first, key.filters]);
  const loader = new DataLoader<Key, Row[], string>(
    tracedBatch(name, async (keys: readonly Key[]) => {
      const groups = new Map<string, Key[]>();
      for (const key of keys) {
        const members = groups.get(groupOf(key));
        if (members) members.push(key);
        else groups.set(groupOf(key), [key]);
      }
      const rowsByKey = new Map<string, Row[]>();
      await Promise.all(
        [...groups].map(async ([group, members]) => {
          const { first, filters } = members[0]!;
          const byParent = new Map<string, Row[]>(members.map((key) => [key.parent, []]));
          for (const row of await fetch([...byParent.keys()], first, filters)) byParent.get(parentOf(row))?.push(row);
          for (const [parent, rows] of byParent) rowsByKey.set(`${parent}\u0000${group}`, rows);
        }),
      );
      return keys.map((key) => rowsByKey.get(`${key.parent}\u0000${groupOf(key)}`) ?? []);
    }),
    { cacheKeyFn: (key) => `${key.parent}\u0000${groupOf(key)}` },
  );
  return { load: (parent, first, filters) => loader.load({ parent, first, filters }) };
}

/**
 * Rows by a unique key, with a second look for keys the first did not find: `redirected`
 * answers those (a merged record's old id or slug) with the rows they now lead to, in one
 * more statement, made only when some key was missing.
 */
function rowsByKey<Row>(
  name: string,
  fetch: (keys: string[]) => Promise<Row[]>,
  keyOf: (row: Row) => string,
  redirected?: (missing: string[]) => Promise<Array<{ key: string; row: Row }>>,
) {
  return new DataLoader<string, Row | null>(
    tracedBatch(name, async (keys: readonly string[]) => {
      const found = new Map((await fetch([...keys])).map((row) => [keyOf(row), row]));
      const missing = keys.filter((key) => !found.has(key));
      if (redirected && missing.length) for (const { key, row } of await redirected(missing)) found.set(key, row);
      return keys.map((key) => found.get(key) ?? null);
    }),
  );
}

/** Rows by id: `fetch` gets the ids asked for in one tick, as a plain array for `{ id: { in } }`. */
export const rowsById = <Row extends { id: string }>(
  fetch: (ids: string[]) => Promise<Row[]>,
  redirected?: (missing: string[]) => Promise<Array<{ key: string; row: Row }>>,
) => rowsByKey('rowsById', fetch, (row) => row.id, redirected);

/** Rows by slug, likewise. */
export const rowsBySlug = <Row extends { slug: string }>(
  fetch: (slugs: string[]) => Promise<Row[]>,
  redirected?: (missing: string[]) => Promise<Array<{ key: string; row: Row }>>,
) => rowsByKey('rowsBySlug', fetch, (row) => row.slug, redirected);
