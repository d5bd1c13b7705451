import { UUID_PATTERN } from '@newsfacts/platform/ids';
import { lateralPageLoader } from '@newsfacts/platform/lateral-page';
import { pageLoader, rowsById, rowsBySlug } from '@newsfacts/platform/loaders';
import { rowsWhereIn, type RawQueryable } from '@newsfacts/platform/raw-reads';
import { anyOf, sql } from '@newsfacts/platform/sql';
import {
  Prisma,
  type Event,
  type EventRelation,
  type Figure,
  type Participant,
  type ParticipantRole,
  type Place,
} from './generated/prisma/client.ts';
import type { EventsPrisma } from './db';

/**
 * Every read a request makes goes through one of these, so N parents cost one query; lists take
 * a page size (`first`) and read each parent's first rows for all parents at once (lateralPage).
 * With `raw` (raw-reads.ts) they are plain SQL on the driver; without, Prisma's.
 */
export function createLoaders(prisma: EventsPrisma, raw?: RawQueryable) {
  const reads = raw ?? prisma;
  /** Event links of each event on one side (`column`), in id order. */
  const relationsBy = (parentColumn: 'fromEventId' | 'toEventId') =>
    lateralPageLoader<EventRelation>(reads, { table: 'EventRelation', parentColumn, orderBy: [{ column: 'id' }] });
  const events = (column: 'id' | 'slug') =>
    rowsWhereIn<Event>(raw, 'Event', Prisma.EventScalarFieldEnum, column, (keys) =>
      prisma.event.findMany({ where: { [column]: { in: keys } } }),
    );
  const places = (column: 'id' | 'slug') =>
    rowsWhereIn<Place>(raw, 'Place', Prisma.PlaceScalarFieldEnum, column, (keys) =>
      prisma.place.findMany({ where: { [column]: { in: keys } } }),
    );

  return {
    // A merged event's old id and slug lead to the event it was merged into.
    eventById: rowsById(events('id'), (missing) => survivorsOf(prisma, 'fromId', missing)),
    eventBySlug: rowsBySlug(events('slug'), (missing) => survivorsOf(prisma, 'fromSlug', missing)),
    placeById: rowsById(places('id')),
    placeBySlug: rowsBySlug(places('slug')),
    /** Sub-events most recent first, undated last. */
    subEventsByParentId: lateralPageLoader<Event>(reads, {
      table: 'Event',
      parentColumn: 'parentId',
      orderBy: [{ column: 'startedAt', descending: true, nulls: 'last' }, { column: 'id' }],
    }),
    relationsByEventId: { outgoing: relationsBy('fromEventId'), incoming: relationsBy('toEventId') },
    participantsByEventId: lateralPageLoader<Participant, ParticipantRole[] | null>(reads, {
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
      (actorIds, first, _filters: null) =>
        reads.$queryRaw<Participant[]>(sql`
        SELECT participant.id, participant."eventId", participant."actorId", participant.role, participant.note, participant."claimId"
        FROM unnest(${actorIds}::uuid[]) AS parent(actor_id)
        CROSS JOIN LATERAL (
          SELECT p.*, e."startedAt" FROM "Participant" p JOIN "Event" e ON e.id = p."eventId"
          WHERE p."actorId" = parent.actor_id
          ORDER BY e."startedAt" DESC NULLS LAST, p.id LIMIT ${first}) participant
        ORDER BY participant."actorId", participant."startedAt" DESC NULLS LAST, participant.id`),
      (participant) => participant.actorId,
    ),
    figuresByEventId: lateralPageLoader<Figure>(reads, {
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
