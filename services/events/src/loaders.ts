import { pageLoader, rowLoader } from '@newsfacts/platform/loaders';
import { Prisma, type Event, type EventRelation, type Figure, type Participant, type ParticipantRole } from './generated/prisma/client.ts';
import type { EventsPrisma } from './db';

/**
 * Every read a request makes goes through one of these, so N parents cost one query. Lists
 * take a page size (`first`) and return at most that many rows per parent from one query for
 * all parents: a LATERAL subquery finds each parent's first ids in index order and stops, and
 * only those rows are read. Selecting ids alone lets it be an index-only scan, which the
 * planner prefers even when it guesses, from the average parent, that a parent has few rows:
 * asked for whole rows it reads every row of a busy parent through a bitmap scan and sorts them.
 */
export function createLoaders(prisma: EventsPrisma) {
  /** Event links of each event on one side (`column`), in id order. */
  const relationsBy = (column: 'fromEventId' | 'toEventId') =>
    pageLoader(
      (eventIds, first, _filters: null) => prisma.$queryRaw<EventRelation[]>`
        SELECT relation.* FROM unnest(${eventIds}::uuid[]) AS parent(event_id)
        CROSS JOIN LATERAL (
          SELECT r.id FROM "EventRelation" r WHERE r.${Prisma.raw(`"${column}"`)} = parent.event_id ORDER BY r.id LIMIT ${first}) page
        JOIN "EventRelation" relation ON relation.id = page.id
        ORDER BY relation.${Prisma.raw(`"${column}"`)}, relation.id`,
      (relation) => relation[column],
    );

  return {
    eventById: rowLoader(
      (ids: readonly string[]) => prisma.event.findMany({ where: { id: { in: [...ids] } } }),
      (event) => event.id,
    ),
    eventBySlug: rowLoader(
      (slugs: readonly string[]) => prisma.event.findMany({ where: { slug: { in: [...slugs] } } }),
      (event) => event.slug,
    ),
    placeById: rowLoader(
      (ids: readonly string[]) => prisma.place.findMany({ where: { id: { in: [...ids] } } }),
      (place) => place.id,
    ),
    /**
     * Sub-events most recent first, undated last. An index cannot order NULLS LAST after DESC,
     * so the dated and the undated are each read in index order and the two short runs merged.
     */
    subEventsByParentId: pageLoader(
      (parentIds, first, _filters: null) => prisma.$queryRaw<Event[]>`
        SELECT sub.* FROM unnest(${parentIds}::uuid[]) AS parent(parent_id)
        CROSS JOIN LATERAL (
          SELECT * FROM (
            (SELECT e.id, e."startedAt" FROM "Event" e WHERE e."parentId" = parent.parent_id AND e."startedAt" IS NOT NULL
              ORDER BY e."startedAt" DESC, e.id LIMIT ${first})
            UNION ALL
            (SELECT e.id, e."startedAt" FROM "Event" e WHERE e."parentId" = parent.parent_id AND e."startedAt" IS NULL ORDER BY e.id LIMIT ${first})
          ) both_runs ORDER BY "startedAt" DESC NULLS LAST, id LIMIT ${first}) page
        JOIN "Event" sub ON sub.id = page.id
        ORDER BY sub."parentId", sub."startedAt" DESC NULLS LAST, sub.id`,
      (event) => event.parentId!,
    ),
    relationsByEventId: { outgoing: relationsBy('fromEventId'), incoming: relationsBy('toEventId') },
    participantsByEventId: pageLoader(
      (eventIds, first, roles: ParticipantRole[] | null) => prisma.$queryRaw<Participant[]>`
        SELECT participant.* FROM unnest(${eventIds}::uuid[]) AS parent(event_id)
        CROSS JOIN LATERAL (
          SELECT p.id FROM "Participant" p WHERE p."eventId" = parent.event_id
            ${roles ? Prisma.sql`AND p.role = ANY(${roles}::"ParticipantRole"[])` : Prisma.empty}
          ORDER BY p.role, p.id LIMIT ${first}) page
        JOIN "Participant" participant ON participant.id = page.id
        ORDER BY participant."eventId", participant.role, participant.id`,
      (participant) => participant.eventId,
    ),
    /**
     * Each actor's participations, most recent event first. The order is a column of another
     * table, so each actor's participations are all read and sorted: a busy actor costs more.
     */
    participantsByActorId: pageLoader(
      (actorIds, first, _filters: null) => prisma.$queryRaw<Participant[]>`
        SELECT participant.id, participant."eventId", participant."actorId", participant.role, participant.note, participant."claimId"
        FROM unnest(${actorIds}::uuid[]) AS parent(actor_id)
        CROSS JOIN LATERAL (
          SELECT p.*, e."startedAt" FROM "Participant" p JOIN "Event" e ON e.id = p."eventId"
          WHERE p."actorId" = parent.actor_id
          ORDER BY e."startedAt" DESC NULLS LAST, p.id LIMIT ${first}) participant
        ORDER BY participant."actorId", participant."startedAt" DESC NULLS LAST, participant.id`,
      (participant) => participant.actorId,
    ),
    figuresByEventId: pageLoader(
      (eventIds, first, _filters: null) => prisma.$queryRaw<Figure[]>`
        SELECT figure.* FROM unnest(${eventIds}::uuid[]) AS parent(event_id)
        CROSS JOIN LATERAL (
          SELECT f.id FROM "Figure" f WHERE f."eventId" = parent.event_id ORDER BY f.metric, f.id LIMIT ${first}) page
        JOIN "Figure" figure ON figure.id = page.id
        ORDER BY figure."eventId", figure.metric, figure.id`,
      (figure) => figure.eventId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
