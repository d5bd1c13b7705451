import { badUserInput } from '@newsfacts/platform/errors';
import { pageArgs, pageRequest, toConnection } from '@newsfacts/platform/pagination';
import type { ForwardedPrincipal } from '@newsfacts/platform/signing';
import { UUID_PATTERN } from '@newsfacts/platform/ids';
import type { QueryResolvers } from '../generated/graphql.ts';
import { search } from '../search/query';
import { subscriptionsVisibleTo } from '../webhooks/subscriptions';
import { changedSince } from './connections';

/** Whose jobs a caller may see: a key its own, an admin key every key's, nobody else any. */
export function jobsVisibleTo(principal: ForwardedPrincipal | null): { createdBy?: string } | null {
  if (principal?.kind !== 'key' || !principal.keyId) return null;
  return principal.scopes.includes('ADMIN') ? {} : { createdBy: principal.keyId };
}

export const Query: QueryResolvers = {
  search: (_parent, args, { prisma }) => search(prisma, args),

  importJob: async (_parent, { id }, { prisma, principal }) => {
    const visible = jobsVisibleTo(principal);
    if (!UUID_PATTERN.test(id)) throw badUserInput('id must be an import job id (a UUID).', { argument: 'id' });
    return visible ? prisma.importJob.findFirst({ where: { id, ...visible } }) : null;
  },

  importJobs: async (_parent, { updatedSince, first, after }, { prisma, principal }) => {
    const page = pageRequest(first, after);
    const visible = { ...(jobsVisibleTo(principal) ?? { createdBy: '\u0000nobody' }), ...changedSince(updatedSince) };
    const rows = await prisma.importJob.findMany({
      where: visible,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      ...pageArgs(page),
    });
    return toConnection(rows, page, () => prisma.importJob.count({ where: visible }));
  },

  webhookSubscription: async (_parent, { id }, { prisma, principal }) => {
    const visible = subscriptionsVisibleTo(principal);
    if (!UUID_PATTERN.test(id))
      throw badUserInput('id must be a webhook subscription id (a UUID).', { argument: 'id' });
    return visible ? prisma.webhookSubscription.findFirst({ where: { id, ...visible } }) : null;
  },

  webhookSubscriptions: async (_parent, { updatedSince, first, after }, { prisma, principal }) => {
    const page = pageRequest(first, after);
    const visible = {
      ...(subscriptionsVisibleTo(principal) ?? { createdBy: '\u0000nobody' }),
      ...changedSince(updatedSince),
    };
    const rows = await prisma.webhookSubscription.findMany({
      where: visible,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      ...pageArgs(page),
    });
    return toConnection(rows, page, () => prisma.webhookSubscription.count({ where: visible }));
  },
};
