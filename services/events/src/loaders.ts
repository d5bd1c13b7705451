import { listLoader, rowLoader } from '@newsfacts/platform/loaders';
import type { EventsPrisma } from './db';

const byStartDesc = [{ startedAt: { sort: 'desc', nulls: 'last' } }, { id: 'asc' }] as const;

/** Every read a request makes goes through one of these, so N parents cost one query. */
export function createLoaders(prisma: EventsPrisma) {
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
    subEventsByParentId: listLoader(
      (ids: readonly string[]) =>
        prisma.event.findMany({ where: { parentId: { in: [...ids] } }, orderBy: [...byStartDesc] }),
      (event) => event.parentId!,
    ),
    relationsByEventId: {
      outgoing: listLoader(
        (ids: readonly string[]) => prisma.eventRelation.findMany({ where: { fromEventId: { in: [...ids] } }, orderBy: { id: 'asc' } }),
        (relation) => relation.fromEventId,
      ),
      incoming: listLoader(
        (ids: readonly string[]) => prisma.eventRelation.findMany({ where: { toEventId: { in: [...ids] } }, orderBy: { id: 'asc' } }),
        (relation) => relation.toEventId,
      ),
    },
    participantsByEventId: listLoader(
      (ids: readonly string[]) =>
        prisma.participant.findMany({ where: { eventId: { in: [...ids] } }, orderBy: [{ role: 'asc' }, { id: 'asc' }] }),
      (participant) => participant.eventId,
    ),
    participantsByActorId: listLoader(
      (ids: readonly string[]) =>
        prisma.participant.findMany({
          where: { actorId: { in: [...ids] } },
          orderBy: [{ event: { startedAt: { sort: 'desc', nulls: 'last' } } }, { id: 'asc' }],
        }),
      (participant) => participant.actorId,
    ),
    figuresByEventId: listLoader(
      (ids: readonly string[]) => prisma.figure.findMany({ where: { eventId: { in: [...ids] } }, orderBy: [{ metric: 'asc' }, { id: 'asc' }] }),
      (figure) => figure.eventId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
