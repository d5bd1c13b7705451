/**
 * The synthetic graph generator (scripts/lib/synthetic-graph.ts, `npm run db:generate`) at a
 * small size, on scratch PostgreSQL databases that already hold the seed: the three databases
 * agree on every id they share, the distributions are skewed, the same seed gives the same
 * graph, and a second run is refused.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACT_SUBGRAPHS, type FactSubgraphName } from '@newsfacts/platform/service-config';
import { prepareDatabase } from '../scripts/lib/databases';
import { seedDirectly } from './helpers/seed-fixture';
import { startService } from '../scripts/lib/processes';
import {
  GraphAlreadyGeneratedError,
  generateGraph,
  syntheticId,
  syntheticSlug,
  type GraphSizes,
} from '../scripts/lib/synthetic-graph';
import { createScratchDatabase, type ScratchDatabase } from '../scripts/lib/scratch-database';

const names = [...FACT_SUBGRAPHS];
const sizes: GraphSizes = { events: 400, actors: 1_000, claims: 1_000, statements: 10_000, seed: 7 };
const scratch: ScratchDatabase[] = [];
/** Generated ids are version 8 UUIDs; the seed's are version 5. */
const SYNTHETIC = '________-____-8___-8%';

/** Three freshly migrated and seeded databases. */
async function databases(): Promise<Record<FactSubgraphName, string>> {
  const urls = {} as Record<FactSubgraphName, string>;
  for (const name of names) {
    const database = await createScratchDatabase(`nf_scale_${name}`);
    scratch.push(database);
    await prepareDatabase(name, { kind: 'postgres', url: database.url });
    await seedDirectly(name, { kind: 'postgres', url: database.url });
    urls[name] = database.url;
  }
  return urls;
}

async function rows<Row extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const ids = async (url: string, sql: string) => new Set((await rows<{ id: string }>(url, sql)).map((row) => row.id));

let urls: Record<FactSubgraphName, string>;
beforeAll(async () => {
  urls = await databases();
  await generateGraph({ urls, sizes });
}, 120_000);
afterAll(() => Promise.all(scratch.map((database) => database.drop())));

describe('the generated graph', () => {
  it('has the rows asked for, beside the seed', async () => {
    const count = async (name: FactSubgraphName, table: string) =>
      Number(
        (
          await rows<{ count: string }>(
            urls[name],
            `SELECT count(*) FROM "${table}" WHERE id::text LIKE '${SYNTHETIC}'`,
          )
        )[0]!.count,
      );
    expect(await count('events', 'Event')).toBe(sizes.events);
    expect(await count('actors', 'Actor')).toBe(sizes.actors);
    expect(await count('statements', 'Claim')).toBe(sizes.claims);
    expect(await count('statements', 'Statement')).toBe(sizes.statements);
    // The seed is still there.
    expect(await rows(urls.events, `SELECT 1 FROM "Event" WHERE slug = 'belgorod-incursion-2023'`)).toHaveLength(1);
  });

  it('gives each row the id syntheticId computes, so that other databases can name it', async () => {
    for (const [name, table, kind, slug] of [
      ['events', 'Event', 'event', syntheticSlug.event(17)],
      ['actors', 'Actor', 'actor', syntheticSlug.actor(17)],
    ] as const) {
      expect(await rows(urls[name], `SELECT id FROM "${table}" WHERE slug = $1`, [slug])).toEqual([
        { id: syntheticId(kind, 17) },
      ]);
    }
  });

  it('refers across databases only to rows that exist', async () => {
    const actorIds = await ids(urls.actors, 'SELECT id FROM "Actor"');
    const eventIds = await ids(urls.events, 'SELECT id FROM "Event"');
    const claimIds = await ids(urls.statements, 'SELECT id FROM "Claim"');
    const missing = (referenced: Set<string>, existing: Set<string>) =>
      [...referenced].filter((id) => !existing.has(id));

    const participantActors = await ids(urls.events, 'SELECT DISTINCT "actorId" AS id FROM "Participant"');
    expect(participantActors.size).toBeGreaterThan(sizes.actors / 10);
    expect(missing(participantActors, actorIds)).toEqual([]);
    expect(missing(await ids(urls.statements, 'SELECT DISTINCT "speakerId" AS id FROM "Statement"'), actorIds)).toEqual(
      [],
    );
    expect(
      missing(
        await ids(urls.statements, 'SELECT DISTINCT "outletId" AS id FROM "Statement" WHERE "outletId" IS NOT NULL'),
        actorIds,
      ),
    ).toEqual([]);
    expect(missing(await ids(urls.statements, 'SELECT DISTINCT "eventId" AS id FROM "Claim"'), eventIds)).toEqual([]);
    expect(missing(await ids(urls.statements, 'SELECT DISTINCT "eventId" AS id FROM "Statement"'), eventIds)).toEqual(
      [],
    );

    const claimsNamed = await ids(
      urls.events,
      'SELECT "claimId" AS id FROM "Participant" WHERE "claimId" IS NOT NULL UNION SELECT "claimId" FROM "Figure" WHERE "claimId" IS NOT NULL',
    );
    expect(claimsNamed.size).toBeGreaterThan(0);
    expect(missing(claimsNamed, claimIds)).toEqual([]);
    // A generated participation or figure resting on a claim belongs to the claim's event.
    const claimEvents = new Map(
      (await rows<{ id: string; eventId: string }>(urls.statements, 'SELECT id, "eventId" FROM "Claim"')).map(
        (claim) => [claim.id, claim.eventId],
      ),
    );
    const resting = await rows<{ eventId: string; claimId: string }>(
      urls.events,
      `SELECT "eventId", "claimId" FROM "Participant" WHERE "claimId" IS NOT NULL AND id::text LIKE '${SYNTHETIC}'
       UNION ALL SELECT "eventId", "claimId" FROM "Figure" WHERE "claimId" IS NOT NULL AND id::text LIKE '${SYNTHETIC}'`,
    );
    expect(resting.length).toBeGreaterThan(0);
    expect(resting.filter((row) => claimEvents.get(row.claimId) !== row.eventId)).toEqual([]);

    // Affiliations point at organisations.
    expect(
      await rows(
        urls.actors,
        `SELECT f.id FROM "Affiliation" f JOIN "Actor" o ON o.id = f."organizationId" WHERE o.kind <> 'ORGANIZATION'`,
      ),
    ).toEqual([]);
  });

  it('is skewed: a few busy actors, events and claims, most of them quiet', async () => {
    const spread = async (url: string, sql: string) => {
      const counts = (await rows<{ n: string }>(url, sql)).map((row) => Number(row.n)).sort((a, b) => a - b);
      return { top: counts.at(-1)!, median: counts[Math.floor(counts.length / 2)]! };
    };
    const speakers = await spread(urls.statements, 'SELECT count(*) AS n FROM "Statement" GROUP BY "speakerId"');
    expect(speakers.top).toBeGreaterThan(20 * speakers.median);
    // The busiest is index 0, as the benchmark assumes.
    expect(
      Number(
        (
          await rows<{ n: string }>(urls.statements, 'SELECT count(*) AS n FROM "Statement" WHERE "speakerId" = $1', [
            syntheticId('actor', 0),
          ])
        )[0]!.n,
      ),
    ).toBe(speakers.top);

    const events = await spread(urls.statements, 'SELECT count(*) AS n FROM "Claim" GROUP BY "eventId"');
    expect(events.top).toBeGreaterThan(10 * events.median);
    const claims = await spread(urls.statements, 'SELECT count(*) AS n FROM "Statement" GROUP BY "claimId"');
    expect(claims.top).toBeGreaterThan(10 * claims.median);
    const members = await spread(urls.actors, 'SELECT count(*) AS n FROM "Affiliation" GROUP BY "organizationId"');
    expect(members.top).toBeGreaterThan(10 * members.median);
    const parts = await spread(
      urls.events,
      'SELECT count(*) AS n FROM "Event" WHERE "parentId" IS NOT NULL GROUP BY "parentId"',
    );
    expect(parts.top).toBeGreaterThan(3 * parts.median);
  });

  it('gives the same graph for the same seed, and another for another seed', async () => {
    const digest = async (all: Record<FactSubgraphName, string>) =>
      (
        await rows<{ digest: string }>(
          all.statements,
          `SELECT md5(string_agg(s.id::text || s."speakerId"::text || s.stance::text || coalesce(s."saidAt"::text, '') || c.text, ',' ORDER BY s.id)) AS digest
             FROM "Statement" s JOIN "Claim" c ON c.id = s."claimId"`,
        )
      )[0]!.digest;
    const again = await databases();
    await generateGraph({ urls: again, sizes });
    expect(await digest(again)).toBe(await digest(urls));

    const other = await databases();
    await generateGraph({ urls: other, sizes: { ...sizes, seed: sizes.seed + 1 } });
    expect(await digest(other)).not.toBe(await digest(urls));
  }, 120_000);

  it('refuses databases that already hold a generated graph, and changes nothing', async () => {
    const before = await rows(urls.statements, 'SELECT count(*) FROM "Statement"');
    await expect(generateGraph({ urls, sizes })).rejects.toBeInstanceOf(GraphAlreadyGeneratedError);
    expect(await rows(urls.statements, 'SELECT count(*) FROM "Statement"')).toEqual(before);
  });
});

describe('npm run db:generate', () => {
  it('refuses the embedded default, naming what to set', async () => {
    const env = { ...process.env };
    for (const name of names) delete env[`${name.toUpperCase()}_DATABASE_URL`];
    const lines: string[] = [];
    const cli = startService('generate', 'scripts/generate-graph.ts', env, (_name, line) => lines.push(line), [
      '--events',
      '10',
    ]);
    expect(await cli.exited).toBe(2);
    expect(lines.join('\n')).toMatch(
      /embedded default \(PGlite\).*EVENTS_DATABASE_URL, ACTORS_DATABASE_URL and STATEMENTS_DATABASE_URL/,
    );
  });

  it('refuses sizes it cannot make', async () => {
    const lines: string[] = [];
    const cli = startService('generate', 'scripts/generate-graph.ts', process.env, (_name, line) => lines.push(line), [
      '--statements',
      'many',
    ]);
    expect(await cli.exited).toBe(2);
    expect(lines.join('\n')).toMatch(/--statements must be a whole number/);
  });
});
