import { lateralPageLoader } from '@newsfacts/platform/lateral-page';
import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { rowsById, rowsBySlug } from '@newsfacts/platform/loaders';
import { rowsWhereIn, type RawQueryable } from '@newsfacts/platform/raw-reads';
import { heldNowSql } from './affiliations';
import { Prisma, type Actor, type Affiliation, type Alias } from './generated/prisma/client.ts';
import type { ActorsPrisma } from './db';

/**
 * Every read a request makes goes through one of these, so N parents cost one query; lists take
 * a page size (`first`) and read each parent's first rows for all parents at once (lateralPage).
 * With `raw` (raw-reads.ts) they are plain SQL on the driver; without, Prisma's.
 */
export function createLoaders(prisma: ActorsPrisma, raw?: RawQueryable) {
  const reads = raw ?? prisma;
  const actors = (column: 'id' | 'slug') =>
    rowsWhereIn<Actor>(raw, 'Actor', Prisma.ActorScalarFieldEnum, column, (keys) =>
      prisma.actor.findMany({ where: { [column]: { in: keys } } }),
    );
  /** Positions by one side (`parentColumn`), latest first and undated last, optionally held now only. */
  const affiliationsBy = (parentColumn: 'memberId' | 'organizationId') =>
    lateralPageLoader<Affiliation, boolean>(reads, {
      table: 'Affiliation',
      parentColumn,
      where: (heldNowOnly) => (heldNowOnly ? heldNowSql : undefined),
      orderBy: [{ column: 'since', descending: true, nulls: 'last' }, { column: 'id' }],
    });

  return {
    // A merged actor's old id and slug lead to the actor it was merged into.
    actorById: rowsById(actors('id'), (missing) => redirected(prisma, 'fromId', missing)),
    actorBySlug: rowsBySlug(actors('slug'), (missing) => redirected(prisma, 'fromSlug', missing)),
    aliasesByActorId: lateralPageLoader<Alias>(reads, {
      table: 'Alias',
      parentColumn: 'actorId',
      key: 'name',
      orderBy: [{ column: 'name' }],
    }),
    affiliationsByMemberId: affiliationsBy('memberId'),
    affiliationsByOrganizationId: affiliationsBy('organizationId'),
  };
}

/** The actors that merged actors' old ids (or slugs) lead to, keyed by the old id (or slug). */
async function redirected(prisma: ActorsPrisma, by: 'fromId' | 'fromSlug', keys: string[]) {
  const redirects = await prisma.actorRedirect.findMany({
    where:
      by === 'fromId' ? { fromId: { in: keys.filter((key) => UUID_PATTERN.test(key)) } } : { fromSlug: { in: keys } },
  });
  if (!redirects.length) return [];
  const survivors = new Map(
    (await prisma.actor.findMany({ where: { id: { in: redirects.map((r) => r.toId) } } })).map((a) => [a.id, a]),
  );
  return redirects.flatMap((redirect) => {
    const row = survivors.get(redirect.toId);
    return row ? [{ key: redirect[by], row }] : [];
  });
}

export type Loaders = ReturnType<typeof createLoaders>;
