import { lateralPage } from '@newsfacts/platform/lateral-page';
import { pageLoader, rowLoader } from '@newsfacts/platform/loaders';
import { anyOf } from '@newsfacts/platform/sql';
import type { Event, EventRelation, Figure, Participant, ParticipantRole } from './generated/prisma/client.ts';
import type { EventsPrisma } from './db';

/**
 * Every read a request makes goes through one of these, so N parents cost one query; lists take
 * a page size (`first`) and read each parent's first rows for all parents at once (lateralPage).
 */
export function createLoaders(prisma: EventsPrisma) {
  /** Event links of each event on one side (`column`), in id order. */
  const relationsBy = (column: 'fromEventId' | 'toEventId') =>
    pageLoader(
      (eventIds, first, _filters: null) =>
        prisma.$queryRaw<EventRelation[]>(
          lateralPage({
            table: 'EventRelation',
            parent: { column, type: 'uuid', values: eventIds },
            orderBy: [{ column: 'id' }],
            first,
          }),
        ),
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
    /** Sub-events most recent first, undated last. */
    subEventsByParentId: pageLoader(
      (parentIds, first, _filters: null) =>
        prisma.$queryRaw<Event[]>(
          lateralPage({
            table: 'Event',
            parent: { column: 'parentId', type: 'uuid', values: parentIds },
            orderBy: [{ column: 'startedAt', descending: true, nulls: 'last' }, { column: 'id' }],
            first,
          }),
        ),
      (event) => event.parentId!,
    ),
    relationsByEventId: { outgoing: relationsBy('fromEventId'), incoming: relationsBy('toEventId') },
    participantsByEventId: pageLoader(
      (eventIds, first, roles: ParticipantRole[] | null) =>
        prisma.$queryRaw<Participant[]>(
          lateralPage({
            table: 'Participant',
            parent: { column: 'eventId', type: 'uuid', values: eventIds },
            where: roles ? (row) => anyOf(row, 'role', roles, 'ParticipantRole') : undefined,
            orderBy: [{ column: 'role' }, { column: 'id' }],
            first,
          }),
        ),
      (participant) => participant.eventId,
    ),
    /**
     * Each actor's participations, most recent event first. Not a lateralPage: the order is a
     * column of another table, so each actor's participations are all read and sorted, and a
     * busy actor costs more.
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
      (eventIds, first, _filters: null) =>
        prisma.$queryRaw<Figure[]>(
          lateralPage({
            table: 'Figure',
            parent: { column: 'eventId', type: 'uuid', values: eventIds },
            orderBy: [{ column: 'metric' }, { column: 'id' }],
            first,
          }),
        ),
      (figure) => figure.eventId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
