import { badUserInput } from './errors';
import { UUID_PATTERN } from './ids';

export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  take: number;
  /** The id of the last row of the previous page. */
  afterId: string | undefined;
}

/** The page size `first` asks for: 20 when it is left out, else 1–100 (BAD_USER_INPUT otherwise). */
export function pageSize(first: number | null | undefined): number {
  const take = first ?? 20;
  if (!Number.isInteger(take) || take < 1 || take > MAX_PAGE_SIZE) {
    throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}; got ${first}.`, { argument: 'first' });
  }
  return take;
}

/** Checks `first` and `after` and turns them into a keyset page request. */
export function pageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  return { take: pageSize(first), afterId: after == null ? undefined : decodeCursor(after) };
}

export function encodeCursor(id: string): string {
  return Buffer.from(`id:${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const decoded = cursor.length <= 128 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const id = decoded.startsWith('id:') ? decoded.slice(3) : '';
  if (!UUID_PATTERN.test(id)) {
    throw badUserInput('after must be an endCursor returned by this API.', { argument: 'after' });
  }
  return id;
}

/** Prisma arguments for one page: one extra row tells whether another page follows. */
export function pageArgs(page: PageRequest): { take: number; skip?: number; cursor?: { id: string } } {
  return page.afterId ? { take: page.take + 1, skip: 1, cursor: { id: page.afterId } } : { take: page.take + 1 };
}

export interface ConnectionParent<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  /** Counted only when a client asks for it. */
  totalCount: () => Promise<number>;
}

export function toConnection<Node extends { id: string }>(
  rows: Node[],
  page: PageRequest,
  countAll: () => Promise<number>,
): ConnectionParent<Node> {
  const nodes = rows.slice(0, page.take);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node.id), node }));
  return {
    edges,
    nodes,
    pageInfo: { hasNextPage: rows.length > page.take, endCursor: edges.at(-1)?.cursor ?? null },
    totalCount: countAll,
  };
}
