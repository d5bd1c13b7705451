/**
 * A synthetic corner of the graph whose size is exact, for measuring how work grows with the
 * answer: N actors (one alias each) taking part in ceil(N/100) events, each actor speaking
 * once on their event's claim. Written through the services' own Prisma clients.
 */
import { openDatabase } from '@newsfacts/platform/db';
import { uuidFromName } from '@newsfacts/platform/ids';
import { createPrismaClient as createActorsPrisma } from '@newsfacts/actors/db';
import { createPrismaClient as createEventsPrisma } from '@newsfacts/events/db';
import { createPrismaClient as createStatementsPrisma } from '@newsfacts/statements/db';

/** The largest page a list hands out, so the number of events grows past 100 actors. */
export const PROBE_ACTORS_PER_EVENT = 100;

export interface ProbeDatabases {
  events: string;
  actors: string;
  statements: string;
}

/** How to find the probe of one size: its events' titles contain `search`. */
export function probeSelection(size: number) {
  return { search: `Batching probe-${size} event`, events: Math.ceil(size / PROBE_ACTORS_PER_EVENT) };
}

/** Touches `size` actors across all three subgraphs, in one query whatever the size. */
export const PROBE_QUERY = /* GraphQL */ `
  query Probe($search: String!, $events: Int!) {
    events(filter: { search: $search }, first: $events) {
      nodes {
        title
        participants(first: 100) {
          role
          actor {
            name
            aliases
            affiliations {
              title
            }
            statements(first: 5) {
              stance
            }
          }
        }
        claims {
          text
          contested
          statements(first: 100) {
            quote
            stance
            speaker {
              name
              aliases
            }
          }
        }
      }
    }
  }
`;

/** Inserts the probe of each size (the databases must be migrated and seeded: it cites the seed's source). */
export async function insertProbeGraph(urls: ProbeDatabases, sizes: number[]): Promise<void> {
  const [eventsDb, actorsDb, statementsDb] = await Promise.all(
    [urls.events, urls.actors, urls.statements].map((url) => openDatabase({ kind: 'postgres', url, poolSize: 2 })),
  );
  const events = createEventsPrisma(eventsDb!);
  const actors = createActorsPrisma(actorsDb!);
  const statements = createStatementsPrisma(statementsDb!);
  try {
    const source = await statements.source.findFirstOrThrow();
    for (const size of sizes) {
      const probe = `probe-${size}`;
      const actorRows = Array.from({ length: size }, (_, i) => ({
        id: uuidFromName(`${probe}/actor/${i}`),
        slug: `${probe}-actor-${i}`,
        name: `Probe ${size} actor ${i}`,
        // nameKey(name), as the actors service stores it: these names are plain ASCII.
        nameKey: `probe ${size} actor ${i}`,
        kind: 'PERSON' as const,
        description: 'A synthetic actor for the batching probe.',
      }));
      await actors.actor.createMany({ data: actorRows });
      await actors.alias.createMany({
        data: actorRows.map((actor) => ({
          id: uuidFromName(`${actor.slug}/alias`),
          actorId: actor.id,
          name: `${actor.name} (alias)`,
          nameKey: `${actor.nameKey} alias`,
          kind: 'ALTERNATIVE_NAME' as const,
        })),
      });
      for (let e = 0; e < probeSelection(size).events; e++) {
        const eventId = uuidFromName(`${probe}/event/${e}`);
        const members = actorRows.slice(e * PROBE_ACTORS_PER_EVENT, (e + 1) * PROBE_ACTORS_PER_EVENT);
        await events.event.create({
          data: {
            id: eventId,
            slug: `${probe}-event-${e}`,
            title: `Batching ${probe} event ${e}`,
            summary: 'A synthetic event for the batching probe.',
            kind: 'OTHER',
            startedAt: new Date(Date.UTC(2020, 0, 1 + e)),
            datePrecision: 'DAY',
            participants: {
              create: members.map((actor) => ({
                id: uuidFromName(`${actor.slug}/participant`),
                actorId: actor.id,
                role: 'COMMENTATOR' as const,
              })),
            },
          },
        });
        const claimId = uuidFromName(`${probe}/claim/${e}`);
        await statements.claim.create({
          data: {
            id: claimId,
            eventId,
            aspect: 'OCCURRENCE',
            question: 'Did it happen?',
            text: `Probe event ${e} happened.`,
          },
        });
        await statements.statement.createMany({
          data: members.map((actor, i) => ({
            id: uuidFromName(`${actor.slug}/statement`),
            claimId,
            eventId,
            speakerId: actor.id,
            stance: i % 2 ? ('DENIES' as const) : ('ASSERTS' as const),
            quote: `Words of ${actor.name}.`,
            channel: 'TELEGRAM' as const,
            sourceId: source.id,
          })),
        });
      }
    }
  } finally {
    await Promise.all([events.$disconnect(), actors.$disconnect(), statements.$disconnect()]);
    await Promise.all([eventsDb!.close(), actorsDb!.close(), statementsDb!.close()]);
  }
}
