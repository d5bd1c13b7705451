// The search index's follower: keeps one document per searchable record, from the three fact
// services' change feeds (its own cursors, apart from the webhooks').
//
// Each feed is read only when its service's change-log signal moved: the signal is answered from
// the service's memory while nothing is written (platform/change-log-signal.ts), so polling it
// often costs the fact services no SQL, and a write is findable within about one poll. A page of
// entries names records; their current content is fetched from the owners' export pages (the
// feed says what changed, never what it is now), so entries applied late or twice still leave
// the current text. A record the owner no longer has (deleted, or merged into another) loses its
// document. The page's documents and the feed's new cursor are written in one transaction; the
// cursor only moves from where the page was read, so a process that lost the race drops its page.
import type { Logger } from '@newsfacts/platform/logger';
import type { ImportsPrisma } from '../db';
import { exportPage, feedHead, readChangePage, type OwnerRoutesDeps } from '../owner-routes';
import { FEEDS, type Feed, type FeedEntry } from '../webhooks/matching';
import {
  documentOf,
  INDEXED_TYPES,
  isIndexedType,
  type ExportedRecord,
  type IndexedType,
  type SearchDocument,
} from './documents';
import { deleteDocuments, upsertDocuments } from './store';

/** Entries read from a feed at once, and records asked of an owner at once (its export page's most). */
const FEED_PAGE = 500;
const EXPORT_PAGE = 500;

export interface SearchIndexDeps extends OwnerRoutesDeps {
  prisma: ImportsPrisma;
  logger: Logger;
}

/** The index has no cursor for a feed: it was never built (or was emptied) and must be built first. */
export class IndexNotBuiltError extends Error {
  override name = 'IndexNotBuiltError';
}

class CursorMoved extends Error {}

type RecordKey = { type: IndexedType; id: string };

/** The records a page of entries is about: each entry's, and a merge's survivor (it gained the loser's names). */
export function recordsNamed(entries: FeedEntry[]): RecordKey[] {
  const keys = new Map<string, RecordKey>();
  for (const entry of entries) {
    if (!isIndexedType(entry.entityType)) continue;
    for (const id of [entry.entityId, entry.survivorId]) {
      if (id) keys.set(`${entry.entityType}:${id}`, { type: entry.entityType, id });
    }
  }
  return [...keys.values()];
}

/** The current documents of `keys` from their owners, and the keys the owners no longer have. */
async function currentDocuments(
  deps: OwnerRoutesDeps,
  keys: RecordKey[],
): Promise<{ documents: SearchDocument[]; gone: RecordKey[] }> {
  const documents: SearchDocument[] = [];
  const gone: RecordKey[] = [];
  const types = [...new Set(keys.map((key) => key.type))];
  for (const type of types) {
    const ids = keys.filter((key) => key.type === type).map((key) => key.id);
    for (let start = 0; start < ids.length; start += EXPORT_PAGE) {
      const asked = ids.slice(start, start + EXPORT_PAGE);
      const rows = await exportPage<ExportedRecord>(deps, INDEXED_TYPES[type].feed, {
        type,
        ids: asked,
        limit: EXPORT_PAGE,
      });
      const found = new Set(rows.map((row) => row.id));
      documents.push(...rows.map((row) => documentOf(type, row)));
      gone.push(...asked.filter((id) => !found.has(id)).map((id) => ({ type, id })));
    }
  }
  return { documents, gone };
}

/** Applies a feed up to its end; answers how many entries it read. */
export async function applyFeed(deps: SearchIndexDeps, feed: Feed): Promise<number> {
  const { prisma } = deps;
  let read = 0;
  for (;;) {
    const state = await prisma.searchFeedCursor.findUnique({ where: { feed } });
    if (!state) throw new IndexNotBuiltError(`the search index has no cursor for the ${feed} feed`);
    const page = await readChangePage(deps, feed, state.cursor, FEED_PAGE);
    if (!page.nodes.length) return read;
    const { documents, gone } = await currentDocuments(deps, recordsNamed(page.nodes));
    try {
      await prisma.$transaction(async (tx) => {
        const moved = await tx.searchFeedCursor.updateMany({
          where: { feed, cursor: state.cursor },
          data: { cursor: page.endCursor },
        });
        if (moved.count !== 1) throw new CursorMoved();
        await upsertDocuments(tx, documents);
        await deleteDocuments(tx, gone);
      });
    } catch (error) {
      if (error instanceof CursorMoved) continue;
      throw error;
    }
    read += page.nodes.length;
    if (!page.hasNextPage) return read;
  }
}

export interface RebuildResult {
  documents: number;
  seconds: number;
}

/**
 * Builds the index anew from the owners' exports, while writes go on: the feeds' heads are read
 * first, every record is then written as exported, documents the export did not touch are
 * removed, and the cursors are set to those heads. Whatever changed after a head is in the feed
 * after it, so the follower applies it again, over whatever the export saw.
 */
export async function rebuildIndex(deps: SearchIndexDeps): Promise<RebuildResult> {
  const { prisma } = deps;
  const startedAt = Date.now();
  const heads = new Map<Feed, string | null>(
    await Promise.all(FEEDS.map(async (feed) => [feed, await feedHead(deps, feed)] as const)),
  );
  // The database's clock, to the millisecond below: every document written from here on is newer.
  const [{ since }] = await prisma.$queryRaw<[{ since: Date }]>`SELECT date_trunc('milliseconds', now()) AS since`;
  let documents = 0;
  for (const type of Object.keys(INDEXED_TYPES) as IndexedType[]) {
    let after: string | undefined;
    for (;;) {
      const rows = await exportPage<ExportedRecord>(deps, INDEXED_TYPES[type].feed, {
        type,
        after,
        limit: EXPORT_PAGE,
      });
      await upsertDocuments(
        prisma,
        rows.map((row) => documentOf(type, row)),
      );
      documents += rows.length;
      if (rows.length < EXPORT_PAGE) break;
      after = rows.at(-1)!.id;
    }
  }
  await prisma.$transaction(async (tx) => {
    await tx.$executeRaw`DELETE FROM "SearchDocument" WHERE "indexedAt" < ${since}`;
    for (const [feed, cursor] of heads) {
      await tx.searchFeedCursor.upsert({ where: { feed }, create: { feed, cursor }, update: { cursor } });
    }
  });
  // Fresh statistics for the planner: after a bulk load it would otherwise guess at the table's
  // size and skip the indexes until autovacuum comes by (a search took seconds on 1.6 million).
  await prisma.$executeRaw`ANALYZE "SearchDocument"`;
  return { documents, seconds: (Date.now() - startedAt) / 1000 };
}
