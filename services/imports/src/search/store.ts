// Writes to the search index's tables. Each batch is one statement whatever its size, the rows
// passed as one JSON parameter, so that a page of the feed costs the same few statements.
import type { Prisma } from '../generated/prisma/client.ts';
import type { IndexedType, SearchDocument } from './documents';

type Executor = Pick<Prisma.TransactionClient, '$executeRaw'>;

/** Writes the documents, replacing those of the same records; the words are computed by the database. */
export async function upsertDocuments(tx: Executor, documents: SearchDocument[]): Promise<void> {
  if (!documents.length) return;
  await tx.$executeRaw`
    INSERT INTO "SearchDocument" (type, id, body, folded, words, "indexedAt")
    SELECT doc.type, doc.id::uuid, doc.body, doc.folded, to_tsvector('english', doc.body), now()
    FROM jsonb_to_recordset(${JSON.stringify(documents)}::jsonb) AS doc(type text, id text, body text, folded text)
    ON CONFLICT (type, id) DO UPDATE
      SET body = excluded.body, folded = excluded.folded, words = excluded.words, "indexedAt" = excluded."indexedAt"`;
}

/** Removes the documents of records that are gone (deleted, or merged into another). */
export async function deleteDocuments(tx: Executor, keys: Array<{ type: IndexedType; id: string }>): Promise<void> {
  if (!keys.length) return;
  await tx.$executeRaw`
    DELETE FROM "SearchDocument" doc
    USING jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) AS gone(type text, id text)
    WHERE doc.type = gone.type AND doc.id = gone.id::uuid`;
}
