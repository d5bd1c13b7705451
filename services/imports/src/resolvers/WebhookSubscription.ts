import { pageArgs, pageRequest, toConnection } from '@newsfacts/platform/pagination';
import { changedSince } from './connections';
import type { WebhookDeliveryResolvers, WebhookSubscriptionResolvers } from '../generated/graphql.ts';

export const WebhookSubscription: WebhookSubscriptionResolvers = {
  filters: (subscription) => ({ eventId: subscription.eventId, contestedOnly: subscription.contestedOnly }),
  // Only the owner's key (or an admin key) reaches a subscription at all (Query.webhookSubscription).
  deliveries: async (subscription, { status, updatedSince, first, after }, { prisma }) => {
    const page = pageRequest(first, after);
    const where = { subscriptionId: subscription.id, ...(status ? { status } : {}), ...changedSince(updatedSince) };
    const rows = await prisma.webhookDelivery.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      ...pageArgs(page),
    });
    return toConnection(rows, page, () => prisma.webhookDelivery.count({ where }));
  },
};

export const WebhookDelivery: WebhookDeliveryResolvers = {
  nextAttemptAt: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
};
