import { codedError, ErrorCode } from '@newsfacts/platform/errors';
import type { MutationResolvers } from '../generated/graphql.ts';
import { submitImport } from '../jobs';
import { webhookConfig } from '../config';
import {
  createSubscription,
  deleteSubscription,
  enableSubscription,
  redeliver,
  rotateSecret,
  updateSubscription,
} from '../webhooks/subscriptions';
import { rebuildSearchIndex } from '../search/worker';

export const Mutation: MutationResolvers = {
  importPackage: (_parent, { input }, { prisma, principal }) => submitImport(prisma, principal, input),
  createWebhookSubscription: (_parent, { input }, { prisma, peers, principal }) =>
    createSubscription(input, { prisma, peers, principal, config: webhookConfig() }),
  updateWebhookSubscription: (_parent, { input }, { prisma, peers, principal }) =>
    updateSubscription(input, { prisma, peers, principal, config: webhookConfig() }),
  rotateWebhookSecret: (_parent, { input }, { prisma, peers, principal }) =>
    rotateSecret(input.id, { prisma, peers, principal, config: webhookConfig() }),
  deleteWebhookSubscription: (_parent, { input }, { prisma, peers, principal }) =>
    deleteSubscription(input.id, { prisma, peers, principal, config: webhookConfig() }),
  enableWebhookSubscription: (_parent, { input }, { prisma, peers, principal }) =>
    enableSubscription(input.id, { prisma, peers, principal, config: webhookConfig() }),
  redeliverWebhook: (_parent, { input }, { prisma, peers, principal }) =>
    redeliver(input.deliveryId, { prisma, peers, principal, config: webhookConfig() }),
  rebuildSearchIndex: (_parent, _args, { principal }) => {
    if (!principal?.scopes.includes('ADMIN')) {
      throw codedError(ErrorCode.FORBIDDEN, 'Rebuilding the search index needs an admin key.');
    }
    return rebuildSearchIndex();
  },
};
