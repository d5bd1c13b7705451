import { optionalId, seedId } from '@newsfacts/platform/seed-ids';
import type { EventsPrisma } from './db';
import type {
  DatePrecision,
  EventKind,
  EventRelationKind,
  FigureMetric,
  FigureQualifier,
  GeoPrecision,
  ParticipantRole,
} from './generated/prisma/enums.ts';

// Writes this subgraph's part of the seed package straight into its database, for tests that run
// the subgraph alone (tests/helpers/seed-fixture.ts reads the package). Everything else, npm
// start included, imports the package through the imports service. Records are named by their
// keys in the package; seedId turns a key into the id an import gives the record.

export interface SeedPlace {
  slug: string;
  name: string;
  region: string | null;
  countryCode: string; // ISO 3166-1 alpha-2
  country: string;
  latitude: number | null;
  longitude: number | null;
  geoPrecision: GeoPrecision;
}

export interface SeedEvent {
  slug: string;
  title: string;
  summary: string;
  kind: EventKind;
  startedAt: string | null; // ISO 8601
  endedAt: string | null;
  datePrecision: DatePrecision;
  place: string | null; // SeedPlace.slug
  parent: string | null; // SeedEvent.slug
  participants: Array<{
    actor: string; // SeedActor.slug
    role: ParticipantRole;
    note: string | null;
    claim: string | null; // SeedClaim.slug the participation rests on
  }>;
  figures: Array<{
    metric: FigureMetric;
    value: number;
    qualifier: FigureQualifier;
    description: string;
    claim: string | null;
  }>;
}

export interface SeedEventRelation {
  from: string; // SeedEvent.slug
  to: string;
  kind: EventRelationKind;
  note: string | null;
}

export interface EventsSeed {
  places: SeedPlace[];
  events: SeedEvent[];
  eventRelations: SeedEventRelation[];
}

const date = (value: string | null) => (value ? new Date(value) : null);

/** Writes the dataset's places, events, links, participants and figures; running it again changes nothing. */
export async function seedEvents(prisma: EventsPrisma, data: EventsSeed): Promise<void> {
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
      event.figures.map((figure, index) => {
        const row = {
          id: seedId.figure(event.slug, index),
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
