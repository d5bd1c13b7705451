// A source's text, prepared for finding quotes in it, kept for the next statement about the same
// source: an import of a long report writes thousands of statements into one text, and reading
// and normalising a megabyte for each of them would cost more than everything else it does.
import { createHash } from 'node:crypto';
import { searchable, type Searchable } from '@newsfacts/platform/quotes';
import type { StatementsPrisma } from '../db';

const KEPT = 4;
// By the text's SHA-256: a changed text is another entry, never a stale one.
const prepared = new Map<string, Searchable>();

/** The source's text, ready for placeStatement; null when it stores none. */
export async function sourceText(
  prisma: StatementsPrisma,
  source: { id: string; contentSha256: string | null },
): Promise<Searchable | null> {
  if (!source.contentSha256) return null;
  const kept = prepared.get(source.contentSha256);
  if (kept) return kept;
  const row = await prisma.source.findUnique({ where: { id: source.id }, select: { text: true } });
  if (row?.text == null) return null;
  const text = searchable(row.text);
  const sha = createHash('sha256').update(row.text, 'utf8').digest('hex');
  if (prepared.size >= KEPT) prepared.delete(prepared.keys().next().value!);
  prepared.set(sha, text);
  return text;
}
