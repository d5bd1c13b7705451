/**
 * The loaders' plain-SQL reads (packages/platform/src/raw-reads.ts, on unless RAW_SQL_READS=false)
 * give the same rows as Prisma's, value for value and type for type (Date objects, enum strings,
 * nulls), in the same order, in as many statements. Each subgraph's loaders run both ways on one
 * seeded PostgreSQL database with a small generated graph beside the seed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@newsfacts/platform/db';
import { rawReads } from '@newsfacts/platform/raw-reads';
import type { FactSubgraphName } from '@newsfacts/platform/service-config';
import { createPrismaClient as actorsPrisma } from '@newsfacts/actors/db';
import { createLoaders as actorsLoaders } from '@newsfacts/actors/loaders';
import { createPrismaClient as eventsPrisma } from '@newsfacts/events/db';
import { createLoaders as eventsLoaders } from '@newsfacts/events/loaders';
import { createPrismaClient as statementsPrisma } from '@newsfacts/statements/db';
import { createLoaders as statementsLoaders } from '@newsfacts/statements/loaders';
import { prepareDatabase } from '../scripts/lib/databases';
import { createScratchDatabase, type ScratchDatabase } from '../scripts/lib/scratch-database';
import { generateGraph, syntheticId } from '../scripts/lib/synthetic-graph';
import { seedDirectly } from './helpers/seed-fixture';

const NAMES = ['events', 'actors', 'statements'] as const;
const scratch = {} as Record<FactSubgraphName, ScratchDatabase>;
const databases = {} as Record<FactSubgraphName, Database>;
let statements = 0;

beforeAll(async () => {
  for (const name of NAMES) {
    scratch[name] = await createScratchDatabase(`nf_test_raw_${name}`);
    const target = { kind: 'postgres' as const, url: scratch[name].url };
    await prepareDatabase(name, target);
    await seedDirectly(name, target);
  }
  await generateGraph({
    urls: { events: scratch.events.url, actors: scratch.actors.url, statements: scratch.statements.url },
    sizes: { events: 60, actors: 120, claims: 150, statements: 900, seed: 5 },
  });
  for (const name of NAMES)
    databases[name] = await openDatabase(
      { kind: 'postgres', url: scratch[name].url },
      { observeStatement: () => void statements++ },
    );
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(databases).map((db) => db.close()));
  await Promise.all(Object.values(scratch).map((database) => database.drop()));
});

/** A subgraph's loaders on its database: through Prisma, or (`raw`) on plain SQL. */
const loadersOf =
  <Prisma, Loaders>(
    db: Database,
    createPrisma: (db: Database) => Prisma,
    createLoaders: (prisma: Prisma, raw?: ReturnType<typeof rawReads>) => Loaders,
  ) =>
  (raw: boolean) =>
    createLoaders(createPrisma(db), raw ? rawReads(db.adapter) : undefined);

/** `read` with loaders through Prisma and with loaders on plain SQL: the same rows, in as many statements. */
async function sameBothWays<Loaders>(
  make: (raw: boolean) => Loaders,
  read: (loaders: Loaders) => Promise<unknown>,
): Promise<unknown> {
  statements = 0;
  const viaPrisma = await read(make(false));
  const prismaStatements = statements;
  statements = 0;
  const viaSql = await read(make(true));
  expect(viaSql).toStrictEqual(viaPrisma);
  expect(statements).toBe(prismaStatements);
  return viaPrisma;
}

const ids = async (db: Database, table: string) =>
  (await db.query<{ id: string }>(`SELECT id FROM "${table}" ORDER BY id`)).map((row) => row.id);
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
/** Every id of a table (and one it does not hold), and every slug. */
const keysOf = async (db: Database, table: string): Promise<[string[], string[]]> => [
  [...(await ids(db, table)), UNKNOWN],
  (await db.query<{ slug: string }>(`SELECT slug FROM "${table}"`)).map((row) => row.slug),
];
const all = <T>(keys: string[], load: (key: string) => Promise<T>) => Promise.all(keys.map(load));

describe('plain-SQL reads', () => {
  it('give the events subgraph the rows Prisma gives', async () => {
    const db = databases.events;
    const make = loadersOf(db, eventsPrisma, eventsLoaders);
    const [events, slugs] = await keysOf(db, 'Event');
    const places = await ids(db, 'Place');
    const actors = [syntheticId('actor', 0), syntheticId('actor', 1), UNKNOWN];
    const found = await sameBothWays(make, async (loaders) => ({
      byId: await all(events, (id) => loaders.eventById.load(id)),
      bySlug: await all([...slugs, 'no-such-event'], (slug) => loaders.eventBySlug.load(slug)),
      places: await all([...places, UNKNOWN], (id) => loaders.placeById.load(id)),
      subEvents: await all(events, (id) => loaders.subEventsByParentId.load(id, 5, null)),
      participants: await all(events, (id) => loaders.participantsByEventId.load(id, 20, null)),
      byRole: await all(events, (id) => loaders.participantsByEventId.load(id, 3, ['ATTACKER', 'VICTIM'])),
      byActor: await all(actors, (id) => loaders.participantsByActorId.load(id, 10, null)),
      figures: await all(events, (id) => loaders.figuresByEventId.load(id, 20, null)),
      outgoing: await all(events, (id) => loaders.relationsByEventId.outgoing.load(id, 20, null)),
    }));
    const { byId, participants } = found as { byId: Array<{ startedAt: unknown } | null>; participants: unknown[][] };
    expect(byId.some((event) => event?.startedAt instanceof Date)).toBe(true);
    expect(participants.some((list) => list.length > 0)).toBe(true);
  });

  it('give the actors subgraph the rows Prisma gives', async () => {
    const db = databases.actors;
    const make = loadersOf(db, actorsPrisma, actorsLoaders);
    const [actors, slugs] = await keysOf(db, 'Actor');
    const found = await sameBothWays(make, async (loaders) => ({
      byId: await all(actors, (id) => loaders.actorById.load(id)),
      bySlug: await all(slugs, (slug) => loaders.actorBySlug.load(slug)),
      aliases: await all(actors, (id) => loaders.aliasesByActorId.load(id, 20, null)),
      affiliations: await all(actors, (id) => loaders.affiliationsByMemberId.load(id, 20, false)),
      heldNow: await all(actors, (id) => loaders.affiliationsByMemberId.load(id, 20, true)),
      members: await all(actors, (id) => loaders.affiliationsByOrganizationId.load(id, 5, false)),
    }));
    const { affiliations } = found as { affiliations: Array<Array<{ since: unknown }>> };
    expect(affiliations.flat().some((affiliation) => affiliation.since instanceof Date)).toBe(true);
  });

  it('give the statements subgraph the rows Prisma gives', async () => {
    const db = databases.statements;
    const make = loadersOf(db, statementsPrisma, statementsLoaders);
    const claims = [...(await ids(db, 'Claim')), UNKNOWN];
    const events = (await db.query<{ id: string }>(`SELECT DISTINCT "eventId" AS id FROM "Claim"`)).map((r) => r.id);
    const speakers = (
      await db.query<{ id: string }>(`SELECT DISTINCT "speakerId" AS id FROM "Statement" LIMIT 40`)
    ).map((r) => r.id);
    const sources = await ids(db, 'Source');
    const found = await sameBothWays(make, async (loaders) => ({
      claims: await all(claims, (id) => loaders.claimById.load(id)),
      byEvent: await all(events, (id) => loaders.claimsByEventId.load(id, 20, null)),
      contested: await all(events, (id) => loaders.contestedClaimsByEventId.load(id, 20, null)),
      stances: (await all(claims, (id) => loaders.stancesByClaimId.load(id))).map((set) => [...set].sort()),
      byClaim: await all(claims, (id) => loaders.statementsByClaimId.load(id, 20, null)),
      supporting: await all(claims, (id) => loaders.statementsByClaimId.load(id, 3, ['SUPPORTS'])),
      bySpeaker: await all(speakers, (id) => loaders.statementsBySpeakerId.load(id, 5, null)),
      contestedBySpeaker: await all(speakers, (id) => loaders.contestedClaimsBySpeakerId.load(id, 5, null)),
      bySource: await all(sources, (id) => loaders.statementsBySourceId.load(id, 5, null)),
      sources: await all([...sources, UNKNOWN], (id) => loaders.sourceById.load(id)),
    }));
    const { byClaim } = found as { byClaim: Array<Array<{ saidAt: unknown }>> };
    expect(byClaim.flat().some((statement) => statement.saidAt instanceof Date)).toBe(true);
  });
});
