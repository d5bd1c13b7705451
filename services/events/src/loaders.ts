import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { lateralPageLoader } from '@newsfacts/platform/lateral-page';
import { pageLoader, rowsById, rowsBySlug } from '@newsfacts/platform/loaders';
import { anyOf } from '@newsfacts/platform/sql';
import type { Event, EventRelation, Figure, Participant, ParticipantRole } from './generated/prisma/client.ts';
import type { EventsPrisma } from './db';

/**
 * Every read a request makes goes through one of these, so N parents cost one query; lists take
 * a page size (`first`) and read each parent's first rows for all parents at once (lateralPage).
 */
export function createLoaders(prisma: EventsPrisma) {
  /** Event links of each event on one side (`column`), in id order. */
  const relationsBy = (parentColumn: 'fromEventId' | 'toEventId') =>
    lateralPageLoader<EventRelation>(prisma, { table: 'EventRelation', parentColumn, orderBy: [{ column: 'id' }] });

  return {
    // A merged event's old id and slug lead to the event it was merged into.
    eventById: rowsById(
      (ids) => prisma.event.findMany({ where: { id: { in: ids } } }),
      (missing) => survivorsOf(prisma, 'fromId', missing),
    ),
    eventBySlug: rowsBySlug(
      (slugs) => prisma.event.findMany({ where: { slug: { in: slugs } } }),
      (missing) => survivorsOf(prisma, 'fromSlug', missing),
    ),
    placeById: rowsById((ids) => prisma.place.findMany({ where: { id: { in: ids } } })),
    placeBySlug: rowsBySlug((slugs) => prisma.place.findMany({ where: { slug: { in: slugs } } })),
    /** Sub-events most recent first, undated last. */
    subEventsByParentId: lateralPageLoader<Event>(prisma, {
      table: 'Event',
      parentColumn: 'parentId',
      orderBy: [{ column: 'startedAt', descending: true, nulls: 'last' }, { column: 'id' }],
    }),
    relationsByEventId: { outgoing: relationsBy('fromEventId'), incoming: relationsBy('toEventId') },
    participantsByEventId: lateralPageLoader<Participant, ParticipantRole[] | null>(prisma, {
      table: 'Participant',
      parentColumn: 'eventId',
      where: (roles) => (roles ? (row) => anyOf(row, 'role', roles, 'ParticipantRole') : undefined),
      orderBy: [{ column: 'role' }, { column: 'id' }],
    }),
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
    figuresByEventId: lateralPageLoader<Figure>(prisma, {
      table: 'Figure',
      parentColumn: 'eventId',
      orderBy: [{ column: 'metric' }, { column: 'id' }],
    }),
  };
}

/** The events that merged events' old ids (or slugs) lead to, keyed by the old id (or slug). */
async function survivorsOf(prisma: EventsPrisma, by: 'fromId' | 'fromSlug', keys: string[]) {
  // A malformed id names no event, and would fail the uuid comparison for the whole batch.
  const asked = by === 'fromId' ? keys.filter((key) => UUID_PATTERN.test(key)) : keys;
  if (!asked.length) return [];
  const redirects = await prisma.eventRedirect.findMany({
    where: by === 'fromId' ? { fromId: { in: asked } } : { fromSlug: { in: asked } },
    include: { to: true },
  });
  return redirects.map((redirect) => ({ key: redirect[by], row: redirect.to }));
}

export type Loaders = ReturnType<typeof createLoaders>;
