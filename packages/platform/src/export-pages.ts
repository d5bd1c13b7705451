// What a subgraph gives the gateway's bulk export (GET /export.ndjson): its records of one type,
// a page at a time in id order, as stored (with their lists), less what is private to the
// contributor that wrote them (its key's id and its own externalIds).
import { z } from 'zod';
import { UUID_PATTERN } from './ids';

export const EXPORT_PAGE_PATH = '/export/page';
export const MAX_EXPORT_PAGE = 500;

export interface ExportPageRequest {
  /** The last id of the page before. */
  after?: string;
  /** Only these records (a client refreshing what the change feed named). */
  ids?: string[];
  limit: number;
}

/** Reads one page of one type; each service gives one per type it owns. */
export type ExportReader = (page: ExportPageRequest) => Promise<Array<{ id: string }>>;

const uuid = z.string().regex(UUID_PATTERN, 'must be a UUID');

export const exportPageRequest = z.object({
  type: z.string().min(1).max(40),
  after: uuid.optional(),
  ids: z.array(uuid).max(MAX_EXPORT_PAGE).optional(),
  limit: z.number().int().min(1).max(MAX_EXPORT_PAGE).default(MAX_EXPORT_PAGE),
});

/** The Prisma `where` of a page: after the last id, among the ids asked for. */
export const exportWhere = (page: ExportPageRequest) => ({
  ...(page.after ? { id: { gt: page.after } } : {}),
  ...(page.ids ? { AND: [{ id: { in: page.ids } }] } : {}),
});

/** Fields no export shows: who contributed a record, and the contributor's own ids for it. */
export const PRIVATE_FIELDS = { createdBy: true, externalId: true } as const;

/** JSON for an export line: BigInts as strings, Dates as ISO strings (their own toJSON). */
export const exportJson = (value: unknown): string =>
  JSON.stringify(value, (_key, field: unknown) => (typeof field === 'bigint' ? field.toString() : field));
