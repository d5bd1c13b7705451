// The change feed of one service: its change log (recordChange appends to it in every write's
// own transaction) served as pages a client resumes from with a cursor.
//
// Why not simply "seq greater than the last one seen": sequence numbers are taken when a row is
// inserted, not when its transaction commits, so a write that took seq 11 and commits after one
// that took seq 12 would be passed over by a client that already read 12. Instead each entry
// carries its transaction's id (txid), the feed is ordered by (txid, seq), and it serves only
// entries whose transaction id is below the oldest transaction still running on the server
// (pg_snapshot_xmin): every transaction below it has ended, and every later one gets a higher
// id, so nothing can appear behind a cursor. A long transaction delays the feed; it never lets a
// client miss an entry.
import { ErrorCode, badUserInput, codedError } from './errors';
import { empty, sql } from './sql';

/** How long the change log is kept, and so how old a cursor may be. */
export const CHANGE_LOG_RETENTION_DAYS = 30;
export const DEFAULT_CHANGES_PAGE = 100;
export const MAX_CHANGES_PAGE = 1_000;

export interface ChangeEntry {
  cursor: string;
  entityType: string;
  entityId: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'MERGE';
  at: Date;
  fields: string[];
  survivorId: string | null;
}

export interface ChangePage {
  nodes: ChangeEntry[];
  /** Where to resume: the last entry's cursor, or the one given when there was nothing new. */
  endCursor: string | null;
  hasNextPage: boolean;
}

interface Position {
  txid: string;
  seq: string;
  /**
   * When the entry was written, or for a cursor handed out where a feed ended, when it was handed
   * out (ms): a cursor is refused once that is older than the retention.
   */
  at: number;
}

interface ChangeRow {
  seq: bigint;
  txid: string;
  entityType: string;
  entityId: string;
  operation: ChangeEntry['operation'];
  at: Date;
  fields: string[];
  survivorId: string | null;
}

interface RawReader {
  $queryRaw<T>(query: ReturnType<typeof sql>): PromiseLike<T>;
}

const CURSOR_VERSION = 'c1';

export const encodeCursor = (position: Position): string =>
  Buffer.from(`${CURSOR_VERSION}.${position.txid}.${position.seq}.${position.at}`, 'utf8').toString('base64url');

/** The position a cursor names, or null when it is not one this feed gave. */
export function decodeCursor(cursor: string): Position | null {
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (parts.length !== 4 || parts[0] !== CURSOR_VERSION) return null;
  const [, txid, seq, at] = parts as [string, string, string, string];
  if (!/^\d{1,20}$/.test(txid) || !/^\d{1,20}$/.test(seq) || !/^\d{1,15}$/.test(at)) return null;
  return { txid, seq, at: Number(at) };
}

/** One page of a service's changes after `after` (from the start without one). */
export async function readChanges(
  prisma: RawReader,
  options: { after?: string | null; first?: number | null; now?: Date },
): Promise<ChangePage> {
  const first = options.first ?? DEFAULT_CHANGES_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_CHANGES_PAGE) {
    throw badUserInput(`first must be between 1 and ${MAX_CHANGES_PAGE}.`, { field: 'first' });
  }
  const now = options.now ?? new Date();
  let from: Position | null = null;
  if (options.after) {
    from = decodeCursor(options.after);
    if (!from) throw badUserInput('after is not a cursor this feed gave.', { field: 'after' });
    const oldest = now.getTime() - CHANGE_LOG_RETENTION_DAYS * 86_400_000;
    if (from.at < oldest) {
      throw codedError(
        ErrorCode.CURSOR_EXPIRED,
        `This cursor is older than the ${CHANGE_LOG_RETENTION_DAYS} days the change log is kept: export the data anew and follow the feed from the export's cursor.`,
      );
    }
  }
  const after = from ? sql`AND (txid, seq) > (${from.txid}::xid8, ${from.seq}::bigint)` : empty;
  const rows = await prisma.$queryRaw<ChangeRow[]>(sql`
    SELECT seq, txid::text AS txid, "entityType", "entityId"::text AS "entityId", operation::text AS operation,
           at, fields, "survivorId"::text AS "survivorId"
    FROM "Change"
    WHERE txid < pg_snapshot_xmin(pg_current_snapshot()) ${after}
    ORDER BY txid, seq
    LIMIT ${first + 1}`);
  const page = rows.slice(0, first);
  const nodes = page.map((row): ChangeEntry => ({
    cursor: encodeCursor({ txid: row.txid, seq: String(row.seq), at: row.at.getTime() }),
    entityType: row.entityType,
    entityId: row.entityId,
    operation: row.operation,
    at: row.at,
    fields: row.fields,
    survivorId: row.survivorId,
  }));
  // Nothing new: the same place, stamped now. Nothing after it can be older than that, so a
  // client polling a feed that stays quiet for a month keeps a cursor that does not expire.
  const endCursor = nodes.at(-1)?.cursor ?? (from ? encodeCursor({ ...from, at: now.getTime() }) : null);
  return { nodes, endCursor, hasNextPage: rows.length > first };
}

/**
 * A cursor at the newest entry a reader may see now (null for an empty log): follow from it to
 * see only what comes after. Stamped now, not with the entry's time, since it says where the
 * feed ends now: the head of a feed quiet for a month is not an expired cursor.
 */
export async function feedHead(prisma: RawReader, now = new Date()): Promise<string | null> {
  const [row] = await prisma.$queryRaw<Array<{ seq: bigint; txid: string }>>(sql`
    SELECT seq, txid::text AS txid FROM "Change"
    WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY txid DESC, seq DESC
    LIMIT 1`);
  return row ? encodeCursor({ txid: row.txid, seq: String(row.seq), at: now.getTime() }) : null;
}
