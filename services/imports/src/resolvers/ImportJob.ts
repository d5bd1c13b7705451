import { badUserInput } from '@newsfacts/platform/errors';
import { pageSize } from '@newsfacts/platform/pagination';
import type { ImportJobResolvers } from '../generated/graphql.ts';

const cursorOf = (position: number) => Buffer.from(`position:${position}`, 'utf8').toString('base64url');

function positionAfter(cursor: string | null | undefined): number {
  if (cursor == null) return -1;
  const match = /^position:(\d{1,9})$/.exec(
    cursor.length <= 64 ? Buffer.from(cursor, 'base64url').toString('utf8') : '',
  );
  if (!match) throw badUserInput('after must be an endCursor returned by this API.', { argument: 'after' });
  return Number(match[1]);
}

export const ImportJob: ImportJobResolvers = {
  counts: (job) => job,
  // Jobs hold no large text here: the package stays in the database, out of every answer.
  records: async (job, { outcome, first, after }, { prisma }) => {
    const take = pageSize(first);
    const where = { jobId: job.id, ...(outcome ? { outcome } : {}) };
    const rows = await prisma.importRecord.findMany({
      where: { ...where, position: { gt: positionAfter(after) } },
      orderBy: { position: 'asc' },
      take: take + 1,
    });
    const nodes = rows.slice(0, take);
    return {
      nodes,
      pageInfo: { hasNextPage: rows.length > take, endCursor: nodes.length ? cursorOf(nodes.at(-1)!.position) : null },
      totalCount: () => prisma.importRecord.count({ where }),
    };
  },
};
