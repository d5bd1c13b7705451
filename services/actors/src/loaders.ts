import { lateralPageLoader } from '@newsfacts/platform/lateral-page';
import { rowsById, rowsBySlug } from '@newsfacts/platform/loaders';
import { heldNowSql } from './affiliations';
import type { Affiliation, Alias } from './generated/prisma/client.ts';
import type { ActorsPrisma } from './db';

/**
 * Every read a request makes goes through one of these, so N parents cost one query; lists take
 * a page size (`first`) and read each parent's first rows for all parents at once (lateralPage).
 */
export function createLoaders(prisma: ActorsPrisma) {
  /** Positions by one side (`parentColumn`), latest first and undated last, optionally held now only. */
  const affiliationsBy = (parentColumn: 'memberId' | 'organizationId') =>
    lateralPageLoader<Affiliation, boolean>(prisma, {
      table: 'Affiliation',
      parentColumn,
      where: (heldNowOnly) => (heldNowOnly ? heldNowSql : undefined),
      orderBy: [{ column: 'since', descending: true, nulls: 'last' }, { column: 'id' }],
    });

  return {
    actorById: rowsById((ids) => prisma.actor.findMany({ where: { id: { in: ids } } })),
    actorBySlug: rowsBySlug((slugs) => prisma.actor.findMany({ where: { slug: { in: slugs } } })),
    aliasesByActorId: lateralPageLoader<Alias>(prisma, {
      table: 'Alias',
      parentColumn: 'actorId',
      key: 'name',
      orderBy: [{ column: 'name' }],
    }),
    affiliationsByMemberId: affiliationsBy('memberId'),
    affiliationsByOrganizationId: affiliationsBy('organizationId'),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
