import { lateralPage } from '@newsfacts/platform/lateral-page';
import { pageLoader, rowLoader } from '@newsfacts/platform/loaders';
import { heldNowSql } from './affiliations';
import type { Affiliation, Alias } from './generated/prisma/client.ts';
import type { ActorsPrisma } from './db';

/**
 * Every read a request makes goes through one of these, so N parents cost one query; lists take
 * a page size (`first`) and read each parent's first rows for all parents at once (lateralPage).
 */
export function createLoaders(prisma: ActorsPrisma) {
  /** Positions by one side (`column`), latest first and undated last. */
  const affiliationsBy = (column: 'memberId' | 'organizationId') =>
    pageLoader(
      (parents, first, currentOnly: boolean) =>
        prisma.$queryRaw<Affiliation[]>(
          lateralPage({
            table: 'Affiliation',
            parent: { column, type: 'uuid', values: parents },
            where: currentOnly ? heldNowSql : undefined,
            orderBy: [{ column: 'since', descending: true, nulls: 'last' }, { column: 'id' }],
            first,
          }),
        ),
      (affiliation) => affiliation[column],
    );

  return {
    actorById: rowLoader(
      (ids: readonly string[]) => prisma.actor.findMany({ where: { id: { in: [...ids] } } }),
      (actor) => actor.id,
    ),
    actorBySlug: rowLoader(
      (slugs: readonly string[]) => prisma.actor.findMany({ where: { slug: { in: [...slugs] } } }),
      (actor) => actor.slug,
    ),
    aliasesByActorId: pageLoader(
      (actorIds, first, _filters: null) =>
        prisma.$queryRaw<Alias[]>(
          lateralPage({
            table: 'Alias',
            parent: { column: 'actorId', type: 'uuid', values: actorIds },
            key: 'name',
            orderBy: [{ column: 'name' }],
            first,
          }),
        ),
      (alias) => alias.actorId,
    ),
    affiliationsByMemberId: affiliationsBy('memberId'),
    affiliationsByOrganizationId: affiliationsBy('organizationId'),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
