/**
 * A comparable description of a PostgreSQL schema, read from the catalogs: tables with their
 * columns (type, nullability, default), enums with their labels in order, indexes with their
 * definitions, and constraints (primary, unique, foreign keys, checks). Column order is left
 * out, since a column added by a later migration comes last. Everything is sorted by name, so
 * two databases built differently compare with `toEqual`.
 */
export interface Queryable {
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface SchemaCatalog {
  tables: Record<string, Record<string, { type: string; nullable: boolean; default: string | null }>>;
  enums: Record<string, string[]>;
  indexes: Record<string, string>;
  constraints: Record<string, string>;
}

/** Tables left out by default: the migration runner's own bookkeeping. */
export const DEFAULT_IGNORED_TABLES = ['_prisma_migrations'];

export async function readSchemaCatalog(
  db: Queryable,
  { schema = 'public', ignoreTables = DEFAULT_IGNORED_TABLES }: { schema?: string; ignoreTables?: string[] } = {},
): Promise<SchemaCatalog> {
  const params = [schema, ignoreTables];
  const columns = await db.query<{
    table: string;
    column: string;
    type: string;
    notnull: boolean;
    default: string | null;
  }>(
    `SELECT c.relname AS "table", a.attname AS "column", format_type(a.atttypid, a.atttypmod) AS "type",
            a.attnotnull AS "notnull", pg_get_expr(d.adbin, d.adrelid) AS "default"
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') AND NOT (c.relname = ANY($2))
      ORDER BY 1, 2`,
    params,
  );
  const enums = await db.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS "name", array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS "labels"
       FROM pg_type t
       JOIN pg_namespace n ON n.oid = t.typnamespace
       JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = $1
      GROUP BY t.typname
      ORDER BY 1`,
    [schema],
  );
  const indexes = await db.query<{ name: string; definition: string }>(
    `SELECT indexname AS "name", indexdef AS "definition"
       FROM pg_indexes
      WHERE schemaname = $1 AND NOT (tablename = ANY($2))
      ORDER BY 1`,
    params,
  );
  const constraints = await db.query<{ table: string; name: string; definition: string }>(
    `SELECT c.relname AS "table", k.conname AS "name", pg_get_constraintdef(k.oid) AS "definition"
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND NOT (c.relname = ANY($2))
      ORDER BY 1, 2`,
    params,
  );

  const catalog: SchemaCatalog = { tables: {}, enums: {}, indexes: {}, constraints: {} };
  for (const row of columns) {
    catalog.tables[row.table] ??= {};
    catalog.tables[row.table]![row.column] = { type: row.type, nullable: !row.notnull, default: row.default };
  }
  for (const row of enums) catalog.enums[row.name] = row.labels;
  for (const row of indexes) catalog.indexes[row.name] = row.definition;
  for (const row of constraints) catalog.constraints[`${row.table}.${row.name}`] = row.definition;
  return catalog;
}
