import { pageLoader, rowLoader } from '@newsfacts/platform/loaders';
import { Prisma, type Affiliation, type Alias } from './generated/prisma/client.ts';
import type { ActorsPrisma } from './db';

/** Held now: no end date, or one still to come (a DATE column, compared as UTC midnight, as `isCurrent` does). */
const CURRENT = Prisma.sql`AND (a."until" IS NULL OR a."until" > (now() AT TIME ZONE 'UTC')::date)`;

/**
 * Every read a request makes goes through one of these, so N parents cost one query. Lists
 * take a page size (`first`) and return at most that many rows per parent from one query for
 * all parents: a LATERAL subquery finds each parent's first keys in index order and stops, and
 * only those rows are read. Selecting keys alone lets it be an index-only scan, which the
 * planner prefers even when it guesses, from the average parent, that a parent has few rows:
 * asked for whole rows it reads every row of a busy parent through a bitmap scan and sorts them.
 */
export function createLoaders(prisma: ActorsPrisma) {
  /**
   * Positions by one side (`column`), latest first and undated last. An index cannot order
   * NULLS LAST after DESC, so the dated and the undated are each read in index order and the
   * two short runs merged.
   */
  const affiliationsBy = (column: 'memberId' | 'organizationId') =>
    pageLoader(
      (parents, first, currentOnly: boolean) => {
        const side = Prisma.raw(`"${column}"`);
        const current = currentOnly ? CURRENT : Prisma.empty;
        return prisma.$queryRaw<Affiliation[]>`
          SELECT affiliation.* FROM unnest(${parents}::uuid[]) AS parent(parent_id)
          CROSS JOIN LATERAL (
            SELECT * FROM (
              (SELECT a.id, a.since FROM "Affiliation" a WHERE a.${side} = parent.parent_id AND a.since IS NOT NULL ${current}
                ORDER BY a.since DESC, a.id LIMIT ${first})
              UNION ALL
              (SELECT a.id, a.since FROM "Affiliation" a WHERE a.${side} = parent.parent_id AND a.since IS NULL ${current}
                ORDER BY a.id LIMIT ${first})
            ) both_runs ORDER BY since DESC NULLS LAST, id LIMIT ${first}) page
          JOIN "Affiliation" affiliation ON affiliation.id = page.id
          ORDER BY affiliation.${side}, affiliation.since DESC NULLS LAST, affiliation.id`;
      },
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
      (actorIds, first, _filters: null) => prisma.$queryRaw<Alias[]>`
        SELECT alias.* FROM unnest(${actorIds}::uuid[]) AS parent(actor_id)
        CROSS JOIN LATERAL (
          SELECT a.name FROM "Alias" a WHERE a."actorId" = parent.actor_id ORDER BY a.name LIMIT ${first}) page
        JOIN "Alias" alias ON alias."actorId" = parent.actor_id AND alias.name = page.name
        ORDER BY alias."actorId", alias.name`,
      (alias) => alias.actorId,
    ),
    affiliationsByMemberId: affiliationsBy('memberId'),
    affiliationsByOrganizationId: affiliationsBy('organizationId'),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
