import type { SeedDataset } from '../../../prisma/seed/types';
import { optionalId, seedId } from '../../../prisma/seed/ids';
import type { EventsPrisma } from './db';

const date = (value: string | null) => (value ? new Date(value) : null);

/** Writes the dataset's places, events, links, participants and figures; running it again changes nothing. */
export async function seedEvents(prisma: EventsPrisma, data: SeedDataset): Promise<void> {
  // Parents before their sub-events, for the foreign key.
  const events = [...data.events].sort((a, b) => Number(a.parent !== null) - Number(b.parent !== null));
  await prisma.$transaction([
    ...data.places.map((place) => {
      const row = { ...place, id: seedId.place(place.slug) };
      return prisma.place.upsert({ where: { id: row.id }, create: row, update: row });
    }),
    ...events.map((event) => {
      const row = {
        id: seedId.event(event.slug),
        slug: event.slug,
        title: event.title,
        summary: event.summary,
        kind: event.kind,
        startedAt: date(event.startedAt),
        endedAt: date(event.endedAt),
        datePrecision: event.datePrecision,
        placeId: optionalId(seedId.place, event.place),
        parentId: optionalId(seedId.event, event.parent),
      };
      return prisma.event.upsert({ where: { id: row.id }, create: row, update: row });
    }),
    ...data.eventRelations.map((relation) => {
      const row = {
        id: seedId.eventRelation(relation.from, relation.kind, relation.to),
        fromEventId: seedId.event(relation.from),
        toEventId: seedId.event(relation.to),
        kind: relation.kind,
        note: relation.note,
      };
      return prisma.eventRelation.upsert({ where: { id: row.id }, create: row, update: row });
    }),
    ...data.events.flatMap((event) =>
      event.participants.map((participant) => {
        const row = {
          id: seedId.participant(event.slug, participant.actor, participant.role),
          eventId: seedId.event(event.slug),
          actorId: seedId.actor(participant.actor),
          role: participant.role,
          note: participant.note,
          claimId: optionalId(seedId.claim, participant.claim),
        };
        return prisma.participant.upsert({ where: { id: row.id }, create: row, update: row });
      }),
    ),
    ...data.events.flatMap((event) =>
      event.figures.map((figure) => {
        const row = {
          id: seedId.figure(figure.slug),
          eventId: seedId.event(event.slug),
          metric: figure.metric,
          value: figure.value,
          qualifier: figure.qualifier,
          description: figure.description,
          claimId: optionalId(seedId.claim, figure.claim),
        };
        return prisma.figure.upsert({ where: { id: row.id }, create: row, update: row });
      }),
    ),
  ]);
}
