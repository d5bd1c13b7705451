import type { ConnectionParent } from '@newsfacts/platform/pagination';
import type { ImportJob, ImportRecord } from '../generated/prisma/client.ts';

export type ImportJobConnectionParent = ConnectionParent<ImportJob>;

export interface ImportRecordConnectionParent {
  nodes: ImportRecord[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
}
