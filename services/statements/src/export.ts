// The statements service's records for the bulk export: sources (with their text), claims and
// statements, as stored.
import { exportWhere, PRIVATE_FIELDS, type ExportReader } from '@newsfacts/platform/export-pages';
import type { StatementsPrisma } from './db';

export const statementsExports = (prisma: StatementsPrisma): Record<string, ExportReader> => ({
  Source: (page) =>
    prisma.source.findMany({
      where: exportWhere(page),
      orderBy: { id: 'asc' },
      take: page.limit,
      omit: PRIVATE_FIELDS,
    }),
  Claim: (page) =>
    prisma.claim.findMany({ where: exportWhere(page), orderBy: { id: 'asc' }, take: page.limit, omit: PRIVATE_FIELDS }),
  Statement: (page) =>
    prisma.statement.findMany({
      where: exportWhere(page),
      orderBy: { id: 'asc' },
      take: page.limit,
      omit: PRIVATE_FIELDS,
    }),
});
