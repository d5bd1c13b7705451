import DataLoader from 'dataloader';
import { listLoader, rowLoader } from '@newsfacts/platform/loaders';
import type { Stance } from './generated/prisma/client.ts';
import type { StatementsPrisma } from './db';

const earliestFirst = [{ saidAt: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }] as const;

/** The key of the question a claim answers about its event; claims sharing it compete. */
export const questionKey = (claim: { eventId: string; question: string }) => `${claim.eventId}\u0000${claim.question}`;

/** Every read a request makes goes through one of these, so N parents cost one query. */
export function createLoaders(prisma: StatementsPrisma) {
  return {
    claimById: rowLoader(
      (ids: readonly string[]) => prisma.claim.findMany({ where: { id: { in: [...ids] } } }),
      (claim) => claim.id,
    ),
    claimsByEventId: listLoader(
      (ids: readonly string[]) =>
        prisma.claim.findMany({ where: { eventId: { in: [...ids] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
      (claim) => claim.eventId,
    ),
    claimsByQuestion: listLoader(
      (keys: readonly string[]) =>
        prisma.claim.findMany({
          where: {
            OR: keys.map((key) => {
              const [eventId, question] = key.split('\u0000') as [string, string];
              return { eventId, question };
            }),
          },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        }),
      questionKey,
    ),
    /** The distinct stances taken on each claim. */
    stancesByClaimId: new DataLoader<string, Set<Stance>>(async (ids) => {
      const groups = await prisma.statement.groupBy({ by: ['claimId', 'stance'], where: { claimId: { in: [...ids] } } });
      const byClaim = new Map(ids.map((id) => [id, new Set<Stance>()]));
      for (const group of groups) byClaim.get(group.claimId)?.add(group.stance);
      return ids.map((id) => byClaim.get(id)!);
    }),
    statementById: rowLoader(
      (ids: readonly string[]) => prisma.statement.findMany({ where: { id: { in: [...ids] } } }),
      (statement) => statement.id,
    ),
    statementsByClaimId: listLoader(
      (ids: readonly string[]) => prisma.statement.findMany({ where: { claimId: { in: [...ids] } }, orderBy: [...earliestFirst] }),
      (statement) => statement.claimId,
    ),
    statementsBySpeakerId: listLoader(
      (ids: readonly string[]) => prisma.statement.findMany({ where: { speakerId: { in: [...ids] } }, orderBy: [...earliestFirst] }),
      (statement) => statement.speakerId,
    ),
    statementsBySourceId: listLoader(
      (ids: readonly string[]) => prisma.statement.findMany({ where: { sourceId: { in: [...ids] } }, orderBy: [{ spanStart: 'asc' }, { id: 'asc' }] }),
      (statement) => statement.sourceId,
    ),
    statementsByEventId: listLoader(
      (ids: readonly string[]) =>
        prisma.statement.findMany({
          where: { claim: { eventId: { in: [...ids] } } },
          include: { claim: { select: { eventId: true } } },
          orderBy: [...earliestFirst],
        }),
      (statement) => statement.claim.eventId,
    ),
    sourceById: rowLoader(
      (ids: readonly string[]) => prisma.source.findMany({ where: { id: { in: [...ids] } } }),
      (source) => source.id,
    ),
    sourceBySlug: rowLoader(
      (slugs: readonly string[]) => prisma.source.findMany({ where: { slug: { in: [...slugs] } } }),
      (source) => source.slug,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
