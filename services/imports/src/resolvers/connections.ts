import type { ConnectionParent } from '@newsfacts/platform/pagination';
import type { ImportJob, ImportRecord, WebhookDelivery, WebhookSubscription } from '../generated/prisma/client.ts';

export type ImportJobConnectionParent = ConnectionParent<ImportJob>;
export type WebhookSubscriptionConnectionParent = ConnectionParent<WebhookSubscription>;
export type WebhookDeliveryConnectionParent = ConnectionParent<WebhookDelivery>;

export interface ImportRecordConnectionParent {
  nodes: ImportRecord[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: () => Promise<number>;
}

/** The `updatedSince` filter every connection here takes: records made or changed at or after it. */
export const changedSince = (updatedSince: Date | string | null | undefined) =>
  updatedSince != null ? { updatedAt: { gte: new Date(updatedSince) } } : {};
